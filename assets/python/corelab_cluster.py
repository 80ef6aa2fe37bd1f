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
to ranks 1..N one at a time over comm.send/recv (a unit goes to whichever rank finishes first).
A unit that raises (SystemExit included) sends its traceback to rank 0, which fails the run
with it, as py-dask does. Rank 0 keeps which unit each rank is computing in a file corelab
reads when a rank killed by a signal has ended the job (RANKS_FILE, UNITS_FILE).

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


def dask_unit(item_json):
    """One unit on a Dask worker or an MPI rank: the work item (task, unit[, the argument of a
    function task]) travels as JSON text (Dask leaves strings alone). A unit that carries
    `task.payload_kib` comes as {"item": [...], "payload": its input as hex} and returns its
    output as hex, as large: the data travels both ways. Returns (checksum, cpu seconds,
    output hex or None, stamps): stamps are (host name, native thread id, start_ns, end_ns,
    waits) on this host's time.monotonic_ns(), taken outside the unit's work. The checksum
    of a function task is the function's result itself, sent back whole (as client.gather
    and comm.recv would bring a real program's results back); the driver hashes it after the
    timed region."""
    msg = json.loads(item_json)
    if isinstance(msg, dict) and "import" in msg:
        return import_here(msg["import"])
    waits = []
    start = time.monotonic_ns()
    if isinstance(msg, dict):
        data = bytes.fromhex(msg["payload"])
        checksum, cpu, tid = kernels.run_unit(tuple(msg["item"]), waits)
        output = kernels.respond(data).hex()
    else:
        checksum, cpu, tid = kernels.run_unit(tuple(msg), waits)
        output = None
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
    """The work items of `task` as JSON texts, one per unit (see `work_items`), each with the
    input it carries when the task has a payload (built here, before the clock starts). A
    function task's module was imported here at start-up (`import_everywhere`)."""
    if task.get("kind") == "function":
        driver_module(task["function"].get("file", ""))
    kib = int(task.get("payload_kib") or 0)
    items = kernels.work_items(task)
    if kib == 0:
        return [json.dumps(list(item)) for item in items]
    data = kernels.payload_input(kib).hex()
    return [json.dumps({"item": list(item), "payload": data}) for item in items]


def check_output(task, unit, output):
    """A unit's output must be as large as the input it carried (none without a payload)."""
    expected = int(task.get("payload_kib") or 0) * 1024
    got = 0 if output is None else len(output) // 2
    if got != expected:
        raise RuntimeError(
            "unit %d returned %d payload bytes, expected %d" % (unit, got, expected)
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
        items = items_of(task)
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
            dask_unit, items, workers=workers, pure=False, allow_other_workers=False,
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


TAG_WORK, TAG_STOP = 1, 2

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
        # Every rank answers once before timing starts.
        for rank in range(1, size):
            comm.send(None, dest=rank, tag=TAG_WORK)
        hosts = {}
        for _ in range(1, size):
            status = MPI.Status()
            host = comm.recv(source=MPI.ANY_SOURCE, tag=TAG_WORK, status=status)
            hosts[status.Get_source()] = host
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
            return [("MPI rank %d" % rank, self.comm.recv(source=rank, tag=TAG_WORK))
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

    def run(self, task, clock):
        comm, MPI = self.comm, self.MPI
        items = items_of(task)
        self.describe_units(task)
        table = self.table
        n = len(items)
        ranks = list(range(1, comm.Get_size()))
        clock.start()
        next_unit, outstanding = 0, 0
        working = {}  # rank -> the unit it is computing (one at a time)
        for rank in ranks:
            if next_unit == n:
                break
            table[rank] = next_unit + 1
            comm.send(items[next_unit], dest=rank, tag=TAG_WORK)
            working[rank] = next_unit
            next_unit += 1
            outstanding += 1
        results = []
        status = MPI.Status()
        while outstanding:
            result = comm.recv(source=MPI.ANY_SOURCE, tag=TAG_WORK, status=status)
            outstanding -= 1
            source = status.Get_source()
            unit = working.pop(source)
            table[source] = 0
            if isinstance(result, dict) and "failed" in result:
                # The rank's unit raised (the rank goes on): its message, as py-dask gives it.
                raise RuntimeError(result["failed"])
            results.append((unit, result))
            if next_unit < n:
                table[source] = next_unit + 1
                comm.send(items[next_unit], dest=source, tag=TAG_WORK)
                working[source] = next_unit
                next_unit += 1
                outstanding += 1
        return run_result(task, results, clock)

    def close(self):
        for rank in range(1, self.comm.Get_size()):
            self.comm.send(None, dest=rank, tag=TAG_STOP)


def exit_message(item_json, rank, code):
    """`task 2: an MPI rank (rank 1) called os._exit(7) while running work(3)`."""
    msg = json.loads(item_json)
    if isinstance(msg, dict) and "import" in msg:
        return "an MPI rank (rank %d) called os._exit(%r) while importing %s" % (
            rank, code, msg["import"].get("file"))
    item = msg["item"] if isinstance(msg, dict) else msg
    unit = item[1] if len(item) > 1 else "?"
    spec = item[0] if item else {}
    what = "an MPI rank (rank %d) called os._exit(%r)" % (rank, code)
    if spec.get("kind") == "function" and len(item) > 2:
        return "task %s: %s while running %s(%r)" % (
            unit, what, spec.get("function", {}).get("name"), item[2])
    return "%s while running task %s" % (what, unit)


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
            comm.recv(source=0, tag=MPI.ANY_TAG, status=status)
            if status.Get_tag() == TAG_STOP:
                real_exit(code)

    os._exit = reporting_exit
    while True:
        msg = comm.recv(source=0, tag=MPI.ANY_TAG, status=status)
        if status.Get_tag() == TAG_STOP:
            return
        if msg is None:
            comm.send(socket.gethostname(), dest=0, tag=TAG_WORK)
            continue
        running[0] = msg
        try:
            result = dask_unit(msg)
        except BaseException as exc:  # the user's traceback goes to rank 0, not a timeout
            result = {"failed": kernels.failure_message(exc)}
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
    runner = None
    for line in kernels.protocol_lines(sys.stdin):
        clock = kernels.RunClock()
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "start":
                started = time.perf_counter()
                runner = make_runner(req)
                reply({
                    "op": "started",
                    "startup_s": time.perf_counter() - started,
                    "cluster": runner.info,
                })
            elif op == "import":
                if runner is None:
                    raise RuntimeError("import before start")
                reply({"op": "imported", "import_s": runner.import_module(req["function"])})
            elif op == "run":
                if runner is None:
                    raise RuntimeError("run before start")
                reply(kernels.done_message(*runner.run(req["task"], clock)), clock)
            else:
                raise ValueError("unknown op %r" % op)
        except Exception as exc:  # reported to corelab, which marks the cell failed
            failed = {"op": "failed", "message": kernels.failure_message(exc)}
            if kernels.is_user_fault(exc):
                # The user's code (see corelab_worker.py's main).
                failed["user"] = True
            if isinstance(exc, kernels.PoolImportFailed):
                # ... of this model's cells only: the driver imported it.
                failed["pool"] = exc.where
            reply(failed)
    if runner is not None:
        runner.close()
    return runner


def main():
    engine = sys.argv[1] if len(sys.argv) > 1 else ""
    if engine == "mpi":
        from mpi4py import MPI

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
