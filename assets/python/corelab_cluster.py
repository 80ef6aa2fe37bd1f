#!/usr/bin/env python3
"""corelab's cluster worker: runs corelab task units on Dask (dask.distributed) or MPI ranks.

It speaks the protocol of corelab_worker.py (whose kernels it imports, so the checksums are the
same as every other model's) and is started the same way, from the cell's private scratch
directory, where corelab writes both files:

  py-dask:  python -I -X pycache_prefix=SCRATCH/pycache -u corelab_cluster.py dask
  py-mpi:   mpiexec [extra args] [--hostfile H] -n N+1 python -I -X pycache_prefix=SCRATCH/pycache -u corelab_cluster.py mpi

  -> {"op": "start", "model": "dask"|"mpi", "workers": N, "scheduler": "" | "tcp://host:8786"}
  <- {"op": "started", "startup_s": 1.2, "cluster": {...}}
  -> {"op": "import", "function": {"file": ..., "name": ...}}   (function tasks, after start)
  <- {"op": "imported", "import_s": 2.0}
  -> {"op": "run", "task": {...}}
  <- {"op": "done", "wall_s": ..., "cpu_s": ..., "checksum": ..., "timeline": {...},
      "untimed_cpu_s": ..., "untimed_minor_faults": ...}

"timeline" (as corelab_worker.py sends it: one lane per worker thread) comes only when every
unit ran on this host: another host's time.monotonic_ns() is not this one's clock.
"untimed_cpu_s" (as corelab_worker.py sends it) is this driver process's CPU time spent on the
request outside the timed region (parsing it, building the items, the timeline, the reply's
JSON): corelab measures the run's CPU time from outside, around the whole request, and
subtracts it. "untimed_minor_faults" is the same for its minor page faults.

A function task's module is imported during the cell's start-up (the `import` request), by
this driver and by every Dask worker / every MPI rank, so that no timed run includes an import;
a failure says `"user": true`, as corelab_worker.py's does, and so does the user's function
raising in a run. A module this driver imported that fails on a worker or rank only also says
where (`"pool": "the Dask worker tcp://…"`, `"MPI rank 2"`): that fault is this model's.

"cluster" describes what ran the tasks: the engine, the scheduler address, the dashboard link
(Dask) and every worker used (address, host, threads, memory limit in bytes).

Dask: without a scheduler address an embedded LocalCluster of N single-threaded worker
processes is started (outside the timed region) and kept for the cell's runs. With an address,
corelab connects to that cluster and restricts client.map to N of its workers; one of them that
the scheduler removes (it died or was stopped) fails the run at once, naming it
(`DaskRunner.watch_workers`), where Dask would wait for it until corelab's timeout.

MPI: rank 0 talks to corelab on stdin/stdout (mpiexec forwards both for rank 0) and hands units
to ranks 1..N over comm.isend/recv: each rank holds up to two (the one it computes and the next,
waiting in its queue) while at least one unassigned unit per rank remains, then one at a time
to whichever rank finishes first, so the last units still go to idle ranks. A unit that raises
(SystemExit included) sends its traceback to rank 0, which fails the run with it, as py-dask
does. Which unit each rank is computing is kept in a file corelab reads when a rank killed by
a signal has ended the job (RANKS_FILE, UNITS_FILE): a rank on rank 0's host writes its own
slot around each unit, rank 0 the slots of ranks on other hosts.

No rank spins while it waits (`patient_recv`): Open MPI's blocking receive polls, and
`mpi_yield_when_idle` only makes it call sched_yield between polls, which takes a whole free
core (and a share of a busy one). So rank 0, which waits for results during the whole timed
run, would have counted as one more busy core in the run's CPU time and competed with the
ranks computing; and the ranks, idle between runs, would have competed with the other cells'
timed runs. Every wait probes (MPI_Iprobe) between naps instead: see NAP_FIRST_S.

The timed region is corelab_worker's: from handing out the first unit until every unit's
result is back in this driver (client.gather, comm.recv: a function task's result travels
whole, as a real driver's would); a function task's answers are hashed after it. The protocol
runs on a private duplicate of rank 0's stdout; every process's fd 1 points at stderr (see
corelab_worker.take_protocol_stdout), so the user's prints on any rank cannot corrupt it.
"""

import json
import os
import socket
import sys
import time

# -I leaves the script's directory off sys.path; the worker module lies next to this file.
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import corelab_worker as kernels  # noqa: E402

