//! corelab: a workbench for concurrency experiments. The layers, in the one direction imports
//! point (`tests/layering.rs` checks it):
//!
//! - [`preset`]: experiments as JSON presets, validated.
//! - [`stats`]: pure statistics (summaries, speedup, efficiency) and scaling fits (Amdahl,
//!   Karp–Flatt, Universal Scalability Law) over numbers.
//! - [`results`]: the results file every front end reads and writes.
//! - [`engine`]: workloads × execution models, run as a cancellable sweep that emits events.
//! - [`analysis`]: the fits of a results file, with plain-language readings.
//! - [`export`]: CSV, terminal table, SVG/PNG charts and a Markdown report of results.
//! - `gui` (feature `gui`) and [`cli`]: the workbench and the command line.
//!
//! Below every layer:
//! - [`safe_fs`]: reading possibly hostile files (regular files only, capped) and atomic writes.
//! - [`sys`]: the system calls, the only `unsafe` code.
//! - [`words`]: counts and other English shared by the front ends.

// The documentation is for people working on corelab, built with private items
// (`cargo doc --no-deps --document-private-items`, which `.ci/run` runs with warnings denied),
// so a public item's notes may link the private constant or helper they explain.
#![allow(rustdoc::private_intra_doc_links)]

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod export;
#[cfg(feature = "gui")]
pub mod gui;
pub mod preset;
pub mod results;
pub mod safe_fs;
pub mod stats;
pub mod sys;
pub mod terminal_chars;
pub mod words;
