#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench of a debug build says quietly in its status bar that its figures are not for
//! publishing (the whole note on hover); a release build says nothing of it. The tests' build of
//! the library is a debug build unless `cargo test --release`.

mod common;

use common::gui::{app, harness};
use egui_kittest::kittest::Queryable;

#[test]
fn the_status_bar_says_a_debug_build_is_not_for_publishing() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(app(dir.path()));
    h.run();
    let shown = h
        .query_by_label("debug build: figures not for publishing")
        .is_some();
    assert_eq!(
        shown,
        cfg!(debug_assertions),
        "shown where, and only where, debug"
    );
    assert_eq!(
        corelab::results::this_build_note().is_some(),
        cfg!(debug_assertions)
    );
    assert!(
        corelab::results::DEBUG_BUILD_NOTE.starts_with("debug build: figures not for publishing (")
    );
}
