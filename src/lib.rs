//! corelab: a workbench for concurrency experiments.
//!
//! - [`preset`]: experiments as JSON presets, validated.
//! - [`engine`]: workloads × execution models, run as a cancellable sweep that emits events.
//! - [`stats`]: pure statistics (summaries, speedup, efficiency).
//! - [`results`]: the results file every front end reads and writes.
//! - [`export`]: CSV and other exports of results.
//! - [`cli`]: the command line.

pub mod cli;
pub mod engine;
pub mod export;
pub mod gui;
pub mod preset;
pub mod results;
pub mod stats;
