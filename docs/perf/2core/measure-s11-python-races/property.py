import sys, threading
sys.path.insert(0,'/work/wt/pycontention/assets/python')
import corelab_worker as w
import time
N=int(sys.argv[1]); W=int(sys.argv[2])
out=[]
for rep in range(8):
    c=w.SharedCounter(); bar=threading.Barrier(W)
    def f():
        bar.wait()
        for _ in range(N): c.value += 1
    ts=[threading.Thread(target=f) for _ in range(W)]
    t=time.perf_counter()
    [x.start() for x in ts]; [x.join() for x in ts]
    out.append((round(100*(W*N-c.value)/(W*N),1), round(time.perf_counter()-t,3)))
print(N,W,out)
