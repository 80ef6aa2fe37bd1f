#!/usr/bin/env python3
"""corelab's CPython worker: runs corelab task kinds with real threading or multiprocessing.

Standard library only. corelab starts one of these per cell and speaks JSON lines with it:

  -> {"op": "info"}
  <- {"op": "info", "version": "3.11.7", "gil_enabled": true, "implementation": "cpython"}
  -> {"op": "start", "model": "threading"|"multiprocessing"|"free-threading"|"asyncio",
      "workers": N, "start_method": "spawn"|"fork"|"forkserver"}
  <- {"op": "started", "startup_s": 0.05}
  -> {"op": "import", "function": {"file": ..., "name": ...}}   (function tasks, after start)
  <- {"op": "imported", "import_s": 2.0}
  -> {"op": "run", "task": {...corelab task spec...}}
  <- {"op": "running", "calls": ["task 3: f(3)", ...]}   (function tasks only, at most once,
     when the request's "report_after_s" passes before the run ends: the user's calls running
     then, so that corelab's timeout can name a call that hangs)
  <- {"op": "done", "wall_s": 0.4, "cpu_s": 0.8, "checksum": 123, "untimed_cpu_s": 0.002,
      "untimed_minor_faults": 12,
      "lost_updates": 3, "shared_state": "...",   (contention only: see `contention_unit`)
      "scheduling": {...},   (threads only: per-thread CPU time, units and context switches)
      "timeline": {"start_ns": T0, "lanes": [ident, ...],
                   "units": [[lane, unit, start_ns, end_ns, [[wait_start, wait_end], ...]], ...]}}
     or {"op": "failed", "message": "...", "user": true}   ("user": the user's code failed:
        its import, a missing function, the function raising; absent otherwise; with
        "pool": "the pool process 4242" when the module imported here but not in that pool
        process: a fault of this model's cells only)

timeline (threading, multiprocessing, asyncio; up to MAX_TIMELINE_UNITS units): who ran each
unit when, on time.monotonic_ns() (CLOCK_MONOTONIC, the clock corelab stamps its own runs
with). T0 is the run's start; each unit is stamped once when it starts and once when it ends,
and around each of its waits (sleeps), never inside a compute loop. lanes are the workers in the
order they first started a unit: native thread ids (threading), pool process ids
(multiprocessing), in-flight slot numbers (asyncio); lane is an index into them.

task.payload_kib: each unit carries that much input data and returns that much (the same
pattern as corelab's Rust models: input byte i is (i*31 ^ i>>8) & 0xff, output byte = input
byte + 1). Threads and asyncio share one input object and hand the output back by reference;
a multiprocessing pool pickles both through its pipes.

wall_s is the run's timed region, measured here. It is what a real program's
`pool.map(f, items)` costs, and nothing else: it starts when every unit's work item (and its
payload) is built and the user's module is imported, and ends when the pool has handed every
unit's result back to this process, as `ThreadPoolExecutor.map` (threads: by reference) and
`multiprocessing.Pool.map` (processes: pickled through the pool's pipes, unpickled here) hand
them back; asyncio, when every unit's coroutine has finished. The units are handed out as those
calls hand them out too (`Runner.results`): one future per unit for threads, `Pool.map`'s
chunks of ceil(units / (4 x processes)) units for processes. A function task's result is
returned whole, not hashed where it ran: its checksum is computed here, after the timed region
(`checksummed`), so neither the hashing nor any repr() counts as the run's time.
cpu_s is only what the tasks measured on
their own threads (time.thread_time); corelab records it as the tasks' CPU and measures the
run's CPU time itself, from outside, around the whole request: this interpreter and every
process below it (the multiprocessing pool), all threads, so the pool's pickling and pipes
count. untimed_cpu_s is what this interpreter (time.process_time: all its threads) spent on
the request outside the timed region: from reading the request line to the timed start, and
from the timed end until the rest of the reply is serialised (parsing the task, building its
items and payload, the recorder, the timeline, the scheduling report, the JSON of the reply);
it is the reply's second last field, and corelab subtracts it. untimed_minor_faults, the last,
is the same for this interpreter's minor page faults (getrusage RUSAGE_SELF's ru_minflt):
corelab reads the faults of the process tree around the whole request, and subtracts these.
startup_s is informative; corelab times start-up itself, interpreter launch included.

Kernels compute exactly the checksums of corelab's Rust kernels, so results cross-check.

A "function" task calls the user's function once per task: task.function = {"file": an
absolute path, "name": ..., "args": [...] or "range": N}. The module is imported by path by the
`import` request, which corelab sends right after `start` and times as part of the cell's
start-up (reported apart): in this interpreter and in every pool process, so that no timed run
ever includes an import. Its folder comes first on sys.path (as `python work.py` has it). A
task's checksum is the SHA-256 (first 8 bytes) of a canonical encoding of its result
(`result_hash`: sets and dicts in a fixed order whatever the interpreter's hash seed, a plain
object by its class and attributes; an object whose repr holds its address, or a generator, is
refused naming the task), the run's their wrapping sum. A coroutine a function returns (an
`async def` function under threads or processes) is run with asyncio.run, inside the unit;
py-asyncio awaits it on its loop. An exception, SystemExit or KeyboardInterrupt fails the run
with the task named and its traceback; a pool process that dies (os._exit) fails it at once,
naming the task it was running; os._exit in this interpreter itself (threads, asyncio) says on
stderr which task called it before exiting (corelab shows the end of stderr).

Requests are read as UTF-8 and replies written as ASCII JSON whatever the locale (LC_ALL=C,
tr_TR.ISO-8859-9): a path corelab sends is turned into this interpreter's own file name by
`local_path`. Nothing here depends on the locale's case rules (Turkish dotless i) or decimal
point: json and repr() never do.

The protocol runs on a private duplicate of the original stdout (`take_protocol_stdout`): file
descriptor 1 and sys.stdout point at stderr, so whatever the user's function prints cannot
corrupt it.
"""

import hashlib
import inspect
import json
import multiprocessing
import multiprocessing.pool
import os
import re
import resource
import sys
import threading
import time
import traceback
import types
from concurrent.futures import ThreadPoolExecutor

MASK = (1 << 64) - 1


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def split_range(total, parts, index):
    base, extra = divmod(total, parts)
    start = index * base + min(index, extra)
    return start, start + base + (1 if index < extra else 0)


def is_prime(n):
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


_MODULES = {}


def _modules_lock():
    """The lock of `_MODULES`, made on first use. Not a module-level Lock: the Dask driver ships
    this module's functions by value (cloudpickle), and a Lock referenced by name from them
    cannot be pickled; a name looked up in globals() at run time is not shipped."""
    lock = globals().get("_MODULES_LOCK_OBJECT")
    if lock is None:
        lock = globals().setdefault("_MODULES_LOCK_OBJECT", threading.Lock())
    return lock


