//! The cells' timelines in the Chrome Trace Event format (JSON object form), which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open: one process per cell, one thread per worker,
//! one complete (`"ph": "X"`) event per span with `ts`/`dur` in microseconds, and metadata
//! (`"ph": "M"`) events naming the processes and threads. A unit's time in a pipe overlaps
//! other units' (the next message waits while this one computes), which complete events on one
//! thread cannot show (they must nest), so transit spans are async events (`"ph": "b"`/`"e"`,
//! one id each), which viewers lay out in rows of their own.
//!
//! Each cell's timeline starts at 0 µs: cells are different runs, laid out on one time axis
//! from their own starts so they compare side by side.

use serde_json::{Value, json};

use crate::results::{ResultsFile, SpanState};

/// The category of a span's event (`cat`): one per state, so the viewer can filter them.
pub fn category(state: SpanState) -> &'static str {
    match state {
        SpanState::Computing => "computing",
        SpanState::LockWait => "lock-wait",
        SpanState::Io => "io",
        SpanState::Transit => "transit",
    }
}

/// The trace of every cell that has a timeline; `None` when none has.
pub fn chrome_trace(results: &ResultsFile) -> Option<Value> {
    let mut events = Vec::new();
    for (i, cell) in results.cells.iter().enumerate() {
        let Some(t) = &cell.timeline else { continue };
        let pid = i + 1;
        events.push(json!({
            "name": "process_name", "ph": "M", "pid": pid, "tid": 0,
            "args": { "name": format!("{} × {}", cell.model_id(), cell.workers) },
        }));
        events.push(json!({
            "name": "process_sort_index", "ph": "M", "pid": pid, "tid": 0,
            "args": { "sort_index": i },
        }));
        for (w, name) in t.workers.iter().enumerate() {
            events.push(json!({
                "name": "thread_name", "ph": "M", "pid": pid, "tid": w,
                "args": { "name": name },
            }));
        }
        let mut transit = 0usize;
        for s in &t.spans {
            let name = match s.task {
                Some(task) => format!("task {task}"),
                None => s.state.label().to_string(),
            };
            let mut args = json!({ "state": s.state.label() });
            if let Some(task) = s.task {
                args["task"] = json!(task);
            }
            let ts = s.start_ns as f64 / 1000.0;
            if s.state == SpanState::Transit {
                let id = format!("{pid}.{transit}");
                transit += 1;
                events.push(json!({
                    "name": name, "cat": category(s.state), "ph": "b", "id": id,
                    "pid": pid, "tid": s.worker, "ts": ts, "args": args,
                }));
                events.push(json!({
                    "name": name, "cat": category(s.state), "ph": "e", "id": id,
                    "pid": pid, "tid": s.worker, "ts": s.end_ns as f64 / 1000.0,
                }));
                continue;
            }
            events.push(json!({
                "name": name,
                "cat": category(s.state),
                "ph": "X",
                "pid": pid,
                "tid": s.worker,
                "ts": ts,
                "dur": s.duration_ns() as f64 / 1000.0,
                "args": args,
            }));
        }
    }
    if events.is_empty() {
        return None;
    }
    Some(json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "experiment": results.experiment.name,
            "corelab_version": results.corelab_version,
        },
    }))
}

/// The trace as pretty-enough JSON text; `None` when no cell has a timeline.
pub fn chrome_trace_json(results: &ResultsFile) -> Option<String> {
    chrome_trace(results).map(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CellResult, Span, Timeline};

    #[test]
    fn one_process_per_cell_and_one_thread_per_worker() {
        let mut results = ResultsFile::default();
        results.cells.push(CellResult {
            workers: 2,
            timeline: Some(Timeline {
                sample: Some(0),
                wall_ns: 3000,
                workers: vec!["thread 0".into(), "thread 1".into()],
                spans: vec![Span {
                    worker: 1,
                    task: Some(4),
                    state: SpanState::LockWait,
                    start_ns: 1500,
                    end_ns: 2500,
                }],
            }),
            ..CellResult::default()
        });
        results.cells.push(CellResult::default());
        let v = chrome_trace(&results).expect("a trace");
        let events = v["traceEvents"].as_array().expect("events");
        let x: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        assert_eq!(x.len(), 1);
        assert_eq!(x[0]["ts"], 1.5);
        assert_eq!(x[0]["dur"], 1.0);
        assert_eq!(x[0]["tid"], 1);
        assert_eq!(x[0]["cat"], "lock-wait");
        assert_eq!(x[0]["args"]["task"], 4);
        let threads = events.iter().filter(|e| e["name"] == "thread_name").count();
        assert_eq!(threads, 2);
        assert!(chrome_trace(&ResultsFile::default()).is_none());
    }

    #[test]
    fn overlapping_transits_are_async_pairs_with_their_own_ids() {
        let span = |task, state, start_ns, end_ns| Span {
            worker: 0,
            task: Some(task),
            state,
            start_ns,
            end_ns,
        };
        let mut results = ResultsFile::default();
        results.cells.push(CellResult {
            workers: 1,
            timeline: Some(Timeline {
                sample: Some(0),
                wall_ns: 4000,
                workers: vec!["process 0".into()],
                // Units 0 and 1 leave in one message; 1 waits while 0 computes.
                spans: vec![
                    span(0, SpanState::Transit, 0, 1000),
                    span(1, SpanState::Transit, 0, 2000),
                    span(0, SpanState::Computing, 1000, 2000),
                    span(1, SpanState::Computing, 2000, 3000),
                ],
            }),
            ..CellResult::default()
        });
        let v = chrome_trace(&results).expect("a trace");
        let events = v["traceEvents"].as_array().expect("events");
        let phase = |ph: &str| events.iter().filter(|e| e["ph"] == ph).collect::<Vec<_>>();
        // The computing spans, back to back, stay complete events on the worker's thread.
        assert_eq!(phase("X").len(), 2);
        assert!(phase("X").iter().all(|e| e["cat"] == "computing"));
        let (begins, ends) = (phase("b"), phase("e"));
        assert_eq!(begins.len(), 2);
        assert_eq!(ends.len(), 2);
        assert_ne!(begins[0]["id"], begins[1]["id"]);
        for (b, e) in begins.iter().zip(&ends) {
            assert_eq!(b["id"], e["id"]);
            assert_eq!(b["cat"], "transit");
            assert_eq!(b["name"], e["name"]);
        }
        assert_eq!(ends[1]["ts"], 2.0, "unit 1 waited until 2 µs");
    }
}