reply = kernels.reply


def dask_unit(item_json, payload=None):
    """One unit on a Dask worker or an MPI rank: the work item (task, unit[, the argument of a
    function task]) travels as JSON text (Dask leaves strings alone). A unit that carries
    `task.payload_kib` also gets `payload`, its input as `bytes` (pickled as they are by Dask
    and mpi4py, not encoded), and returns its output as `bytes`, as large: the data travels
    both ways. Returns (checksum, cpu seconds, output, stamps): output is None without a
    payload, else (the type name and length of the input this unit received, its output
    bytes), which the driver checks (`check_output`); stamps are (host name, native thread
    id, start_ns, end_ns, waits) on this host's time.monotonic_ns(), taken outside the
    unit's work. The checksum
    of a function task is the function's result itself, sent back whole (as client.gather
    and comm.recv would bring a real program's results back); the driver hashes it after the
    timed region. An MPI rank hands it the item already parsed (see `mpi_worker`)."""
    msg = json.loads(item_json) if isinstance(item_json, str) else item_json
    if isinstance(msg, dict) and "import" in msg:
        return import_here(msg["import"])
    waits = []
    start = time.monotonic_ns()
    checksum, cpu, tid = kernels.run_unit(tuple(msg), waits)
    output = (
        None
        if payload is None
        else (type(payload).__name__, len(payload), kernels.respond(payload))
    )
    end = time.monotonic_ns()
    return checksum, cpu, output, (socket.gethostname(), tid, start, end, waits)


def import_here(spec):
    """On a Dask worker or an MPI rank, the unit {"import": spec} (see `import_everywhere`):
    imports the user's module and looks its function up as a unit would
    (`kernels.load_function`, which keeps it for the units after it). Returns the seconds it
    took, or {"failed": why}."""
    started = time.perf_counter()
    try:
        kernels.load_function(spec)
    except Exception as exc:
        return {"failed": kernels.failure_message(exc)}
    return time.perf_counter() - started


def import_everywhere(spec, run_on_each):
    """The `import` request: imports the user's module here (`driver_module`) and on every
    worker (`run_on_each(item)`: (the worker in words, its result) of the unit `item` run once
    on each worker, see `import_here`), before any run. Returns this driver's seconds plus the
    slowest worker's (they import side by side). A failure here is the user's code failing
    (every model's); one on a worker only, after this driver imported the module, is this
    model's (`PoolImportFailed`, naming the worker)."""
    started = time.perf_counter()
    module = driver_module(spec.get("file", ""))
    name = spec.get("name", "")
    if not callable(getattr(module, name, None)):
        raise kernels.UserCodeFailed("%s has no function %r" % (spec.get("file"), name))
    own = time.perf_counter() - started
    slowest = 0.0
    for where, result in run_on_each(json.dumps({"import": spec})):
        if isinstance(result, dict):
            raise kernels.PoolImportFailed(where, result["failed"], "the driver")
        slowest = max(slowest, result)
    return own + slowest


def run_result(task, results, clock):
    """Ends the timed region `clock` started, then records the units' `dask_unit` results
    (`results`: (unit, result) pairs) in a corelab_worker Recorder (which sums the checksums
    and CPU time and keeps the timeline), a function task's answers hashed first (after the
    timed region); returns (wall, cpu, checksum, per-task checksums, timeline). The payload
    output is checked here, by `check_output`, so the recorder is given none. The timeline
    comes only when every unit ran on this host: another host's monotonic clock is not this
    one's."""
    wall = clock.stop()
    recorder = kernels.Recorder(task, 0)
    items = kernels.work_items(task)
    hosts = set()
    for unit, (answer, cpu, output, (host, tid, start, end, waits)) in results:
        check_output(task, unit, output)
        if task.get("kind") == "function":
            answer = kernels.answer_hash(items[unit], answer)
        recorder.add((unit, answer, cpu, tid, start, end, waits, None))
        hosts.add(host)
    local = hosts <= {socket.gethostname()}
    return (
        wall,
        recorder.cpu,
        recorder.checksum,
        kernels.task_checksums(task, recorder.per_task),
        recorder.timeline(clock.start_ns, 0, ()) if local else None,
    )


# The user's modules this driver imported (see `items_of`).
_DRIVER_MODULES = {}


