//! Opening a results file: the size cap, telling a results document from any other JSON, the
//! format and its version, and the refusal of figures no sweep writes; then the derived
//! fields, recomputed.

use std::path::Path;

use serde::Deserialize;

use super::document::{RESULTS_FORMAT, RESULTS_FORMAT_VERSION, ResultsFile};
use super::error::ResultsError;
use crate::results::{Timeline, consistency};

/// Largest results file corelab will open.
pub const MAX_RESULTS_BYTES: u64 = 256 * 1024 * 1024;
/// The most cells a results file may have: every model at every one of the most worker
/// counts a preset allows, and room to spare.
pub const MAX_CELLS: usize = 4096;

impl ResultsFile {
    /// Parses a results document (size-limited; serde_json bounds nesting depth). The text
    /// is read twice, as a stream, never as a `serde_json::Value` tree: once for the `format`
    /// field alone (so that any other JSON document is refused plainly), then straight into
    /// the typed structs. Memory stays a small multiple of the file size, time linear.
    pub fn from_json(text: &str, origin: &str) -> Result<ResultsFile, ResultsError> {
        // A hostile file's value quoted whole (a 5 MB model name) would make a 5 MB message.
        let parse_err = |message: String| ResultsError::Parse {
            path: origin.to_string(),
            message: crate::words::shortened(&message, crate::words::MAX_QUOTED_CHARS),
        };
        /// Only the `format` field; everything else is skipped without being stored.
        #[derive(Deserialize)]
        struct FormatOnly {
            #[serde(default)]
            format: Option<serde_json::Value>,
            #[serde(default)]
            format_version: Option<serde_json::Value>,
        }
        let head: FormatOnly = serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        // Checked before anything else, so that any other JSON document is refused plainly.
        match head.format.as_ref().map(|f| f.as_str().ok_or(f)) {
            Some(Ok(RESULTS_FORMAT)) => {}
            Some(Ok(other)) => {
                return Err(parse_err(format!(
                    "`format` is {other:?}, expected {RESULTS_FORMAT:?}"
                )));
            }
            Some(Err(other)) => {
                return Err(parse_err(format!(
                    "`format` is {other}, expected {RESULTS_FORMAT:?}"
                )));
            }
            None => {
                return Err(parse_err(format!(
                    "it has no `format` field (expected {RESULTS_FORMAT:?})"
                )));
            }
        }
        // A newer format is said to be one before its fields (which may have changed) are read.
        if let Some(found) = head.format_version.as_ref().and_then(|v| v.as_u64())
            && found > u64::from(RESULTS_FORMAT_VERSION)
        {
            return Err(ResultsError::NewerFormat {
                path: origin.to_string(),
                found,
            });
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let mut file: ResultsFile = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| parse_err(format!("at `{}`: {}", e.path(), e.inner())))?;
        de.end().map_err(|e| parse_err(e.to_string()))?;
        if file.format_version == 0 || file.format_version > RESULTS_FORMAT_VERSION {
            return Err(parse_err(format!(
                "`format_version` = {}: this corelab reads versions 1 to {RESULTS_FORMAT_VERSION}",
                file.format_version
            )));
        }
        // More cells or workers than any sweep makes (a hand-made or hostile file): refused,
        // since charts and tables are drawn per cell and per worker count every frame.
        if file.cells.len() > MAX_CELLS {
            return Err(parse_err(format!(
                "{} cells: a sweep makes at most {MAX_CELLS}",
                file.cells.len()
            )));
        }
        let most = crate::preset::limits::MAX_IN_FLIGHT;
        let workers = file.cells.iter().map(|c| c.workers);
        if let Some(w) = workers
            .chain(file.experiment.workers.iter().copied())
            .find(|&w| w > most)
        {
            return Err(parse_err(format!(
                "{w} workers: a sweep runs at most {most}"
            )));
        }
        if file.experiment.workers.len() > crate::preset::limits::MAX_WORKER_COUNTS {
            return Err(parse_err(format!(
                "`experiment.workers` lists {} counts: a sweep has at most {}",
                file.experiment.workers.len(),
                crate::preset::limits::MAX_WORKER_COUNTS
            )));
        }
        consistency::refuse_impossible(&file).map_err(|message| ResultsError::Contradiction {
            path: origin.to_string(),
            message,
        })?;
        // Stored counts are derived again from the samples they count.
        consistency::reconcile(&mut file);
        // A timeline larger than any this corelab records (a hand-made or hostile file) is
        // left out: drawing hundreds of thousands of spans would stall the workbench.
        for cell in &mut file.cells {
            cell.timeline = cell.timeline.take().filter(Timeline::within_limit);
            for s in cell.samples.iter_mut().chain(cell.warmups.iter_mut()) {
                s.timeline = s.timeline.take().filter(|t| t.within_limit());
            }
        }
        file.recompute();
        Ok(file)
    }

