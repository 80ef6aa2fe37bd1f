#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Bad presets are rejected with a message that names the field and quotes the bad value.

use corelab::preset::{Experiment, PresetError, builtin_presets};

fn error_of(json: &str) -> String {
    Experiment::from_json(json)
        .expect_err("the preset must be rejected")
        .to_string()
}

#[test]
fn every_builtin_preset_is_valid_and_described() {
    assert!(builtin_presets().len() >= 8);
    for p in builtin_presets() {
        let exp = p.experiment().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(!exp.name.is_empty(), "{}", p.id);
        assert!(
            exp.description.len() > 100,
            "{} needs a one-paragraph description",
            p.id
        );
    }
}

#[test]
fn missing_fields_take_defaults() {
    let exp = Experiment::from_json(r#"{"version": 1, "workers": [1, 2]}"#).unwrap();
    assert_eq!(exp.workers, vec![1, 2]);
    assert_eq!(exp.repetitions, Experiment::default().repetitions);
    assert_eq!(exp.task, Experiment::default().task);
}

#[test]
fn unknown_fields_are_ignored_for_forward_compatibility() {
    assert!(Experiment::from_json(r#"{"version": 1, "colour": "blue"}"#).is_ok());
}

#[test]
fn zero_workers_names_the_entry() {
    let err = error_of(r#"{"workers": [1, 0]}"#);
    assert!(err.contains("`workers[1]` = 0"), "{err}");
}

#[test]
fn absurd_worker_counts_are_refused() {
    let err = error_of(r#"{"workers": [100000]}"#);
    assert!(err.contains("`workers[0]` = 100000"), "{err}");
    assert!(err.contains("at most"), "{err}");
}

#[test]
fn empty_model_list_is_refused() {
    let err = error_of(r#"{"models": []}"#);
    assert!(err.contains("`models` = []"), "{err}");
}

#[test]
fn negative_sizes_name_the_field_and_value() {
    let err = error_of(r#"{"task": {"kind": "cpu", "cpu": {"size": -5}}}"#);
    assert!(err.contains("task.cpu.size"), "{err}");
    assert!(err.contains("-5"), "{err}");
}

#[test]
fn unknown_model_names_the_field() {
    let err = error_of(r#"{"models": ["threads", "fibers"]}"#);
    assert!(err.contains("models[1]"), "{err}");
    assert!(err.contains("fibers"), "{err}");
}

#[test]
fn wrong_types_are_reported() {
    let err = error_of(r#"{"repetitions": "many"}"#);
    assert!(err.contains("repetitions"), "{err}");
    assert!(err.contains("many"), "{err}");
}

#[test]
fn broken_json_is_an_error_not_a_panic() {
    let err = error_of(r#"{"workers": [1, 2"#);
    assert!(err.contains("not valid"), "{err}");
}

#[test]
fn future_versions_are_refused() {
    let err = error_of(r#"{"version": 99}"#);
    assert!(err.contains("`version` = 99"), "{err}");
}

#[test]
fn zero_repetitions_and_bad_timeouts_are_refused() {
    assert!(error_of(r#"{"repetitions": 0}"#).contains("`repetitions` = 0"));
    assert!(error_of(r#"{"timeout_s": 0}"#).contains("`timeout_s` = 0"));
    assert!(error_of(r#"{"min_time_s": -1}"#).contains("`min_time_s` = -1"));
    assert!(error_of(r#"{"min_time_s": 1e300}"#).contains("`min_time_s` = 1"));
    assert!(
        error_of(r#"{"task": {"kind": "io", "io": {"sleep_ms": -1}}}"#)
            .contains("task.io.sleep_ms")
    );
}

#[test]
fn senseless_combinations_are_refused_with_a_reason() {
    let err = error_of(
        r#"{"task": {"kind": "contention", "contention": {"sync": "atomic"}}, "models": ["processes"]}"#,
    );
    assert!(err.contains("models[0]"), "{err}");
    assert!(err.contains("share no memory"), "{err}");
}

#[test]
fn deep_nesting_and_huge_input_do_not_exhaust_the_stack_or_memory() {
    let deep = format!(
        "{{\"task\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(Experiment::from_json(&deep).is_err());
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    assert!(matches!(
        Experiment::from_json(&huge),
        Err(PresetError::TooLarge { .. })
    ));
}

#[test]
fn a_missing_file_is_an_error_naming_the_path() {
    let err = Experiment::load(std::path::Path::new("/nonexistent/preset.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/preset.json"), "{err}");
}

#[test]
fn presets_round_trip_through_json() {
    for p in builtin_presets() {
        let exp = p.experiment().unwrap();
        assert_eq!(Experiment::from_json(&exp.to_json()).unwrap(), exp);
    }
}