def driver_module(path):
    """The user's module at `path`, imported by this driver once, as a real driver program
    imports it: the results the workers send back may be objects of its classes."""
    if path not in _DRIVER_MODULES:
        # Not corelab_worker's own cache: its globals travel to the workers by value.
        _DRIVER_MODULES[path] = kernels.import_user_module(path)
    return _DRIVER_MODULES[path]


def items_of(task):
    """The work items of `task` as JSON texts, one per unit (see `work_items`), and the input
    each carries: `bytes` when the task has a payload (built here once, before the clock
    starts, and sent as they are), else None. A function task's module was imported here at
    start-up (`import_everywhere`)."""
    if task.get("kind") == "function":
        driver_module(task["function"].get("file", ""))
    kib = int(task.get("payload_kib") or 0)
    items = [json.dumps(list(item)) for item in kernels.work_items(task)]
    data = kernels.payload_input(kib) if kib else None
    return items, [data] * len(items)


def check_output(task, unit, output):
    """A unit's payload, as it reports it (see `dask_unit`): the input it received must have
    been `bytes` as large as the task's, and its output `bytes` as large (no payload, no
    output)."""
    expected = int(task.get("payload_kib") or 0) * 1024
    if output is None:
        if expected:
            raise RuntimeError(
                "unit %d returned no payload, expected %d bytes" % (unit, expected)
            )
        return
    kind, received, data = output
    if not expected:
        raise RuntimeError("unit %d returned a payload, expected none" % unit)
    if kind != "bytes" or received != expected:
        raise RuntimeError(
            "unit %d received its input as %s of length %r, expected bytes of length %d"
            % (unit, kind, received, expected)
        )
    if not isinstance(data, bytes) or len(data) != expected:
        raise RuntimeError(
            "unit %d returned %s of length %d as its payload, expected bytes of length %d"
            % (unit, type(data).__name__, len(data), expected)
        )


def all_workers(client):
    """{address: info} of every worker (newer releases list 5 unless asked for all)."""
    try:
        return client.scheduler_info(n_workers=-1)["workers"]
    except TypeError:
        return client.scheduler_info()["workers"]


