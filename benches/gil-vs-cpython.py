#!/usr/bin/env python3
"""Where does a GIL-bound run lose time? Summarises the `scheduling` records of a results file.

    corelab run benches/gil-vs-cpython.json --out gil-vs-cpython.json
    python3 benches/gil-vs-cpython.py gil-vs-cpython.json

For every gil-threads and py-threading cell (medians over the timed samples):

  wall      median wall time, s
  speedup   this model's 1-worker median wall time / this cell's
  cores     CPU time / wall time. Under a GIL at most one thread computes, so 1 - cores is the
            time no thread computed: hand-over gaps, or the machine's other programs
  work      CPU time / this model's 1-worker CPU time. Above 1: each task cost more CPU
            (cold caches after a move to another core, the lock's own system calls)
  cpu/task  CPU time per task, ms
  vcs/s     voluntary context switches per second, all worker threads together (a thread
            blocked: waiting for the GIL, or for the next task)
  ics/s     involuntary context switches per second, all worker threads (preempted)
  main/s    py-threading: the process's voluntary switches minus the workers', per second
            (the main thread waiting on each result)
  sw/s      gil-threads: switches of the lock per second (CPython's switch_number)
  req/sw    gil-threads: drop requests per switch (several waiters each ask)
  forced    gil-threads: forced-switch waits per switch, and their mean length, us
  idle      gil-threads: 1 - held time / wall time: the lock was free (a hand-over in flight)
  share     the smallest and largest worker's share of the CPU time

Standard library only.
"""

import json
import statistics
import sys


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def per_sample(sample, tasks):
    sched = sample.get("scheduling") or {}
    threads = sched.get("threads") or []
    wall = sample.get("wall_s") or 0.0
    row = {"wall": wall, "cpu": sample.get("cpu_s"), "cpu_task": None}
    if row["cpu"] is not None and tasks:
        row["cpu_task"] = row["cpu"] / tasks * 1000.0
    if wall <= 0:
        return row
    vol = [t.get("voluntary_switches") for t in threads]
    invol = [t.get("involuntary_switches") for t in threads]
    if threads and None not in vol:
        row["vcs"] = sum(vol) / wall
        process_vol = sched.get("process_voluntary_switches")
        if process_vol is not None:
            row["main"] = (process_vol - sum(vol)) / wall
    if threads and None not in invol:
        row["ics"] = sum(invol) / wall
    cpu = [t.get("cpu_s", 0.0) for t in threads]
    if cpu and sum(cpu) > 0:
        row["share_min"] = min(cpu) / sum(cpu)
        row["share_max"] = max(cpu) / sum(cpu)
    gil = sched.get("gil")
    if gil:
        switches = gil.get("switches", 0)
        row["sw"] = switches / wall
        if switches:
            row["req_sw"] = gil.get("drop_requests", 0) / switches
            row["forced_sw"] = gil.get("forced_switch_waits", 0) / switches
        waits = gil.get("forced_switch_waits", 0)
        if waits:
            row["forced_us"] = gil.get("forced_switch_wait_s", 0.0) / waits * 1e6
        row["idle"] = 1.0 - gil.get("held_s", 0.0) / wall
    return row


def main(paths):
    for path in paths:
        with open(path) as f:
            results = json.load(f)
        tasks = results.get("experiment", {}).get("task", {}).get("tasks")
        python = results.get("python") or {}
        print("%s (CPython %s, %s tasks)" % (path, python.get("version", "?"), tasks))
        cells = [c for c in results.get("cells", []) if c.get("samples")]
        one = {}
        for c in cells:
            if c.get("workers") == 1:
                rows = [per_sample(s, tasks) for s in c["samples"]]
                one[c.get("model")] = (median(r["wall"] for r in rows), median(r["cpu"] for r in rows))
        header = ("model", "N", "wall", "speedup", "cores", "work", "cpu/task", "vcs/s", "ics/s",
                  "main/s", "sw/s", "req/sw", "forced", "idle", "share")
        print(("%-13s %2s %8s %7s %5s %5s %8s %7s %7s %6s %6s %6s %12s %5s %11s") % header)
        for c in cells:
            model = c.get("model")
            rows = [per_sample(s, tasks) for s in c["samples"]]
            m = {k: median(r.get(k) for r in rows) for k in
                 ("wall", "cpu", "cpu_task", "vcs", "ics", "main", "sw", "req_sw", "forced_sw",
                  "forced_us", "idle", "share_min", "share_max")}
            base_wall, base_cpu = one.get(model, (None, None))
            speedup = base_wall / m["wall"] if base_wall and m["wall"] else None
            work = m["cpu"] / base_cpu if base_cpu and m["cpu"] is not None else None
            cores = m["cpu"] / m["wall"] if m["wall"] and m["cpu"] is not None else None
            forced = "-" if m["forced_sw"] is None else "%.2f/%sus" % (m["forced_sw"], fmt(m["forced_us"], ".0f"))
            share = "-" if m["share_min"] is None else "%.2f-%.2f" % (m["share_min"], m["share_max"])
            print("%-13s %2d %8s %7s %5s %5s %8s %7s %7s %6s %6s %6s %12s %5s %11s" % (
                model, c.get("workers", 0), fmt(m["wall"], ".4f"), fmt(speedup, ".3f"),
                fmt(cores, ".2f"), fmt(work, ".3f"), fmt(m["cpu_task"], ".3f"), fmt(m["vcs"], ".0f"),
                fmt(m["ics"], ".0f"), fmt(m["main"], ".0f"), fmt(m["sw"], ".0f"),
                fmt(m["req_sw"], ".2f"), forced, fmt(m["idle"], ".3f"), share))
        print()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: gil-vs-cpython.py RESULTS.json [MORE.json ...]")
    main(sys.argv[1:])