def load_function(spec):
    """The user's function `spec["name"]` of the module at the absolute path `spec["file"]`,
    imported by path once per process (never by module name, so nothing on sys.path can
    stand in for it). The module's own folder is put first on sys.path before it is imported,
    as `python work.py` does, so that it can import its sibling modules (`from helper import
    g`). Only a run the user started gets here: opening a preset imports nothing."""
    path, name = spec.get("file", ""), spec.get("name", "")
    if not os.path.isabs(path):
        raise ValueError("task.function.file %r is not an absolute path" % path)
    with _modules_lock():
        # Or in sys.modules: on a Dask worker each task brings its own copy of this module (it
        # travels by value), whose _MODULES is empty, but the process's import stays.
        module = _MODULES.get(path) or sys.modules.get(user_module_name(path))
        if module is None:
            module = import_user_module(path)
            _MODULES[path] = module
    fn = getattr(module, name, None)
    if not callable(fn):
        raise UserCodeFailed("%s has no function %r" % (path, name))
    return fn


def local_path(path):
    """The path corelab names (UTF-8 text, as corelab holds every path) as this interpreter
    names the same file: under a locale whose encoding is not UTF-8 (LC_ALL=tr_TR.ISO-8859-9),
    Python encodes file names in that encoding, so `/tmp/İş/w.py` would name other bytes than
    the file's. The UTF-8 bytes decoded as the file system encoding (`os.fsdecode`) name the
    file itself whatever the locale."""
    return os.fsdecode(path.encode("utf-8", "surrogateescape"))


def protocol_lines(stream):
    """corelab's requests, one JSON object a line, decoded as UTF-8 (what corelab writes)
    whatever the locale's encoding: read as bytes from `stream`'s buffer, never as the
    locale's text."""
    for line in stream.buffer:
        yield line.decode("utf-8")


# Where compiled bytecode is looked for: the cell's private scratch folder, which corelab
# names with `-X pycache_prefix=` when it starts this interpreter (MPI ranks alike). A process
# of its pool (multiprocessing's spawn does not pass the option on; a Dask worker gets this
# value with the functions, by value) sets it before importing the user's module, so that no
# process reads a `__pycache__` beside the module. A folder that does not exist there is
# fine: nothing is written (`sys.dont_write_bytecode`), and nothing is found to read.
PYCACHE_PREFIX = sys.pycache_prefix or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "pycache")


def import_user_module(path):
    """Imports the user's module at the absolute `path` under a name of its own (uncached:
    see `load_function`), its folder first on sys.path."""
    import importlib.util

    module_name = user_module_name(path)
    path = local_path(path)
    found = importlib.util.spec_from_file_location(module_name, path)
    if found is None or found.loader is None:
        raise ImportError("cannot import %r" % path)
    module = importlib.util.module_from_spec(found)
    # No __pycache__ written next to the user's module, and none read from there either: a
    # planted .pyc with the source's size and time would run code that is not in the source.
    sys.dont_write_bytecode = True
    if sys.pycache_prefix is None:
        sys.pycache_prefix = PYCACHE_PREFIX
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[module_name] = module
    try:
        found.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        # The traceback names the file (its frames, a SyntaxError's location); corelab's
        # message says that it was being imported.
        raise UserCodeFailed(user_traceback())
    return module


def user_module_name(path):
    """The name the user's module at `path` is imported under (in sys.modules)."""
    return "corelab_user_%s" % hashlib.sha256(path.encode()).hexdigest()[:16]


class UserCodeFailed(RuntimeError):
    """The user's own code failed (its module's import, a missing function): corelab's
    reply says so (`"user": true`), so that it stops the sweep instead of failing every
    cell with the same fault."""


class PoolImportFailed(UserCodeFailed):
    """The user's module imported in the interpreter that talks to corelab but not in one of
    the processes of its pool (a pool process, a Dask worker, an MPI rank): a module that
    needs the parent's working directory or environment, or that raises unless it is
    `__main__`. corelab's reply names that process (`"pool": where`), and corelab stops this
    model's cells only: the other models may import it."""

    def __init__(self, where, why, here="the interpreter corelab started"):
        RuntimeError.__init__(
            self, "%s imported it, but %s could not:%s%s" % (
                here, where, "\n" if why.startswith("Traceback") else " ", why))
        self.where = where


# Frames of corelab's own machinery, dropped from the user's tracebacks (`user_traceback`).
_MACHINERY = ("corelab_worker.py", "corelab_cluster.py")
# Where a Dask worker runs corelab_worker.py's functions from: they travel by value.
_DYNAMIC_CODE = "<dynamic-code>"


def _machinery_frame(filename):
    return (
        os.path.basename(filename) in _MACHINERY
        or filename == _DYNAMIC_CODE
        or filename.startswith("<frozen importlib")
    )


def user_traceback():
    """The exception being handled as Python prints it, less corelab's own frames (this
    script's and importlib's): the user's frames and the exception itself (a SyntaxError
    with its file, line and caret)."""
    kind, exc, tb = sys.exc_info()
    frames = [f for f in traceback.extract_tb(tb) if not _machinery_frame(f.filename)]
    lines = []
    if frames:
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(frames))
    lines.extend(traceback.format_exception_only(kind, exc))
    return "".join(lines).rstrip()


class UnstableAnswer(Exception):
    """A result corelab cannot compare between models (see `canonical`)."""


# Scalars whose repr() is the same in every interpreter and every run.
_FLAT = (type(None), bool, int, float, str)
# A repr that shows where the object lives: it differs between runs and interpreters.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _encoded(value, active):
    out = []
    _encode(value, out, active)
    return b"".join(out)


def _shown(cls):
    return "<%s>" % getattr(cls, "__qualname__", cls.__name__)


def _encode(value, out, active):
    """Appends the canonical encoding of `value` to `out` (a list of bytes): equal plain data
    encodes the same in every interpreter and run, whatever its hash seed (sets and dicts are
    encoded in the order of their elements' encodings, not of their hashes)."""
    t = type(value)
    if value is None:
        out.append(b"N")
    elif t is bool:
        out.append(b"T" if value else b"F")
    elif t is int:
        out.append(b"i%x;" % value)
    elif t is float or t is complex:
        out.append(b"f" + repr(value).encode("ascii") + b";")
    elif t is str:
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s%d:" % len(data))
        out.append(data)
    elif t is bytes or t is bytearray:
        out.append(b"b%d:" % len(value))
        out.append(bytes(value))
    elif t is list or t is tuple or t is dict or t is set or t is frozenset:
        if id(value) in active:
            raise UnstableAnswer("a %s that contains itself" % t.__name__)
        active.add(id(value))
        try:
            _encode_container(value, t, out, active)
        finally:
            active.discard(id(value))
    elif t is range:
        out.append(b"r" + repr(value).encode("ascii") + b";")
    elif isinstance(value, (types.GeneratorType, types.AsyncGeneratorType)):
        raise UnstableAnswer("a generator, which corelab does not consume")
    elif inspect.iscoroutine(value):
        raise UnstableAnswer("a coroutine that was never awaited")
    else:
        _encode_object(value, t, out, active)


def _encode_container(value, t, out, active):
    tag = {list: b"l", tuple: b"t", dict: b"d", set: b"S", frozenset: b"S"}[t]
    if t is list or t is tuple:
        if all(type(x) in _FLAT for x in value):
            # Fast path: a flat list's repr is canonical already.
            try:
                text = repr(value).encode("utf-8", "surrogatepass")
            except ValueError:  # an int beyond sys.get_int_max_str_digits
                text = None
            if text is not None:
                out.append(tag + b"r%d:" % len(text))
                out.append(text)
                return
        out.append(tag + b"%d:" % len(value))
        for x in value:
            _encode(x, out, active)
    elif t is dict:
        entries = sorted(
            (_encoded(k, active), _encoded(v, active)) for k, v in value.items()
        )
        out.append(tag + b"%d:" % len(entries))
        for k, v in entries:
            out.append(k)
            out.append(v)
    else:
        elements = sorted(_encoded(x, active) for x in value)
        out.append(tag + b"%d:" % len(elements))
        out.extend(elements)