class DaskRunner:
    def __init__(self, workers, scheduler):
        from dask.distributed import Client, LocalCluster

        try:
            import cloudpickle

            # Ship the kernels by value, so that workers on other machines need no copy of them.
            cloudpickle.register_pickle_by_value(kernels)
        except Exception:
            pass
        self.cluster = None
        # The chosen workers of an existing cluster that its scheduler removed (they died or
        # were stopped), as (address, keys of the tasks they were running); the futures of the
        # run under way, cancelled when that happens (see `watch_workers`).
        self.lost = []
        self.running = []
        if scheduler:
            self.client = Client(scheduler, timeout="30s")
            infos = all_workers(self.client)
            if len(infos) < workers:
                raise RuntimeError(
                    "the Dask cluster at %s has %d workers, fewer than the %d asked for"
                    % (scheduler, len(infos), workers)
                )
            chosen = sorted(infos)[:workers]
            self.watch_workers(chosen)
        else:
            # The scratch space (workers' spill and lock files, the scheduler's) goes in the
            # cell's private scratch directory (this file's, removed with it), not
            # $TMPDIR/dask-scratch-space.
            import dask

            scratch = os.path.join(HERE, "dask-scratch")
            dask.config.set({"temporary-directory": scratch})
            self.cluster = LocalCluster(
                local_directory=scratch,
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
                host="127.0.0.1",
            )
            self.client = Client(self.cluster)
            self.client.wait_for_workers(workers, timeout=60)
            infos = all_workers(self.client)
            chosen = sorted(infos)
        self.workers = chosen
        self.warm_up()
        self.info = {
            "engine": "dask",
            "scheduler": self.client.scheduler.address,
            "dashboard": self.client.dashboard_link or "",
            "embedded": scheduler == "",
            "workers": [
                {
                    "address": addr,
                    "host": infos[addr].get("host", ""),
                    "threads": infos[addr].get("nthreads", 0),
                    "memory_bytes": infos[addr].get("memory_limit", 0),
                }
                for addr in chosen
            ],
        }

    def warm_up(self):
        """One no-op unit on each chosen worker, tied to its address (a map over all of them
        may give two to one worker and none to another): every worker is up, has received and
        run the unit function once, before any run is timed."""
        noop = json.dumps([{"kind": "cpu", "tasks": 1, "cpu": {"size": 1}}, 0])
        futures = [
            self.client.submit(
                dask_unit, noop, workers=[address], pure=False, allow_other_workers=False,
            )
            for address in self.workers
        ]
        self.client.gather(futures)

    def import_module(self, spec):
        """The `import` request: the unit that imports `spec`'s module, once on each chosen
        worker (see `import_everywhere`)."""

        def run_on_each(item):
            futures = [
                self.client.submit(
                    dask_unit, item, workers=[address], pure=False, allow_other_workers=False,
                )
                for address in self.workers
            ]
            results = self.client.gather(futures)
            return [("the Dask worker %s" % a, r) for a, r in zip(self.workers, results)]

        return import_everywhere(spec, run_on_each)

    def run(self, task, clock):
        items, payloads = items_of(task)
        # An embedded cluster's workers are all this cell's: its tasks are not tied to their
        # addresses, so that when a worker dies in a task (and its nanny starts another, at a
        # new address) Dask tries the task on the others and gives up naming it
        # (`lost_task_message`), rather than waiting for a worker that is gone.
        workers = None if self.cluster is not None else self.workers
        if self.lost:
            # Lost between runs: the next run would have fewer workers than the cell's N.
            raise RuntimeError(lost_worker_message(task, [], self.lost, self.client))
        clock.start()
        futures = self.client.map(
            dask_unit, items, payloads, workers=workers, pure=False, allow_other_workers=False,
        )
        self.running = futures
        try:
            if self.lost:
                # Lost before `running` was set, so the handler cancelled nothing.
                raise RuntimeError("a chosen worker was lost")
            gathered = self.client.gather(futures)
        except Exception as exc:
            died = lost_worker_message(task, futures, self.lost, self.client)
            if died is None:
                died = lost_task_message(task, futures, exc)
            if died is None:
                raise
            raise RuntimeError(died) from None
        finally:
            self.running = []
        if self.lost:
            # Every result came back, but a worker went: the run was not on N workers.
            raise RuntimeError(lost_worker_message(task, futures, self.lost, self.client))
        results = list(enumerate(gathered))
        return run_result(task, results, clock)

    def watch_workers(self, chosen):
        """Ends a run promptly when the existing cluster loses one of the `chosen` workers.

        The tasks are restricted to those addresses; a worker that dies (a crash, a kill, its
        memory limit; its nanny may start another, at a new address) leaves its tasks waiting
        for a worker that will never come back (Dask's `no-worker` state), so the run would
        wait until corelab's timeout. The scheduler announces every removal on the worker's
        own event topic (its address; `remove-worker`, with the tasks it was running): this
        driver subscribes to each chosen worker's topic (not to "all", whose `remove-client`
        event for this very client, sent as it disconnects, would make the scheduler log a
        closed-comm error), records a removal and cancels the run's futures, whose gather then
        fails, and the run fails naming the worker (`lost_worker_message`). The handler runs
        in the client's event loop, where `cancel(..., asynchronous=True)` gives a coroutine
        the client awaits.
        """
        if not hasattr(self.client, "subscribe_topic"):
            return

        def watcher(address):
            def on_event(event):
                msg = event[1] if isinstance(event, (tuple, list)) and len(event) > 1 else event
                if not isinstance(msg, dict) or msg.get("action") != "remove-worker":
                    return None
                self.lost.append((address, set(msg.get("processing-tasks") or ())))
                if not self.running:
                    return None
                return self.client.cancel(self.running, asynchronous=True)

            return on_event

        for address in chosen:
            self.client.subscribe_topic(address, watcher(address))

    def close(self):
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def lost_task_message(task, futures, exc):
    """The task a Dask worker was running when it died (`os._exit`, a signal, the memory
    limit), named as the process pool names it: `task 2: a Dask worker died (...) while
    running work(3)`. Dask retries a task whose worker died on other workers and gives up with
    KilledWorker, which holds the task's key: the future of that key is the unit. `None` for
    any other exception."""
    if type(exc).__name__ != "KilledWorker":
        return None
    key = exc.args[0] if exc.args else None
    unit = next((i for i, f in enumerate(futures) if f.key == key), None)
    tries = exc.args[2] + 1 if len(exc.args) > 2 and isinstance(exc.args[2], int) else None
    how = "on each of %d workers it was tried on" % tries if tries else "on every try"
    if unit is None:
        return "a Dask worker died (%s) while running task %r" % (how, key)
    items = kernels.work_items(task)
    if task.get("kind") == "function" and unit < len(items) and len(items[unit]) > 2:
        return "task %d: a Dask worker died (%s) while running %s(%r)" % (
            unit, how, task["function"].get("name"), items[unit][2])
    return "a Dask worker died (%s) while running task %d" % (how, unit)


