//! The cells' timelines in the Chrome Trace Event format (JSON object form), which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open: one process per cell, one thread per worker,
//! one complete (`"ph": "X"`) event per span with `ts`/`dur` in microseconds, and metadata
//! (`"ph": "M"`) events naming the processes and threads.
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
        for s in &t.spans {
            let name = match s.task {
                Some(task) => format!("task {task}"),
                None => s.state.label().to_string(),
            };
            let mut args = json!({ "state": s.state.label() });
            if let Some(task) = s.task {
                args["task"] = json!(task);
            }
            events.push(json!({
                "name": name,
                "cat": category(s.state),
                "ph": "X",
                "pid": pid,
                "tid": s.worker,
                "ts": s.start_ns as f64 / 1000.0,
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
}