def _encode_object(value, t, out, active):
    """Any other object: its class name and, for a plain object (object's own repr, which
    holds its address), its attributes (`__dict__`, `__slots__`) encoded canonically; for an
    object with its own repr, that repr, unless it holds an address."""
    name = ("%s.%s" % (t.__module__, t.__qualname__)).encode("utf-8", "surrogatepass")
    if t.__repr__ is object.__repr__:
        attrs = {}
        state = getattr(value, "__dict__", None)
        if isinstance(state, dict):
            attrs.update(state)
        slotted = False
        for klass in t.__mro__:
            slots = klass.__dict__.get("__slots__", ())
            if isinstance(slots, str):
                slots = (slots,)
            for slot in slots:
                if slot in ("__dict__", "__weakref__"):
                    continue
                slotted = True
                if hasattr(value, slot):
                    attrs[slot] = getattr(value, slot)
        if not isinstance(state, dict) and not slotted:
            raise UnstableAnswer(
                "a %s object whose repr holds its address" % _shown(t)
            )
        out.append(b"o%d:" % len(name) + name)
        _encode(attrs, out, active)
        return
    text = repr(value)
    if _ADDRESS.search(text):
        raise UnstableAnswer("a %s object whose repr holds its address" % _shown(t))
    data = text.encode("utf-8", "surrogatepass")
    out.append(b"R%d:" % len(name) + name + b"%d:" % len(data))
    out.append(data)


def result_hash(value):
    """A stable 64-bit hash of a result: the first 8 bytes (little-endian) of the SHA-256 of
    its canonical encoding (`_encode`). Neither Python's hash() (salted per interpreter, so
    sets iterate in another order in every cell) nor repr() (an object's address) can
    cross-check models. Raises UnstableAnswer for a result it cannot compare."""
    digest = hashlib.sha256()
    for piece in _encoded_pieces(value):
        digest.update(piece)
    return int.from_bytes(digest.digest()[:8], "little")


def _encoded_pieces(value):
    out = []
    _encode(value, out, set())
    return out


def answer_hash(item, value):
    """The checksum of a function task's result `value` (computed by the parent, after the
    timed region), or a clear error naming the task when it cannot be compared."""
    spec, unit, arg = item[0]["function"], item[1], item[2]
    try:
        return result_hash(value)
    except UnstableAnswer as why:
        raise RuntimeError(
            "task %d: %s(%r) returned %s; corelab compares answers between models, return "
            "plain data (numbers, strings, lists, dicts) or a stable repr"
            % (unit, spec.get("name"), arg, why)
        )
    except RecursionError:
        raise RuntimeError(
            "task %d: %s(%r) returned data nested too deeply to compare"
            % (unit, spec.get("name"), arg)
        )


def _user_failure(spec, unit, arg):
    """The RuntimeError (a builtin type: it pickles back from a multiprocessing worker
    unchanged) of the user's function raising: for SystemExit and KeyboardInterrupt (which
    would end a worker) its one-line name, with the user's traceback, whole."""
    kind, exc = sys.exc_info()[:2]
    head = "task %d: %s(%r) raised" % (unit, spec.get("name"), arg)
    if kind is not None and not issubclass(kind, Exception):
        head = "%s %s%s" % (
            head,
            kind.__name__,
            "(%r)" % exc.code if isinstance(exc, SystemExit) else "",
        )
    return RuntimeError("%s:\n%s" % (head, user_traceback()))


# A failure of the user's function, as `_user_failure` words it (a pool process sends it back
# as a plain RuntimeError: only its text survives the pickling).
_USER_FAILURE = re.compile(r"task \d+: .*\) (raised|returned a generator)", re.S)


def is_user_fault(exc):
    """Whether `exc` is the user's code failing (its import, its function raising or
    returning a generator), not corelab's machinery."""
    if isinstance(exc, UserCodeFailed):
        return True
    return isinstance(exc, RuntimeError) and bool(_USER_FAILURE.match(str(exc)))


_REAL_EXIT = os._exit


def _current():
    """The user's call each thread is in (`.call`: unit, name, argument), for
    `_exit_naming_task`. Made on first use, as `_modules_lock`: a thread-local object among
    this module's globals could not be pickled when the Dask driver ships the module."""
    local = globals().get("_CURRENT_CALL")
    if local is None:
        local = globals().setdefault("_CURRENT_CALL", threading.local())
    return local


def _exit_naming_task(status):
    """os._exit in this interpreter (threads, asyncio: not a pool process, which corelab's pool
    watch reports): says on stderr which task called it (corelab shows the end of stderr
    when the interpreter exits), then exits as asked."""
    current = getattr(_current(), "call", None)
    if current is not None:
        try:
            os.write(2, ("corelab: task %d: %s(%r) called os._exit(%r)\n" % (
                current + (status,))).encode("utf-8", "replace"))
        except Exception:
            pass
    _REAL_EXIT(status)


def _in_flight():
    """The user's calls running in this interpreter now ({key: (unit, name, argument)}), for
    `LateWatch`; made on first use, as `_current`."""
    calls = globals().get("_IN_FLIGHT_CALLS")
    if calls is None:
        calls = globals().setdefault("_IN_FLIGHT_CALLS", {})
    return calls


class UserCall:
    """`with UserCall(spec, unit, arg):` around a call of the user's function on one task's
    argument. While it runs, the call is this thread's current one (`_current`, for
    `_exit_naming_task`) and among those in flight (`_in_flight`, for `LateWatch`); anything it
    raises, SystemExit and KeyboardInterrupt too, leaves as `_user_failure`, which names the
    task. The call is forgotten however it ends."""

    def __init__(self, spec, unit, arg):
        self.spec, self.unit, self.arg = spec, unit, arg
        self.key = (threading.get_ident(), unit)

    def __enter__(self):
        _current().call = (self.unit, self.spec.get("name"), self.arg)
        _in_flight()[self.key] = _current().call
        return self

    def __exit__(self, kind, exc, tb):
        # Worded while the exception is still the one being handled (`_user_failure` reads
        # it, with its traceback, from sys.exc_info), which it is here as in an `except`.
        failure = None if kind is None else _user_failure(self.spec, self.unit, self.arg)
        _current().call = None
        _in_flight().pop(self.key, None)
        if failure is not None:
            raise failure
        return False


def call_function(spec, unit, arg):
    """Calls the user's function on `arg` and returns its result (the answer is hashed by the
    parent, after the timed region). A coroutine it returns (an `async def` function under a
    model other than py-asyncio) is run to completion with asyncio.run, as a plain caller
    would; a generator is refused, as multiprocessing could not send it back."""
    fn = load_function(spec)
    with UserCall(spec, unit, arg):
        value = fn(arg)
        if inspect.iscoroutine(value):
            import asyncio

            value = asyncio.run(value)
    if isinstance(value, (types.GeneratorType, types.AsyncGeneratorType)):
        raise RuntimeError(
            "task %d: %s(%r) returned a generator; corelab does not consume it "
            "(multiprocessing.Pool.map could not send it back either): return a list, e.g. "
            "list(...)" % (unit, spec.get("name"), arg)
        )
    return value