def lost_worker_message(task, futures, lost, client):
    """Why a run on an existing cluster failed when the scheduler removed one of its chosen
    workers (`lost`: (address, keys it was running) as `DaskRunner.watch_workers` records
    them), naming the worker, the task it was running (as `lost_task_message` names it) and
    what to do; `None` when no worker was lost."""
    if not lost:
        return None
    keys = set().union(*(k for _, k in lost))
    # The scheduler's view of the tasks the workers had: the one each was running, those
    # queued on it, and one it finished just before it died whose report was not sent yet;
    # with several, the message names them all as assigned.
    units = sorted(i for i, f in enumerate(futures) if f.key in keys)
    items = kernels.work_items(task)
    function = task.get("kind") == "function" and all(
        u < len(items) and len(items[u]) > 2 for u in units)
    name = task.get("function", {}).get("name") if function else None
    calls = ["%s(%r)" % (name, items[u][2]) for u in units] if function else []
    prefix = running = ""
    if len(units) == 1:
        if function:
            prefix = "task %d: " % units[0]
            running = " while running %s" % calls[0]
        else:
            running = " while running task %d" % units[0]
    elif units:
        running = " with tasks %s assigned to %s" % (
            ", ".join(str(u) for u in units), "it" if len(lost) == 1 else "them")
        if function:
            running += " (%s)" % ", ".join(calls)
    if len(lost) == 1:
        who = "the Dask worker %s was" % lost[0][0]
        them, each, their = "it", "it", "that worker's log"
    else:
        who = "the Dask workers %s were" % ", ".join(a for a, _ in lost)
        them, each, their = "them", "each", "those workers' logs"
    return (
        "%s%s lost%s: the scheduler %s removed %s (%s died or was stopped: a crash, a kill, "
        "its memory limit). This cell's tasks are restricted to the workers it started with, "
        "so it stops here instead of waiting for its timeout; see %s for why, and run the "
        "sweep again (a restarted worker comes back at a new address, which the next cell "
        "uses)." % (prefix, who, running, client.scheduler.address, them, each, their)
    )


TAG_WORK, TAG_STOP, TAG_WAKE = 1, 2, 3

# How a rank waits for a message (`patient_recv`): it probes, and naps between probes, each
# nap 1/NAP_SHARE of the time it has waited so far, at least NAP_FIRST_S and at most
# NAP_RUN_S (rank 0: a result it waits for may end the run) or NAP_LONGEST_S (a worker rank:
# between runs it waits for seconds). Each rank asks Linux for a timer slack of 1 us
# (`fine_timer_slack`; the default 50 us would lengthen every nap by that much), so a nap
# overruns by the wake-up only, some 10-20 us on an idle machine. A message that arrives
# after a wait of W is noticed within W/NAP_SHARE (0.4% of W) or the longest nap, whichever
# is less, plus that overrun. Rank 0's waits cost it a probe every 1 ms or more often early in
# a wait: about 1-5% of a core, where a blocking receive took a whole core. Before a run's
# clock starts rank 0 wakes every rank (TAG_WAKE, answered), so none is in a long nap when its
# first unit comes. What this adds to a timed run, at most: its first units noticed within
# ~0.05 ms; each of its last units (handed out one at a time, once a rank is free) 0.4% of the
# wait for the result before it, twice (rank 0 notices the result, the rank the unit); its
# last result 0.4% of the time rank 0 waited for it, and never more than ~1 ms. While units
# remain, each rank holds a second one, so rank 0's naps do not hold a rank up.
NAP_FIRST_S = 20e-6
NAP_SHARE = 256
NAP_RUN_S = 0.001
NAP_LONGEST_S = 0.01

# Which unit each rank is computing, for corelab to name the task of a rank killed by a signal
# (which takes the whole job down, rank 0 with it, before anyone can say it): one native int64
# per rank, the unit + 1 or 0 when idle, in a file of this directory mapped into rank 0's
# memory (writing it is a store, and it outlives rank 0); and the units in words
# (`task 2: killed(3)`), written before a run's clock starts. Read by corelab's
# `engine::model::mpi_notice::running_task`.
RANKS_FILE = "mpi-running.bin"
UNITS_FILE = "mpi-units.json"
# A unit's argument is shown up to this many characters.
MAX_ARG_CHARS = 80


