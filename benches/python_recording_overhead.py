#!/usr/bin/env python3
"""What the Python worker's timeline stamps cost per task, measured against the worker before
them (commit 9fb3689). Run from the repository root:

  git show 9fb3689:assets/python/corelab_worker.py > /tmp/old_worker.py
  python3 benches/python_recording_overhead.py /tmp/old_worker.py assets/python/corelab_worker.py

1. In one loop, no pool: 20 000 tasks of one hash round, the old per-task function against the
   new one plus its bookkeeping (an upper bound: the old loop leaves its bookkeeping out); best
   of 15.
2. End to end through each worker's own protocol and pool (threading and multiprocessing × 2):
   the python-gil-vs-processes task (32 prime-counting tasks over 600 000) and 2 000 tiny tasks,
   the two workers run alternately, medians of 9.
"""

import importlib.util
import json
import statistics
import subprocess
import sys
import time


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_one_loop(old, new):
    task = {"kind": "cpu", "tasks": 20000, "cpu": {"kernel": "hash-chain", "size": 20000}}
    best = {"old": 1e9, "new": 1e9}
    for _ in range(15):
        items = old.work_items(task)
        t = time.perf_counter()
        for item in items:
            old.run_unit_indexed(item)
        best["old"] = min(best["old"], time.perf_counter() - t)
        wrapped, output_bytes = new.wrapped_items(task)
        recorder = new.Recorder(task, output_bytes)
        t = time.perf_counter()
        for item in wrapped:
            recorder.add(new.run_unit_stamped(item))
        best["new"] = min(best["new"], time.perf_counter() - t)
    n = task["tasks"]
    print(
        "one loop, per task (best of 15): without stamps %.2f us, with %.2f us, difference %.2f us"
        % (best["old"] / n * 1e6, best["new"] / n * 1e6, (best["new"] - best["old"]) / n * 1e6)
    )


def start(script, model, workers):
    p = subprocess.Popen(
        [sys.executable, "-I", "-u", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    start = {"op": "start", "model": model, "workers": workers, "start_method": "spawn"}
    p.stdin.write(json.dumps(start) + "\n")
    p.stdin.flush()
    assert json.loads(p.stdout.readline())["op"] == "started"
    return p


def run(p, task):
    p.stdin.write(json.dumps({"op": "run", "task": task}) + "\n")
    p.stdin.flush()
    reply = json.loads(p.stdout.readline())
    assert reply["op"] == "done", reply
    return reply["wall_s"]


def end_to_end(old_path, new_path, reps=9):
    tasks = {
        "python-gil-vs-processes task": {
            "kind": "cpu", "tasks": 32, "cpu": {"kernel": "primes", "size": 600000}},
        "2000 tiny tasks": {
            "kind": "cpu", "tasks": 2000, "cpu": {"kernel": "hash-chain", "size": 100000}},
    }
    for model in ["threading", "multiprocessing"]:
        procs = {"old": start(old_path, model, 2), "new": start(new_path, model, 2)}
        for label, task in tasks.items():
            walls = {"old": [], "new": []}
            for name in procs:
                run(procs[name], task)
            for i in range(reps):
                for name in (["old", "new"] if i % 2 == 0 else ["new", "old"]):
                    walls[name].append(run(procs[name], task))
            o, n = statistics.median(walls["old"]), statistics.median(walls["new"])
            print(
                "%s x 2, %s: without %.4f s, with %.4f s (%+.1f%%)"
                % (model, label, o, n, (n / o - 1) * 100)
            )
        for p in procs.values():
            p.stdin.close()
            p.wait()


if __name__ == "__main__":
    old_path, new_path = sys.argv[1], sys.argv[2]
    in_one_loop(load(old_path, "old_worker"), load(new_path, "new_worker"))
    end_to_end(old_path, new_path)