def work_items(task):
    """The (task, unit[, argument]) items of one run."""
    if task.get("kind") == "function":
        f = task.get("function", {})
        spec = {"kind": "function", "function": {"file": f.get("file"), "name": f.get("name")}}
        args = f.get("args") or list(range(int(f.get("range") or 0)))
        return [(spec, unit, arg) for unit, arg in enumerate(args)]
    return [(task, unit) for unit in range(task.get("tasks", 64))]


_INPUTS = {}
_RESPOND = bytes((b + 1) & 0xFF for b in range(256))


def payload_input(kib):
    """The input every unit of a task with `payload_kib` = kib carries (built once, untimed)."""
    data = _INPUTS.get(kib)
    if data is None:
        data = bytes(((i * 31) ^ (i >> 8)) & 0xFF for i in range(kib * 1024))
        _INPUTS.clear()
        _INPUTS[kib] = data
    return data


def respond(data):
    """A unit's output for its input: as many bytes, each the input byte plus one."""
    return data.translate(_RESPOND)


# Contention (task.kind "contention"): every worker adds one to a single shared counter
# `increments` times, one unit per worker; the run's checksum is the counter's final value and
# `lost_updates` what it is short of workers x increments, as corelab's Rust workers report.
#
# Which `+= 1` races, measured with CPython 3.11.7 on a 2-core machine (2 threads x 100 000
# increments, 10 runs each; README, "Lost updates in real Python"): a bare global
# `counter += 1` and a plain attribute `obj.value += 1` lost nothing in any run, because since
# 3.10 a GIL build switches threads only at calls and backward jumps (the loop's end), never
# between the read and the write of those bytecodes; `obj.value += 1` through a property (a
# Python getter and setter, as ORM fields, descriptors and multiprocessing.Value have) lost
# 4 % to 41 % in 9 of 11 runs: the setter is a call inside the read-write window, where a
# switch can fall.
# So threads share a `SharedCounter`, whose `value` is such a property. Processes share a
# `multiprocessing.Value('q')` (shared memory) and do `v.value += 1` without `get_lock()`:
# its getter and setter each take the Value's lock, but not across the two, so increments
# between them are overwritten (lost 14 % to 45 % in 10 of 10 runs; `lock=False`, a raw
# Value, 8 % to 49 % in 9 of 10).

# Sync modes each model runs (`sync: mutex` takes threading.Lock, or the Value's get_lock()).
CONTENTION_SYNC = ("none", "mutex")
# A worker waits at most this long at the start line for the others (see `contention_unit`).
START_LINE_PATIENCE_S = 0.5
# How long a pool's warm-up waits for all its threads or processes to be up (see `Runner`).
WARM_UP_PATIENCE_S = 60.0


class SharedCounter:
    """The counter threads share: an int behind a `value` property, read and written by Python
    code (see above: the setter's call is where a GIL build can switch threads)."""

    def __init__(self):
        self._value = 0

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, new):
        self._value = new


# In each process: the shared counter, its lock and the start line of the current run (threads:
# set by `Runner.run`; a multiprocessing pool's processes: by `_pool_process_init`).
_CONTENTION = {}


def contention_sync(task):
    """The task's sync mode, or a clear error for one the Python models do not run."""
    sync = task.get("contention", {}).get("sync", "mutex")
    if sync not in CONTENTION_SYNC:
        raise ValueError(
            "the Python models run contention with sync 'none' or 'mutex', not %r" % sync
        )
    return sync


def contention_unit(task):
    """One worker's share of a contention run: waits at the start line (so that the workers
    really overlap instead of the first finishing before the last starts; at most
    START_LINE_PATIENCE_S), then adds one to the shared counter `increments` times, unlocked
    (`none`) or under the lock (`mutex`). Returns 0: the run's checksum is the counter."""
    increments = int(task.get("contention", {}).get("increments", 1000000))
    sync = contention_sync(task)
    counter, lock = _CONTENTION["counter"], _CONTENTION["lock"]
    try:
        _CONTENTION["start_line"].wait(START_LINE_PATIENCE_S)
    except threading.BrokenBarrierError:
        pass
    if sync == "none":
        for _ in range(increments):
            counter.value += 1
    else:
        for _ in range(increments):
            with lock:
                counter.value += 1
    return 0


def run_unit(args, waits=None):
    """One unit of a task; returns (answer, cpu seconds of this thread, native thread id): the
    answer is the kernel's checksum, or for a function task the function's result itself
    (`checksummed` hashes it after the timed region). With `waits` (a list), appends
    [start_ns, end_ns] around each of the unit's sleeps."""
    task, unit = args[0], args[1]
    started = time.thread_time()
    kind = task.get("kind", "cpu")
    tasks = task.get("tasks", 64)
    if kind == "function":
        checksum = call_function(task["function"], unit, args[2])
    elif kind == "cpu":
        cpu = task.get("cpu", {})
        start, end = split_range(cpu.get("size", 2000000), tasks, unit)
        if cpu.get("kernel", "primes") == "primes":
            checksum = sum(n for n in range(start, end) if is_prime(n)) & MASK
        else:
            x = splitmix64(unit)
            for _ in range(end - start):
                x = splitmix64(x)
            checksum = x
    elif kind == "io":
        io = task.get("io", {})
        if io.get("mode", "sleep") != "sleep":
            raise ValueError("the Python models support io mode 'sleep' only")
        timed_sleep(io.get("sleep_ms", 20.0) / 1000.0, waits)
        checksum = splitmix64(unit)
    elif kind == "mixed":
        wait_s, checksum = mixed_compute(task, unit, started)
        timed_sleep(wait_s, waits)
    elif kind == "contention":
        checksum = contention_unit(task)
    else:
        raise ValueError("the Python models do not run %r tasks" % kind)
    return checksum, time.thread_time() - started, threading.get_native_id()


def mixed_compute(task, unit, started):
    """A mixed unit's computing: splitmix64 steps until its thread has spent the task's
    compute_ms of CPU time since `started`. Returns (the seconds it then waits, its checksum)."""
    mixed = task.get("mixed", {})
    compute = mixed.get("compute_ms", 5.0) / 1000.0
    x = unit
    while time.thread_time() - started < compute:
        for _ in range(256):
            x = splitmix64(x)
    return mixed.get("wait_ms", 5.0) / 1000.0, splitmix64(unit ^ 0x6D69786564)


def timed_sleep(seconds, waits):
    """time.sleep, stamped into `waits` when given."""
    if waits is None:
        time.sleep(seconds)
        return
    start = time.monotonic_ns()
    time.sleep(seconds)
    waits.append([start, time.monotonic_ns()])