    /// Whether `path` is a regular file holding a results document
    /// ([`Self::is_results_document`]): where a preset is asked for, such a file stands for
    /// the experiment it recorded ([`Self::rerun_experiment`]). `corelab run` and the
    /// workbench's "Open preset…" both decide by this.
    pub fn file_is_results(path: &Path) -> bool {
        crate::safe_fs::read_regular_text(path, MAX_RESULTS_BYTES)
            .is_ok_and(|text| Self::is_results_document(&text))
    }

    /// Whether `text` is a JSON document whose `format` is [`RESULTS_FORMAT`]: a results
    /// file, to be told apart from a preset (whatever else it holds).
    pub fn is_results_document(text: &str) -> bool {
        #[derive(Deserialize)]
        struct FormatOnly {
            #[serde(default)]
            format: Option<serde_json::Value>,
        }
        serde_json::from_str::<FormatOnly>(text)
            .ok()
            .and_then(|h| h.format)
            .is_some_and(|f| f.as_str() == Some(RESULTS_FORMAT))
    }

    pub fn load(path: &Path) -> Result<ResultsFile, ResultsError> {
        let shown = path.display().to_string();
        let text =
            crate::safe_fs::read_regular_text(path, MAX_RESULTS_BYTES).map_err(|e| match e {
                crate::safe_fs::ReadError::TooLarge { bytes, limit } => ResultsError::TooLarge {
                    path: shown.clone(),
                    bytes,
                    limit,
                },
                other => ResultsError::Read {
                    path: shown.clone(),
                    source: other.into(),
                },
            })?;
        ResultsFile::from_json(&text, &shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_documents_are_refused_by_their_format() {
        let err = ResultsFile::from_json(r#"{"format": "x", "cells": 3}"#, "a.json").unwrap_err();
        assert!(err.to_string().contains("`format` is \"x\""), "{err}");
        let err = ResultsFile::from_json(r#"{"format": 7}"#, "a.json").unwrap_err();
        assert!(err.to_string().contains("`format` is 7"), "{err}");
        let err = ResultsFile::from_json(r#"{"cells": []}"#, "a.json").unwrap_err();
        assert!(err.to_string().contains("no `format` field"), "{err}");
        let err = ResultsFile::from_json(
            r#"{"format": "corelab-results", "format_version": 1, "cells": [{"workers": "x"}]}"#,
            "a.json",
        )
        .unwrap_err();
        assert!(err.to_string().contains("at `cells[0].workers`"), "{err}");
    }

    #[test]
    fn an_old_file_without_the_median_interval_loads_and_gets_it() {
        // As corelab wrote it before the median's interval existed: `wall` has only the
        // mean's interval.
        let old = r#"{"format": "corelab-results", "format_version": 1,
            "cells": [{"model": "sequential", "workers": 1, "status": "ok",
                "samples": [{"wall_s": 3.0}, {"wall_s": 1.0}, {"wall_s": 2.0}],
                "wall": {"n": 3, "min": 1.0, "max": 3.0, "median": 2.0, "mean": 2.0,
                         "stddev": 1.0, "ci95_low": 0.0, "ci95_high": 4.0, "outliers": []}}]}"#;
        let r = ResultsFile::from_json(old, "old.json").unwrap();
        let w = r.cells[0].wall.as_ref().unwrap();
        // Three runs: the range, with coverage 1 − 2/8.
        assert_eq!((w.median_ci_low, w.median_ci_high), (1.0, 3.0));
        assert!((w.median_ci_coverage - 0.75).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn a_timeline_larger_than_any_recorded_is_left_out_on_opening() {
        let span = r#"{"worker": 0, "state": "computing", "start_ns": 0, "end_ns": 1}"#;
        let spans = |n: usize| vec![span; n].join(",");
        let file = |n: usize| {
            format!(
                r#"{{"format": "corelab-results", "format_version": 1,
                "cells": [{{"model": "threads", "workers": 1, "status": "ok",
                    "samples": [{{"wall_s": 1.0, "timeline": {{"wall_ns": 1, "workers": ["t"], "spans": [{0}]}}}}],
                    "timeline": {{"wall_ns": 1, "workers": ["t"], "spans": [{0}]}}}}]}}"#,
                spans(n)
            )
        };
        let limit = crate::results::timeline::MAX_TIMELINE_SPANS;
        let kept = ResultsFile::from_json(&file(limit), "ok.json").unwrap();
        assert_eq!(kept.cells[0].timeline.as_ref().unwrap().spans.len(), limit);
        let big = ResultsFile::from_json(&file(limit + 1), "big.json").unwrap();
        assert!(big.cells[0].timeline.is_none());
        assert!(big.cells[0].samples[0].timeline.is_none());
    }

    #[test]
    fn a_timeline_of_more_lanes_than_a_sweep_has_is_left_out_on_opening() {
        use crate::results::timeline::MAX_TIMELINE_LANES;
        let file = |lanes: usize, worker: u64| {
            let names = vec!["\"\""; lanes].join(",");
            format!(
                r#"{{"format": "corelab-results", "format_version": 1,
                "cells": [{{"model": "threads", "workers": 1, "status": "ok",
                    "samples": [{{"wall_s": 1.0}}],
                    "timeline": {{"wall_ns": 1, "workers": [{names}],
                        "spans": [{{"worker": {worker}, "state": "computing", "start_ns": 0, "end_ns": 1}}]}}}}]}}"#
            )
        };
        let kept = ResultsFile::from_json(&file(MAX_TIMELINE_LANES, 0), "ok.json").unwrap();
        assert_eq!(
            kept.cells[0].timeline.as_ref().unwrap().workers.len(),
            MAX_TIMELINE_LANES
        );
        // Four million empty lane names made the trace export use over 14 GB.
        let wide = ResultsFile::from_json(&file(MAX_TIMELINE_LANES + 1, 0), "wide.json").unwrap();
        assert!(wide.cells[0].timeline.is_none());
        // A span on a lane far beyond any sweep's.
        let far = ResultsFile::from_json(&file(1, u64::from(u32::MAX)), "far.json").unwrap();
        assert!(far.cells[0].timeline.is_none());
    }

    /// A file with more cells or workers than any sweep makes is refused, saying why: drawn
    /// per cell and per worker count every frame, 200 000 cells froze the workbench.
    #[test]
    fn more_cells_or_workers_than_a_sweep_makes_are_refused() {
        // Distinct cells: five models, and worker counts from `workers` up.
        let file = |cells: usize, workers: usize| {
            let models = ["threads", "rayon", "processes", "gil-threads", "tokio"];
            let cells: Vec<String> = (0..cells)
                .map(|i| {
                    format!(
                        r#"{{"model": "{}", "workers": {}, "status": "ok", "samples": [{{"wall_s": 1.0}}]}}"#,
                        models[i % models.len()],
                        workers.saturating_add(i / models.len())
                    )
                })
                .collect();
            format!(
                r#"{{"format": "corelab-results", "format_version": 1, "cells": [{}]}}"#,
                cells.join(",")
            )
        };
        assert!(ResultsFile::from_json(&file(MAX_CELLS, 2), "ok.json").is_ok());
        let err = ResultsFile::from_json(&file(MAX_CELLS + 1, 2), "many.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("4097 cells: a sweep makes at most 4096"),
            "{err}"
        );
        let err = ResultsFile::from_json(&file(1, usize::MAX), "wide.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "{} workers: a sweep runs at most 1024",
                usize::MAX
            )),
            "{err}"
        );
        let planned = r#"{"format": "corelab-results", "format_version": 1,
                "experiment": {"workers": [1, 100000]}, "cells": []}"#;
        let err = ResultsFile::from_json(planned, "planned.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("100000 workers"), "{err}");
    }
}