def patient_recv(comm, status, source, tag, longest=NAP_LONGEST_S):
    """comm.recv(source=source, tag=tag, status=status) without spinning: MPI_Iprobe, then a
    nap (time.sleep, see NAP_SHARE) of at most `longest` seconds, until a message matches;
    then the receive, which finds it there. The probe and the receive match the same
    message: MPI keeps the order of the messages of one sender with one tag."""
    started = time.monotonic()
    while not comm.Iprobe(source=source, tag=tag, status=status):
        waited = time.monotonic() - started
        time.sleep(min(max(waited / NAP_SHARE, NAP_FIRST_S), longest))
    return comm.recv(source=status.Get_source(), tag=status.Get_tag(), status=status)


def fine_timer_slack():
    """Asks Linux to end this thread's sleeps within 1 us of their time (PR_SET_TIMERSLACK)
    instead of the default 50 us, so that a rank's naps (`patient_recv`) overrun by the
    wake-up only. Elsewhere, or refused, nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(29, 1000, 0, 0, 0)  # PR_SET_TIMERSLACK, ns
    except Exception:
        pass


def unit_words(task):
    """Each unit of `task` in words, as the other models name a task: `task 2: f(3)` for a
    function task's, `task 2` for the others'."""
    items = kernels.work_items(task)
    if task.get("kind") != "function":
        return ["task %d" % unit for unit in range(len(items))]
    name = task.get("function", {}).get("name")
    words = []
    for unit, item in enumerate(items):
        arg = repr(item[2]) if len(item) > 2 else ""
        if len(arg) > MAX_ARG_CHARS:
            arg = arg[:MAX_ARG_CHARS] + "…"
        words.append("task %d: %s(%s)" % (unit, name, arg))
    return words


class MpiRunner:
    """Rank 0: hands out units to ranks 1..size-1."""

    def __init__(self, comm, workers):
        from mpi4py import MPI

        self.MPI = MPI
        self.comm = comm
        size = comm.Get_size()
        if size - 1 != workers:
            raise RuntimeError(
                "mpiexec started %d ranks: %d workers need %d (one more for the dispatcher)"
                % (size, workers, workers + 1)
            )
        import mmap

        with open(os.path.join(HERE, RANKS_FILE), "wb+") as f:
            f.truncate(8 * size)
            self.table_map = mmap.mmap(f.fileno(), 8 * size)
        self.table = memoryview(self.table_map).cast("q")
        self.described = None  # the task whose units UNITS_FILE names
        # Units sent (comm.isend) and not yet known to be delivered: kept, so that no send
        # request is freed with its pickled message while MPI may still read it.
        self.sends = []
        self.status = MPI.Status()
        # Every rank answers once before timing starts, with its host and whether it writes
        # its own slot of the table (a rank on this host does: see `mpi_worker`).
        here = socket.gethostname()
        for rank in range(1, size):
            comm.send({"host": here, "table": RANKS_FILE}, dest=rank, tag=TAG_WORK)
        hosts = {}
        # The ranks whose slot rank 0 keeps: those that do not (on other hosts).
        self.remote = set()
        for _ in range(1, size):
            host, writes_slot = patient_recv(comm, self.status, MPI.ANY_SOURCE, TAG_WORK)
            hosts[self.status.Get_source()] = host
            if not writes_slot:
                self.remote.add(self.status.Get_source())
        vendor = MPI.get_vendor()
        self.info = {
            "engine": "mpi",
            "scheduler": "%s %s" % (vendor[0], ".".join(str(v) for v in vendor[1])),
            "dashboard": "",
            "embedded": False,
            "workers": [
                {"address": "rank %d" % r, "host": hosts[r], "threads": 1, "memory_bytes": 0}
                for r in sorted(hosts)
            ],
        }

    def import_module(self, spec):
        """The `import` request: the unit that imports `spec`'s module, once on each rank
        (see `import_everywhere`)."""

        def run_on_each(item):
            ranks = range(1, self.comm.Get_size())
            for rank in ranks:
                self.comm.send(item, dest=rank, tag=TAG_WORK)
            return [("MPI rank %d" % rank,
                     patient_recv(self.comm, self.status, rank, TAG_WORK))
                    for rank in ranks]

        return import_everywhere(spec, run_on_each)

    def describe_units(self, task):
        """Writes UNITS_FILE for `task` (once for the runs of the same task), untimed."""
        if self.described == task:
            return
        path = os.path.join(HERE, UNITS_FILE)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(unit_words(task), f)
        os.replace(path + ".tmp", path)
        self.described = task

    def wake(self, ranks):
        """Before a run's clock starts (untimed): every rank answers TAG_WAKE, so that none is
        in a long nap (up to NAP_LONGEST_S) when its first unit comes."""
        for rank in ranks:
            self.comm.send(None, dest=rank, tag=TAG_WAKE)
        for rank in ranks:
            patient_recv(self.comm, self.status, rank, TAG_WAKE, NAP_RUN_S)

    def run(self, task, clock):
        comm, MPI = self.comm, self.MPI
        items, payloads = items_of(task)
        self.describe_units(task)
        table, remote, sends = self.table, self.remote, self.sends
        n = len(items)
        ranks = list(range(1, comm.Get_size()))
        queued = {rank: [] for rank in ranks}  # the units sent to each rank, oldest first
        # A unit carrying a payload goes only to a rank waiting for it, by a blocking send:
        # queued behind another unit, its data would move only as fast as rank 0's probes
        # between naps drive the transfer (Open MPI sends a large message in fragments).
        queue_two = not int(task.get("payload_kib") or 0)
        # A unit with a payload travels as (its JSON text, its input bytes): mpi4py pickles
        # bytes as they are.
        messages = [
            item if data is None else (item, data) for item, data in zip(items, payloads)
        ]
        self.wake(ranks)
        clock.start()
        next_unit = 0

        def hand_out(rank):
            nonlocal next_unit
            queued[rank].append(next_unit)
            if rank in remote and len(queued[rank]) == 1:
                table[rank] = next_unit + 1
            if queue_two:
                sends.append(comm.isend(messages[next_unit], dest=rank, tag=TAG_WORK))
            else:
                comm.send(messages[next_unit], dest=rank, tag=TAG_WORK)
            next_unit += 1

        def room(rank):
            """Whether `rank` takes another unit now: one when it has none; a second, to
            wait in its queue, only while at least one unassigned unit per rank remains
            (so the last units go to whichever rank is idle first), and never one with a
            payload."""
            if next_unit == n:
                return False
            if not queued[rank]:
                return True
            return queue_two and len(queued[rank]) == 1 and n - next_unit >= len(ranks)

        for _ in range(2):
            for rank in ranks:
                if room(rank):
                    hand_out(rank)
        results = []
        status = self.status
        while len(results) < n:
            result = patient_recv(comm, status, MPI.ANY_SOURCE, TAG_WORK, NAP_RUN_S)
            source = status.Get_source()
            unit = queued[source].pop(0)
            if source in remote:
                table[source] = queued[source][0] + 1 if queued[source] else 0
            if isinstance(result, dict) and "failed" in result:
                # The rank's unit raised (the rank goes on): its message, as py-dask gives it.
                raise RuntimeError(result["failed"])
            results.append((unit, result))
            while room(source):
                hand_out(source)
        wall_results = run_result(task, results, clock)
        # Every unit's result is back, so every unit was delivered: these complete at once.
        MPI.Request.waitall(sends)
        sends.clear()
        return wall_results

    def close(self):
        for rank in range(1, self.comm.Get_size()):
            self.comm.send(None, dest=rank, tag=TAG_STOP)


def exit_message(item_json, rank, code):
    """`task 2: an MPI rank (rank 1) called os._exit(7) while running work(3)`."""
    msg = json.loads(item_json)
    if isinstance(msg, dict) and "import" in msg:
        return "an MPI rank (rank %d) called os._exit(%r) while importing %s" % (
            rank, code, msg["import"].get("file"))
    unit = msg[1] if len(msg) > 1 else "?"
    spec = msg[0] if msg else {}
    what = "an MPI rank (rank %d) called os._exit(%r)" % (rank, code)
    if spec.get("kind") == "function" and len(msg) > 2:
        return "task %s: %s while running %s(%r)" % (
            unit, what, spec.get("function", {}).get("name"), msg[2])
    return "%s while running task %s" % (what, unit)


def unit_of(msg):
    """The unit number of a parsed work item (see `dask_unit`); -1 for an import."""
    if isinstance(msg, dict) and "import" in msg:
        return -1
    return int(msg[1])


def rank_slot(name, rank):
    """This rank's int64 slot of rank 0's table RANKS_FILE (in this directory, mapped
    shared), or None when it cannot be opened."""
    import mmap

    try:
        with open(os.path.join(HERE, name), "r+b") as f:
            mapped = mmap.mmap(f.fileno(), 0)
    except (OSError, ValueError):
        return None
    table = memoryview(mapped).cast("q")
    if rank >= len(table):
        return None
    return table[rank:rank + 1]


def mpi_worker(comm):
    """Ranks 1..N: answer the start ping with the host name, then run units until told to stop."""
    import socket

    from mpi4py import MPI

    status = MPI.Status()
    running = [None]  # the work item (JSON text) this rank is computing
    real_exit = os._exit

    def reporting_exit(code):
        """`os._exit` in the user's function: under mpiexec a rank that exits ends the whole
        job, rank 0 with it, before anyone could say which task did it. So the rank first
        tells rank 0 the task (which fails the run naming it, as the process pool does), waits
        until rank 0 stops it, then exits as asked."""
        item = running[0]
        if item is None:
            real_exit(code)
        comm.send({"failed": exit_message(item, comm.Get_rank(), code)}, dest=0, tag=TAG_WORK)
        while True:
            patient_recv(comm, status, 0, MPI.ANY_TAG)
            if status.Get_tag() == TAG_STOP:
                real_exit(code)

    os._exit = reporting_exit
    rank = comm.Get_rank()
    slot = None  # this rank's slot of rank 0's table, when on rank 0's host (see below)
    while True:
        msg = patient_recv(comm, status, 0, MPI.ANY_TAG)
        if status.Get_tag() == TAG_STOP:
            return
        if status.Get_tag() == TAG_WAKE:
            comm.send(None, dest=0, tag=TAG_WAKE)
            continue
        if isinstance(msg, dict) and "host" in msg:
            # The start ping. On rank 0's host, this rank writes which unit it computes into
            # rank 0's table itself, exactly when it starts and ends it (rank 0 learns only
            # when the result comes back, and a second unit may wait in this rank's queue).
            if msg["host"] == socket.gethostname():
                slot = rank_slot(msg["table"], rank)
            comm.send((socket.gethostname(), slot is not None), dest=0, tag=TAG_WORK)
            continue
        # A unit with a payload comes as (its JSON text, its input bytes) (see `MpiRunner.run`).
        text, payload = msg if isinstance(msg, tuple) else (msg, None)
        running[0] = text
        item = json.loads(text)
        if slot is not None:
            slot[0] = unit_of(item) + 1
        try:
            result = dask_unit(item, payload)
        except BaseException as exc:  # the user's traceback goes to rank 0, not a timeout
            result = {"failed": kernels.failure_message(exc)}
        if slot is not None:
            slot[0] = 0
        running[0] = None
        try:
            comm.send(result, dest=0, tag=TAG_WORK)
        except Exception as exc:  # a result that cannot be pickled
            comm.send(
                {"failed": "a unit's result could not be sent to rank 0: %s: %s"
                 % (type(exc).__name__, exc)},
                dest=0, tag=TAG_WORK,
            )


def serve(make_runner):
    """corelab_worker.serve with this driver's runner: its `started` names the cluster."""
    return kernels.serve(
        make_runner,
        lambda runner, req, clock: kernels.done_message(*runner.run(req["task"], clock)),
        started=lambda runner: {"cluster": runner.info},
    )


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else ""
    if engine == "mpi":
        from mpi4py import MPI

        fine_timer_slack()
        if MPI.COMM_WORLD.Get_rank() != 0:
            # Ranks 1..N speak to rank 0 only: their fd 1 (forwarded by mpiexec to corelab's
            # protocol stream) goes to stderr, with whatever the user's function prints.
            sys.stdout.flush()
            os.dup2(2, 1)
            mpi_worker(MPI.COMM_WORLD)
            return
    kernels.take_protocol_stdout()
    if engine == "dask":
        serve(lambda req: DaskRunner(int(req["workers"]), req.get("scheduler", "") or ""))
    elif engine == "mpi":
        from mpi4py import MPI

        comm = MPI.COMM_WORLD
        runner = serve(lambda req: MpiRunner(comm, int(req["workers"])))
        if runner is None:
            for rank in range(1, comm.Get_size()):
                comm.send(None, dest=rank, tag=TAG_STOP)
    else:
        reply({"op": "failed", "message": "usage: corelab_cluster.py dask|mpi"})


if __name__ == "__main__":
    main()