def run_unit_stamped(wrapped):
    """One unit of the thread and process pools: `wrapped` is (item, input data or None).
    Returns (unit, checksum, cpu seconds, lane, start_ns, end_ns, waits, output): the lane is
    the native id of the thread that ran it (in a pool process, its main thread, whose id is
    the process id)."""
    item, data = wrapped
    waits = []
    start = time.monotonic_ns()
    running = _RUNNING.get("table")
    if running is not None:
        running[2 * _RUNNING["slot"] + 1] = item[1]
    checksum, cpu, tid = run_unit(item, waits)
    output = None if data is None else respond(data)
    end = time.monotonic_ns()
    if running is not None:
        running[2 * _RUNNING["slot"] + 1] = -1
    return item[1], checksum, cpu, tid, start, end, waits, output


def checksummed(task, wrapped, results):
    """The units' results with a function task's answers (the user's results, as the pool
    returned them to this process) replaced by their checksums (`answer_hash`): done after
    the timed region, outside what a real program would pay."""
    if task.get("kind") != "function":
        return results
    return [
        (r[0], answer_hash(wrapped[r[0]][0], r[1])) + tuple(r[2:]) for r in results
    ]


# A run's timeline is sent for up to this many units (it must fit in one protocol line, with
# the per-task checksums).
MAX_TIMELINE_UNITS = 4096


# Whether this process is inside a run's timed region now (`RunClock`): read by nothing here,
# a seam for tests to see where a result is hashed.
TIMING = {"now": False}


class RunClock:
    """The clocks of one run request. The timed region's start and stop stamps
    (time.monotonic_ns, the clock of the units' timeline stamps; its wall time is the one
    between the two, so no unit's stamp lies past start_ns + wall however long this thread is
    preempted between two reads), and the CPU time this interpreter spends on the request
    outside it (`untimed_cpu`): corelab measures the run's CPU time from outside, around the
    whole request, and subtracts that part. Made when the request line has been read."""

    def __init__(self):
        self.received_cpu = time.process_time()
        self.received_faults = minor_faults()
        self.start_cpu = self.stop_cpu = None
        self.start_faults = self.stop_faults = None

    def start(self):
        """Starts the timed region."""
        self.start_faults = minor_faults()
        self.start_cpu = time.process_time()
        TIMING["now"] = True
        self.start_ns = time.monotonic_ns()

    def stop(self):
        """Ends the timed region; returns its wall time in seconds, from the very stamp the
        timeline starts at (`start_ns`). Before, the wall time was read on a second clock
        (time.perf_counter) a moment after `start_ns`: a thread preempted between the two reads
        (a loaded machine, another thread holding the GIL) lost that moment from the wall time,
        and the last unit's end stamp then lay past the run's end, so corelab refused the
        timeline."""
        self.stop_ns = time.monotonic_ns()
        wall = (self.stop_ns - self.start_ns) / 1e9
        TIMING["now"] = False
        self.stop_cpu = time.process_time()
        self.stop_faults = minor_faults()
        return wall

    def untimed_cpu(self):
        """CPU seconds of every thread of this process spent on the request outside the timed
        region so far: from reading the request to `start`, and from `stop` to now (`reply`
        reads it once the reply is serialised). A pool's threads are idle outside the timed
        region; a multiprocessing pool's processes are other processes, not counted here."""
        before = self.start_cpu - self.received_cpu
        after = time.process_time() - self.stop_cpu
        return max(0.0, before) + max(0.0, after)

    def untimed_faults(self):
        """Minor page faults of this process on the request outside the timed region so far,
        as `untimed_cpu` counts CPU time: building the items and payload, serialising the
        reply."""
        before = self.start_faults - self.received_faults
        after = minor_faults() - self.stop_faults
        return max(0, before) + max(0, after)


def minor_faults():
    """This process's minor page faults so far, every thread of it."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


class Recorder:
    """A run's checksum, CPU time, per-task checksums, per-thread usage and timeline, from the
    units' results in any order."""

    def __init__(self, task, expected_output):
        self.task = task
        self.expected_output = expected_output
        self.checksum, self.cpu = 0, 0.0
        self.per_task = {}
        self.per_thread = {}
        self.lanes = {}
        self.units = []

    def add(self, result):
        unit, c, t, lane, start, end, waits, output = result
        if (0 if output is None else len(output)) != self.expected_output:
            raise RuntimeError(
                "unit %d returned %d payload bytes, expected %d"
                % (unit, 0 if output is None else len(output), self.expected_output)
            )
        self.per_task[unit] = c
        self.checksum = (self.checksum + c) & MASK
        self.cpu += t
        spent, units = self.per_thread.get(lane, (0.0, 0))
        self.per_thread[lane] = (spent + t, units + 1)
        self.units.append((lane, unit, start, end, waits))

    def timeline(self, start_ns, workers, idle):
        """The run's timeline message (see the module's docstring), or None when too large.
        The lanes are the workers that ran a unit, in the order they started their first, then
        the pool's other workers (`idle`: their idents) up to `workers` lanes in all."""
        if len(self.units) > MAX_TIMELINE_UNITS:
            return None
        first = {}
        for lane, _, start, _, _ in self.units:
            first[lane] = min(first.get(lane, start), start)
        lanes = sorted(first, key=lambda k: (first[k], k))
        for ident in idle:
            if len(lanes) >= workers:
                break
            if ident not in first:
                lanes.append(ident)
        index = {lane: i for i, lane in enumerate(lanes)}
        return {
            "start_ns": start_ns,
            "lanes": lanes,
            "units": [
                [index[lane], unit, start, end, waits]
                for lane, unit, start, end, waits in sorted(self.units, key=lambda u: u[2])
            ],
        }


def wrapped_items(task):
    """The work items of one run, each with the input data it carries (or None)."""
    kib = int(task.get("payload_kib") or 0)
    data = payload_input(kib) if kib > 0 else None
    return [(item, data) for item in work_items(task)], (kib * 1024 if data is not None else 0)


# Per-task checksums are sent for function tasks (so that a model whose results differ can be
# told which task differed) up to this many tasks; the message must fit in one protocol line.
MAX_TASK_CHECKSUMS = 10000


def task_checksums(task, per_task):
    """The per-task checksums in task order, for a function task, else None."""
    if task.get("kind") != "function" or len(per_task) > MAX_TASK_CHECKSUMS:
        return None
    return [per_task.get(i, 0) for i in range(len(per_task))]


async def awaited_sleep(seconds, waits):
    """asyncio.sleep, stamped into `waits`: from the await to this coroutine's resumption."""
    import asyncio

    start = time.monotonic_ns()
    await asyncio.sleep(seconds)
    waits.append([start, time.monotonic_ns()])


async def run_unit_async(item, waits):
    """One unit on the asyncio loop: waits are awaited, everything else runs inline and blocks
    the loop (a plain function included; an `async def` function is awaited). Each wait is
    stamped into `waits`."""
    import asyncio

    task, unit = item[0], item[1]
    started = time.thread_time()
    kind = task.get("kind", "cpu")
    if kind == "io" and task.get("io", {}).get("mode", "sleep") == "sleep":
        await awaited_sleep(task.get("io", {}).get("sleep_ms", 20.0) / 1000.0, waits)
        checksum = splitmix64(unit)
    elif kind == "mixed":
        wait_s, checksum = mixed_compute(task, unit, started)
        await awaited_sleep(wait_s, waits)
    elif kind == "function":
        spec, arg = task["function"], item[2]
        fn = load_function(spec)
        with UserCall(spec, unit, arg):
            checksum = fn(arg)
            if inspect.iscoroutine(checksum):
                checksum = await checksum
    else:
        return run_unit(item, waits)
    return checksum, time.thread_time() - started, threading.get_native_id()


