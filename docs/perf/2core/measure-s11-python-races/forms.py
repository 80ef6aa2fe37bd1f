import sys, threading, multiprocessing, time
N=int(sys.argv[1]) if len(sys.argv)>1 else 200000
W=2
counter=0
def glob(n, bar):
    global counter
    bar.wait()
    for _ in range(n):
        counter += 1
class Box: pass
def attr(box, n, bar):
    bar.wait()
    for _ in range(n):
        box.value += 1
def run_threads(kind):
    global counter
    counter=0
    box=Box(); box.value=0
    bar=threading.Barrier(W)
    ts=[threading.Thread(target=(glob if kind=='global' else attr), args=((N,bar) if kind=='global' else (box,N,bar))) for _ in range(W)]
    t=time.perf_counter()
    for x in ts: x.start()
    for x in ts: x.join()
    v = counter if kind=='global' else box.value
    return W*N-v, time.perf_counter()-t
def mp_inc(v, n, bar, locked):
    bar.wait()
    if locked=='getlock':
        for _ in range(n):
            with v.get_lock():
                v.value += 1
    else:
        for _ in range(n):
            v.value += 1
def run_mp(kind):
    ctx=multiprocessing.get_context('fork')
    v = ctx.Value('q',0,lock=False) if kind=='rawvalue' else ctx.Value('q',0)
    bar=ctx.Barrier(W)
    ps=[ctx.Process(target=mp_inc,args=(v,N,bar,'getlock' if kind=='getlock' else 'no')) for _ in range(W)]
    t=time.perf_counter()
    for p in ps: p.start()
    for p in ps: p.join()
    return W*N-v.value, time.perf_counter()-t
if __name__=='__main__':
    for rep in range(10):
        for k in ['global','attr']:
            print('threads',k,*run_threads(k), flush=True)
        for k in ['rawvalue','synced','getlock']:
            print('mp',k,*run_mp(k), flush=True)