class LateWatch:
    """A function task's run that is still going `after_s` seconds after it started (corelab
    sends the time left before its timeout, less a margin: `report_after_s`): says which of
    the user's calls are running then, in a `running` reply, so that the timeout names the
    call that hangs. Started before the timed region, stopped after it; nothing otherwise."""

    # At most this many calls are named: the reply stays one short line.
    MAX_CALLS = 16

    def __init__(self, after_s, calls):
        self.timer = None
        if after_s is not None:
            self.timer = threading.Timer(max(0.0, float(after_s)), self._report, (calls,))
            self.timer.daemon = True
            self.timer.start()

    def _report(self, calls):
        named = calls()
        if len(named) > self.MAX_CALLS:
            named = named[:self.MAX_CALLS] + ["and %d more" % (len(named) - self.MAX_CALLS)]
        reply({"op": "running", "calls": named})

    def stop(self):
        """Cancels the report, or waits until it is written: no reply is written by the timer
        once this returns, so the run's own reply never interleaves with it (no lock: a lock
        among this module's globals could not be pickled when the Dask driver ships the
        module by value)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer.join()


def calls_text(calls):
    """`task N: name(arg)` for each (unit, name, argument), in task order."""
    return ["task %d: %s(%r)" % call for call in sorted(calls, key=lambda c: c[0])]


class AsyncRunner:
    """py-asyncio: one event loop on this thread, at most `workers` units in flight."""

    def __init__(self, workers):
        import asyncio

        self.model = "asyncio"
        self.asyncio = asyncio
        self.workers = workers
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(asyncio.sleep(0))

    async def _all(self, items):
        # At most `workers` units in flight, each holding one of `workers` numbered slots (the
        # timeline's lanes).
        slots = self.asyncio.Queue()
        for slot in range(self.workers):
            slots.put_nowait(slot)

        async def one(wrapped):
            item, data = wrapped
            slot = await slots.get()
            try:
                waits = []
                start = time.monotonic_ns()
                c, t, _ = await run_unit_async(item, waits)
                output = None if data is None else respond(data)
                end = time.monotonic_ns()
                return item[1], c, t, slot, start, end, waits, output
            finally:
                slots.put_nowait(slot)

        return await self.asyncio.gather(*(one(wrapped) for wrapped in items))

    def import_module(self, spec):
        """The `import` request (see `Runner.import_module`): this interpreter only."""
        started = time.perf_counter()
        load_function(spec)
        return time.perf_counter() - started

    def run(self, task, clock, report_after_s=None):
        if task.get("kind") == "contention":
            raise ValueError("py-asyncio does not run contention tasks (one event loop shares "
                             "nothing to race on); use py-threading or py-multiprocessing")
        items, output_bytes = wrapped_items(task)
        function = task.get("kind") == "function"
        if function:
            load_function(task["function"])
        recorder = Recorder(task, output_bytes)
        watch = LateWatch(report_after_s if function else None,
                          lambda: calls_text(list(_in_flight().values())))
        try:
            clock.start()
            results = self.loop.run_until_complete(self._all(items))
            wall = clock.stop()
        finally:
            watch.stop()
        for result in checksummed(task, items, results):
            recorder.add(result)
        return (
            wall,
            recorder.cpu,
            recorder.checksum,
            None,
            task_checksums(task, recorder.per_task),
            recorder.timeline(clock.start_ns, self.workers, range(self.workers)),
            None,
        )

    def close(self):
        self.loop.close()


def thread_switches():
    """{native thread id: (voluntary, involuntary) context switches} of every thread of this
    process, from /proc (Linux; empty elsewhere). Read outside the timed region."""
    counts = {}
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return counts
    for tid in tids:
        vol = invol = None
        try:
            with open("/proc/self/task/%s/status" % tid) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        vol = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        invol = int(line.split()[1])
        except (OSError, ValueError):
            continue
        if vol is not None and invol is not None:
            counts[int(tid)] = (vol, invol)
    return counts


def process_switches():
    """(voluntary, involuntary) context switches of the whole process so far, or None."""
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_nvcsw, usage.ru_nivcsw
    except Exception:
        return None


class Runner:
    def __init__(self, model, workers, start_method):
        self.model = model
        self.workers = workers
        if model == "multiprocessing":
            ctx = multiprocessing.get_context(start_method)
            # Which unit each pool process is running: [pid, unit or -1] per slot, a slot per
            # process the pool starts (the first 2N; a replacement beyond them is untracked).
            self.running = ctx.Array("q", 4 * workers, lock=False)
            for i in range(len(self.running)):
                self.running[i] = -1
            slots = ctx.Value("i", 0)
            # The contention task's counter (shared memory, with its own lock) and start line,
            # handed to every pool process as it starts (a synchronized Value cannot be sent
            # with a unit: multiprocessing shares it only by inheritance).
            self.counter = ctx.Value("q", 0)
            self.start_line = ctx.Barrier(workers)
            self.pool = ctx.Pool(
                workers,
                initializer=_pool_process_init,
                initargs=(self.running, slots, self.counter, self.start_line),
            )
            # Every pool process up (its interpreter started, this module imported, its
            # initializer run) before `startup_s` is taken: `Pool` starts its processes at
            # once, but an instant task is taken by whichever process is ready first, so
            # `workers` no-ops could leave some still starting inside the first timed run.
            # Each of these waits at the start line until all `workers` have one.
            self.pool.map(_wait_at_start_line, range(workers), chunksize=1)
            self.start_line.reset()
        else:
            # Every pool thread started before `startup_s` is taken: the executor gives a task
            # to an idle thread when it has one (Python 3.8 and later), so `workers` instant
            # tasks would start only some; these wait at a barrier until all `workers` run.
            self.pool = ThreadPoolExecutor(max_workers=workers)
            everyone = threading.Barrier(workers)
            list(self.pool.map(_wait_at, [everyone] * workers))

    def import_module(self, spec):
        """The `import` request: imports the user's module (and looks its function up) here
        and, for a process pool, in every pool process, before any run, so that no timed run
        ever pays for an import. Returns the seconds it took: this interpreter's import plus
        the slowest pool process's (they import side by side, as a spawned pool's processes
        do when they start)."""
        started = time.perf_counter()
        load_function(spec)
        own = time.perf_counter() - started
        if self.model != "multiprocessing":
            return own
        self.start_line.reset()
        processes = list(getattr(self.pool, "_pool", []))
        # Each pool process takes exactly one of these: each waits at the start line until
        # all `workers` have one.
        pending = self.pool.map_async(
            _import_in_pool, [spec] * self.workers, chunksize=1)
        while not pending.ready():
            pending.wait(0.05)
            for process in processes:
                if process.exitcode is not None:
                    code = process.exitcode
                    raise PoolImportFailed(
                        "the pool process %d" % process.pid,
                        "it died (%s) while importing %s" % (
                            "exit status %d" % code if code >= 0 else "killed by signal %d" % -code,
                            spec.get("file")))
        slowest = 0.0
        for seconds, failure in pending.get():
            if failure is not None:
                raise PoolImportFailed(*failure)
            slowest = max(slowest, seconds)
        self.start_line.reset()
        return own + slowest

    def results(self, items):
        """Runs every unit and returns their results, as `Pool.map` and
        `ThreadPoolExecutor.map` hand them back: a process pool pickles each unit's result
        (a function task's return value whole) back to this process through its pipes.

        Dispatched as those calls dispatch, since that is what the README says is timed.
        Threads: `ThreadPoolExecutor.map` itself, one future per unit (it has no chunking).
        Processes: `Pool.map_async` with `Pool.map`'s own default chunksize (`Pool.map` is
        `map_async(...).get()`): CPython splits the units into chunks of
        ceil(units / (4 x processes)), one message each way per chunk, and this thread wakes
        once, when the last chunk is back. Each unit is still stamped on its own
        (`run_unit_stamped` runs once per unit inside the chunk), so the timeline keeps one
        span per unit. The one difference from a bare `.get()`: this thread looks every
        50 ms whether a pool process died, since `Pool.map` would wait forever for its
        chunk."""
        if self.model != "multiprocessing":
            return list(self.pool.map(run_unit_stamped, items))
        processes = list(getattr(self.pool, "_pool", []))
        pending = self.pool.map_async(run_unit_stamped, items)
        while not pending.ready():
            pending.wait(0.05)
            if pending.ready():
                break
            # multiprocessing.Pool waits forever for the chunk of a process that died.
            for process in processes:
                if process.exitcode is not None:
                    raise RuntimeError(self.died(process, items))
        try:
            return pending.get()
        except multiprocessing.pool.MaybeEncodingError as e:
            # Its str() quotes the whole chunk's results: the reason alone says what failed.
            raise RuntimeError(
                "a unit's result could not be sent back to the parent process (a process "
                "pool pickles it, as multiprocessing.Pool.map does): %s" % e.exc
            )

    def died(self, process, items):
        """Why a run failed whose pool `process` died: its exit status and the task it ran."""
        code = process.exitcode
        status = "exit status %d" % code if code >= 0 else "killed by signal %d" % -code
        unit = -1
        for slot in range(len(self.running) // 2):
            if self.running[2 * slot] == process.pid:
                unit = self.running[2 * slot + 1]
        if 0 <= unit < len(items):
            item = items[unit][0]
            if item[0].get("kind") == "function":
                return "task %d: a pool process died (%s) while running %s(%r)" % (
                    unit, status, item[0]["function"].get("name"), item[2])
            return "a pool process died (%s) while running task %d" % (status, unit)
        return "a pool process died (%s)" % status

    def contention_items(self, task):
        """A contention run's items, one per worker, with its counter zeroed and its start
        line reset (threads: a fresh counter, lock and start line)."""
        contention_sync(task)
        if self.model == "multiprocessing":
            self.counter.value = 0
            self.start_line.reset()
        else:
            _CONTENTION["counter"] = SharedCounter()
            _CONTENTION["lock"] = threading.Lock()
            _CONTENTION["start_line"] = threading.Barrier(self.workers)
        return [((task, unit), None) for unit in range(self.workers)], 0

    def contention_report(self, task):
        """The counter's final value and what the run lost (`lost_updates`, `shared_state`)."""
        if self.model == "multiprocessing":
            value = self.counter.value
            form = "multiprocessing.Value (shared memory), += %s get_lock()"
        else:
            value = _CONTENTION["counter"].value
            form = "CPython int behind a property, shared by threads, += %s"
        locked = contention_sync(task) == "mutex"
        if self.model == "multiprocessing":
            form %= "under" if locked else "without"
        else:
            form %= "under threading.Lock" if locked else "unlocked"
        increments = int(task.get("contention", {}).get("increments", 1000000))
        expected = self.workers * increments
        return value, {"lost_updates": max(0, expected - value), "shared_state": form}

    def running_calls(self, items):
        """The user's calls running now (see `LateWatch`): a process pool's from its table of
        which unit each process runs, threads' from the calls in flight."""
        if self.model != "multiprocessing":
            return calls_text(list(_in_flight().values()))
        calls = []
        for slot in range(len(self.running) // 2):
            unit = self.running[2 * slot + 1]
            if 0 <= unit < len(items):
                item = items[unit][0]
                calls.append((unit, item[0]["function"].get("name"), item[2]))
        return calls_text(calls)

    def run(self, task, clock, report_after_s=None):
        contention = task.get("kind") == "contention"
        if contention:
            items, output_bytes = self.contention_items(task)
        else:
            items, output_bytes = wrapped_items(task)
        if task.get("kind") == "function":
            # Imported by the `import` request, before the first run, here and in every pool
            # process (see `import_module`); the parent of a process pool needs it too, as a
            # real program's parent has it, to unpickle the objects of the user's classes that
            # the pool sends back. This is only a look-up then.
            load_function(task["function"])
        threaded = self.model != "multiprocessing"
        if threaded:
            threads_before, process_before = thread_switches(), process_switches()
        recorder = Recorder(task, output_bytes)
        function = task.get("kind") == "function"
        watch = LateWatch(report_after_s if function else None,
                          lambda: self.running_calls(items))
        try:
            clock.start()
            results = self.results(items)
            wall = clock.stop()
        finally:
            watch.stop()
        for result in checksummed(task, items, results):
            recorder.add(result)
        counted = None
        if contention:
            recorder.checksum, counted = self.contention_report(task)
        scheduling = None
        if threaded:
            scheduling = scheduling_report(
                recorder.per_thread,
                threads_before,
                thread_switches(),
                process_before,
                process_switches(),
            )
        return (
            wall,
            recorder.cpu,
            recorder.checksum,
            scheduling,
            task_checksums(task, recorder.per_task),
            recorder.timeline(clock.start_ns, self.workers, self.idents()),
            counted,
        )

    def idents(self):
        """The lane idents of the pool's workers (process ids, native thread ids), read from
        the pools' own lists where they have them (empty otherwise)."""
        if self.model == "multiprocessing":
            return [p.pid for p in getattr(self.pool, "_pool", [])]
        return [t.native_id for t in getattr(self.pool, "_threads", ())]

    def close(self):
        if self.model == "multiprocessing":
            self.pool.terminate()
            self.pool.join()
        else:
            self.pool.shutdown(wait=False)


def scheduling_report(per_thread, threads_before, threads_after, process_before, process_after):
    """How the pool's threads shared the cores during one run (corelab's `scheduling`)."""
    threads = []
    for tid, (spent, units) in per_thread.items():
        entry = {"cpu_s": spent, "units": units}
        if tid in threads_after:
            # A thread the pool started during the run had no switches before it.
            vol, invol = threads_before.get(tid, (0, 0))
            entry["voluntary_switches"] = threads_after[tid][0] - vol
            entry["involuntary_switches"] = threads_after[tid][1] - invol
        threads.append(entry)
    report = {"threads": threads, "switch_interval_s": sys.getswitchinterval()}
    if process_before is not None and process_after is not None:
        report["process_voluntary_switches"] = process_after[0] - process_before[0]
        report["process_involuntary_switches"] = process_after[1] - process_before[1]
    return report


def _wait_at(barrier):
    """Pool warm-up: waits until every pool thread or process has one of these (at most
    WARM_UP_PATIENCE_S; past that the warm-up goes on: it only keeps start-up out of timing)."""
    try:
        barrier.wait(WARM_UP_PATIENCE_S)
    except threading.BrokenBarrierError:
        pass


def _wait_at_start_line(_):
    """Pool warm-up in a pool process: `_wait_at` the pool's start line (inherited by every
    pool process: see `_pool_process_init`)."""
    _wait_at(_CONTENTION["start_line"])


def _import_in_pool(spec):
    """In a pool process: imports the user's module (`import_module`), then waits at the start
    line (the pool's shared barrier, inherited by every pool process: see
    `_pool_process_init`) until every pool process has one of these, so that each process
    imports once. Returns (seconds, None), or (seconds, (this process, why)) when the import
    failed."""
    started = time.perf_counter()
    failure = None
    try:
        load_function(spec)
    except Exception as exc:
        failure = ("the pool process %d" % os.getpid(), failure_message(exc))
    seconds = time.perf_counter() - started
    # No patience limit: a slow import elsewhere is waited for (corelab's start-up deadline
    # ends a hung one, and the parent notices a pool process that died).
    _CONTENTION["start_line"].wait()
    return seconds, failure


# In a pool process: the shared table of which unit each process runs, and this process's slot.
_RUNNING = {}


def _pool_process_init(running, slots, counter=None, start_line=None):
    """Pool initializer: takes a slot of the `running` table (see `Runner`), keeps the
    contention task's shared counter and start line, then `_die_with_parent`."""
    if counter is not None:
        _CONTENTION["counter"], _CONTENTION["lock"] = counter, counter.get_lock()
        _CONTENTION["start_line"] = start_line
    with slots.get_lock():
        slot = slots.value
        slots.value += 1
    if 2 * slot + 1 < len(running):
        running[2 * slot] = os.getpid()
        _RUNNING["table"], _RUNNING["slot"] = running, slot
    _die_with_parent()


def _die_with_parent():
    """Pool initializer: on Linux, ask to be killed when the worker's parent dies, so that a
    killed corelab run never leaves Python processes behind."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:
            pass


def gil_enabled():
    probe = getattr(sys, "_is_gil_enabled", None)
    return True if probe is None else bool(probe())


def reply(msg, clock=None):
    """Writes `msg` as one protocol line. The reply to a run request passes the run's `clock`:
    the line then ends with the request's untimed_cpu_s and untimed_minor_faults, read once the
    rest is serialised, so that serialising the reply (a timeline of thousands of units) counts
    as untimed too."""
    line = json.dumps(msg)
    if clock is not None:
        line = '%s, "untimed_cpu_s": %s, "untimed_minor_faults": %d}' % (
            line[:-1], json.dumps(clock.untimed_cpu()), clock.untimed_faults())
    fd = _PROTOCOL.get("fd")
    if fd is None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        return
    data = (line + "\n").encode("utf-8")
    while data:
        data = data[os.write(fd, data):]


# The protocol's own file descriptor (see `take_protocol_stdout`): a number, so that this
# module's globals still pickle (the Dask driver ships the module by value).
_PROTOCOL = {}


def take_protocol_stdout():
    """Keeps the protocol with corelab on a private duplicate of this process's stdout and
    points file descriptor 1 at stderr: whatever the user's function prints (print(), a C
    extension writing to fd 1, a child process inheriting fd 1) goes to stderr, which
    corelab reads continuously and keeps the last 2 KiB of, never into the protocol. The
    duplicate is not inherited by child processes."""
    sys.stdout.flush()
    _PROTOCOL["fd"] = os.dup(1)
    os.dup2(2, 1)


def done_message(wall, cpu, checksum, per_task=None, timeline=None, scheduling=None,
                 counted=None):
    """The `done` reply of a run (see the module's docstring), sent with `reply(done, clock)`:
    the optional parts only when there are any (`counted`: a contention run's lost_updates
    and shared_state)."""
    done = {"op": "done", "wall_s": wall, "cpu_s": cpu, "checksum": checksum}
    if counted is not None:
        done.update(counted)
    if scheduling is not None:
        done["scheduling"] = scheduling
    if per_task is not None:
        done["task_checksums"] = per_task
    if timeline is not None:
        done["timeline"] = timeline
    return done


def failure_message(exc):
    """The `failed` message of an exception: the user's own failures (a traceback, a task
    named) as they are, others with their type."""
    text = str(exc)
    if isinstance(exc, UserCodeFailed):
        return text
    if isinstance(exc, RuntimeError) and (
        "Traceback" in text
        or text.startswith(("task ", "a pool process", "the Dask worker"))
    ):
        return text
    if text:
        return "%s: %s" % (type(exc).__name__, text)
    return traceback.format_exc().strip().splitlines()[-1]


def serve(make_runner, done, started=None, info=None):
    """Answers corelab's requests, a JSON line each, until stdin closes; then closes the runner
    and returns it (None where none started). `start` makes the runner, `make_runner(req)`,
    timed (its `started` reply with `started(runner)`'s fields too, where given); `import` has
    it import the user's module; `run` replies `done(runner, req, clock)`, the `done` message;
    `info` is answered with `info()` where given. Any failure is answered with `failed`. This
    script's loop and corelab_cluster.py's."""
    runner = None
    for line in protocol_lines(sys.stdin):
        clock = RunClock()
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "info" and info is not None:
                reply(info())
            elif op == "start":
                began = time.perf_counter()
                runner = make_runner(req)
                message = {"op": "started", "startup_s": time.perf_counter() - began}
                if started is not None:
                    message.update(started(runner))
                reply(message)
            elif op == "import":
                if runner is None:
                    raise RuntimeError("import before start")
                reply({"op": "imported", "import_s": runner.import_module(req["function"])})
            elif op == "run":
                if runner is None:
                    raise RuntimeError("run before start")
                reply(done(runner, req, clock), clock)
            else:
                raise ValueError("unknown op %r" % op)
        except Exception as exc:  # reported to corelab, which marks the cell failed
            failed = {"op": "failed", "message": failure_message(exc)}
            if is_user_fault(exc):
                # The user's code, which fails the same way in every cell.
                failed["user"] = True
            if isinstance(exc, PoolImportFailed):
                # ... of this model's cells only: it imported here (the cluster's driver).
                failed["pool"] = exc.where
            reply(failed)
    if runner is not None:
        runner.close()
    return runner


def info_message():
    """The `info` reply: the interpreter's version, GIL and implementation."""
    return {
        "op": "info",
        "version": "%d.%d.%d" % sys.version_info[:3],
        "gil_enabled": gil_enabled(),
        "implementation": sys.implementation.name,
    }


def start_runner(req):
    """The runner of a `start` request: asyncio's event loop or a thread/process pool."""
    if req["model"] == "asyncio":
        return AsyncRunner(int(req["workers"]))
    return Runner(req["model"], int(req["workers"]), req.get("start_method", "spawn"))


def run_done(runner, req, clock):
    """The `done` message of a `run` request."""
    wall, cpu, checksum, scheduling, per_task, timeline, counted = runner.run(
        req["task"], clock, req.get("report_after_s"))
    return done_message(wall, cpu, checksum, per_task, timeline, scheduling, counted)


def main():
    take_protocol_stdout()
    os._exit = _exit_naming_task
    serve(start_runner, run_done, info=info_message)


if __name__ == "__main__":
    main()
