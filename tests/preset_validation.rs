#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Bad presets are rejected with a message that names the field and quotes the bad value.

use corelab::preset::{Experiment, PresetError, ResultsView, builtin_presets};

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

/// A misspelt field used to run the defaults unnoticed (`repetitons`: 5 repetitions); now a
/// preset with a field no preset has is refused, naming it and, when near, the valid name.
/// (A preset written by a newer corelab with new fields says `version` 2 and is refused too.)
#[test]
fn unknown_fields_are_refused_naming_the_field_and_the_closest_name() {
    let err = error_of(r#"{"version": 1, "colour": "blue"}"#);
    assert_eq!(err, "`colour` is not a preset field");
    let err = error_of(r#"{"repetitons": 3}"#);
    assert_eq!(
        err,
        "`repetitons` is not a preset field (did you mean `repetitions`?)"
    );
    let err = error_of(r#"{"task": {"kind": "cpu", "cpu": {"size": 10, "bogus": 1}}}"#);
    assert_eq!(err, "`task.cpu.bogus` is not a preset field");
    let err = error_of(r#"{"python": {"interpeter": "python3"}, "x": 1}"#);
    assert_eq!(
        err,
        "`python.interpeter` is not a preset field (did you mean `interpreter`?) (and 1 more unknown field)"
    );
    let err = error_of(r#"{"workers": {"up_to": 4, "bogus": 1}}"#);
    assert!(err.contains("bogus"), "{err}");
}

#[test]
fn the_top_level_must_be_an_object() {
    for (text, found) in [("[]", "an array"), ("3", "a number"), ("\"x\"", "a string")] {
        assert_eq!(
            error_of(text),
            format!("a preset is a JSON object (`{{ … }}`) at the top level, and this is {found}")
        );
    }
    assert!(error_of(r#"{"name": "a"} {"name": "b"}"#).contains("trailing characters"));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let exp = Experiment::from_json("\u{feff}{\"repetitions\": 3}").unwrap();
    assert_eq!(exp.repetitions, 3);
}

/// The example and bench presets shipped beside the built-in ones load under the strict rules.
#[test]
fn every_shipped_preset_file_loads() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["assets/presets", "assets/examples", "benches"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                Experiment::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                seen += 1;
            }
        }
    }
    assert!(seen >= 10, "{seen} preset files");
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

// ---- Worker sweeps relative to the machine (issue 14) ----

#[test]
fn an_old_preset_with_a_worker_list_loads_unchanged() {
    let old = r#"{"version": 1, "workers": [1, 2, 3, 4], "repetitions": 5, "min_time_s": 0.5}"#;
    let exp = Experiment::from_json(old).unwrap();
    assert_eq!(exp.workers, vec![1, 2, 3, 4]);
    assert_eq!(exp.worker_rule, None);
    assert_eq!((exp.precision, exp.target_run_s), (0.0, 0.0));
    // Written back as it was: a list, and no new keys beyond the defaults.
    let again = Experiment::from_json(&exp.to_json()).unwrap();
    assert_eq!(again, exp);
    assert!(!exp.to_json().contains("worker_rule"));
}

#[test]
fn auto_and_rules_resolve_on_this_machine_and_are_saved_as_rules() {
    let cores = corelab::preset::available_cores();
    let exp = Experiment::from_json(r#"{"workers": "auto"}"#).unwrap();
    assert_eq!(exp.worker_rule, Some(corelab::preset::WorkerRule::AUTO));
    assert_eq!(exp.workers.last(), Some(&cores));
    assert_eq!(exp.workers[0], 1);
    let json = exp.to_json();
    assert!(json.contains(r#""workers": "auto""#), "{json}");
    assert_eq!(Experiment::from_json(&json).unwrap(), exp);

    let rule = r#"{"workers": {"up_to": "cores", "times": 2, "steps": "every"}}"#;
    let exp = Experiment::from_json(rule).unwrap();
    assert_eq!(exp.workers, (1..=2 * cores).collect::<Vec<_>>());
    let again = Experiment::from_json(&exp.to_json()).unwrap();
    assert_eq!(again, exp);

    // An edited list is saved as a list (with the rule it came from, for the record) and
    // loads as that list.
    let mut edited = exp.clone();
    edited.workers = vec![1, 3 * cores + 1];
    let back = Experiment::from_json(&edited.to_json()).unwrap();
    assert_eq!(back.workers, edited.workers);
}

#[test]
fn bad_worker_rules_quote_the_bad_value() {
    let err = error_of(r#"{"workers": "all"}"#);
    assert!(
        err.contains("\"all\"") && err.contains("`workers`"),
        "{err}"
    );
    let err = error_of(r#"{"workers": {"up_to": "sockets"}}"#);
    assert!(err.contains("\"sockets\""), "{err}");
    let err = error_of(r#"{"workers": {"up_to": "cores", "times": 0}}"#);
    assert!(err.contains("`workers.times` = 0"), "{err}");
    let err = error_of(r#"{"workers": {"up_to": 0}}"#);
    assert!(err.contains("`workers.up_to` = 0"), "{err}");
    let err = error_of(r#"{"workers": 4}"#);
    assert!(err.contains("4:") && err.contains("`workers`"), "{err}");
}

#[test]
fn precision_and_target_time_are_checked() {
    let err = error_of(r#"{"precision": 2}"#);
    assert!(err.contains("`precision` = 2"), "{err}");
    let err = error_of(r#"{"target_run_s": -1}"#);
    assert!(err.contains("`target_run_s` = -1"), "{err}");
    let err = error_of(r#"{"precision_budget_s": -0.5}"#);
    assert!(err.contains("`precision_budget_s` = -0.5"), "{err}");
    let exp = Experiment::from_json(r#"{"precision": 0.02, "target_run_s": 0.25}"#).unwrap();
    assert_eq!((exp.precision, exp.target_run_s), (0.02, 0.25));
}

#[test]
fn the_cpu_lesson_ends_at_the_core_count() {
    let cores = corelab::preset::available_cores();
    let exp = corelab::preset::find_builtin("cpu-threads-vs-processes")
        .unwrap()
        .experiment()
        .unwrap();
    assert_eq!(exp.workers.last(), Some(&cores));
    assert!(exp.target_run_s > 0.0 && exp.precision > 0.0);
}

/// Results files embed their experiment but are read leniently: every results file in docs/
/// (some from older versions) still loads.
#[test]
fn every_results_file_in_docs_still_loads() {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "json") {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs"),
        &mut files,
    );
    let mut loaded = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains("\"corelab-results\"") {
            continue; // selftest output, not a results file
        }
        corelab::results::ResultsFile::load(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        loaded += 1;
    }
    assert!(loaded >= 20, "{loaded} results files");
}

/// A run sized to `target_run_s` must fit in `timeout_s`, or every run times out.
#[test]
fn a_target_run_time_beyond_the_timeout_is_refused_quoting_both() {
    let err = error_of(r#"{"target_run_s": 90, "timeout_s": 60}"#);
    assert_eq!(
        err,
        "`target_run_s` = 90: runs sized to take 90 s would reach `timeout_s` = 60 s and fail; \
         make target_run_s shorter than timeout_s"
    );
    assert!(Experiment::from_json(r#"{"target_run_s": 0.5, "timeout_s": 60}"#).is_ok());
}

#[test]
fn a_payload_beyond_the_limit_is_refused_before_any_run() {
    let err = error_of(r#"{"task": {"payload_kib": 300}}"#);
    assert_eq!(
        err,
        "`task.payload_kib` = 300: must be between 0 and 256 KiB"
    );
    assert!(Experiment::from_json(r#"{"task": {"payload_kib": 256}}"#).is_ok());
}

#[test]
fn type_errors_name_the_type_in_words() {
    // A field without a range of its own is told its type's.
    let err = error_of(r#"{"version": -5}"#);
    assert!(
        err.contains("expected a whole number from 0 to 4294967295"),
        "{err}"
    );
    assert!(!err.contains("u32"), "{err}");
    let err = error_of(r#"{"precision": "tight"}"#);
    assert!(err.contains("expected a number"), "{err}");
}

#[test]
fn a_whole_number_that_does_not_fit_its_type_is_told_the_fields_own_range() {
    for (json, field, said) in [
        (
            r#"{"repetitions": -3}"#,
            "repetitions",
            "integer `-3`, expected a whole number between 1 and 1000",
        ),
        (
            r#"{"repetitions": 99999999999}"#,
            "repetitions",
            "expected a whole number between 1 and 1000",
        ),
        (
            r#"{"warmups": 2.5}"#,
            "warmups",
            "floating point `2.5`, expected a whole number between 0 and 100",
        ),
        (
            r#"{"task": {"payload_kib": -1}}"#,
            "task.payload_kib",
            "expected a whole number between 0 and 256 KiB",
        ),
        (
            r#"{"task": {"kind": "memory", "memory": {"array_mib": -1}}}"#,
            "task.memory.array_mib",
            "expected a whole number between 1 and 4096 MiB",
        ),
        (
            r#"{"task": {"kind": "contention", "contention": {"permits": -2}}}"#,
            "task.contention.permits",
            "expected a whole number between 1 and 512",
        ),
    ] {
        let err = error_of(json);
        assert!(err.contains(&format!("`{field}`")), "{json}: {err}");
        assert!(err.contains(said), "{json}: {err}");
        assert!(
            !err.contains("4294967295") && !err.contains("0 or more"),
            "{json}: {err}"
        );
        // Where the value is stays in the message.
        assert!(err.contains("at line 1 column"), "{json}: {err}");
    }
}

#[test]
fn a_function_task_needs_a_baseline_it_can_run() {
    let err = error_of(
        r#"{"task": {"kind": "function", "function": {"file": "w.py", "name": "f", "range": 4}},
            "models": ["py-threading"]}"#,
    );
    assert!(
        err.starts_with(
            "`baseline` = \"sequential\" with task.kind = \"function\": the sequential model cannot call a Python function"
        ),
        "{err}"
    );
    assert!(
        Experiment::from_json(
            r#"{"task": {"kind": "function", "function": {"file": "w.py", "name": "f", "range": 4}},
                "models": ["py-threading"], "baseline": "same-model-one-worker"}"#
        )
        .is_ok()
    );
}

/// A function task runs one task per call, so `tasks` follows the calls on loading: the
/// shipped example, which gives no `tasks`, is not the default 64 tasks for 16 calls (the
/// workbench showed it as modified on opening, and reports said "64 tasks").
#[test]
fn a_function_task_has_one_task_per_call() {
    let text = std::fs::read_to_string("assets/examples/pure-python-function.json").unwrap();
    assert!(!text.contains("\"tasks\""), "the example gives no tasks");
    let exp = Experiment::from_json(&text).unwrap();
    assert_eq!(exp.task.function.calls(), 16);
    assert_eq!(exp.task.tasks, 16);
    // Calls by range, too.
    let exp = Experiment::from_json(
        r#"{"task": {"kind": "function", "tasks": 64,
            "function": {"file": "/w/work.py", "name": "f", "range": 8}},
            "models": ["py-threading"], "baseline": "same-model-one-worker"}"#,
    )
    .unwrap();
    assert_eq!(exp.task.tasks, 8);
}

// ---- The view a preset opens on ----

#[test]
fn a_preset_without_a_view_loads_as_before_and_is_written_without_one() {
    let exp = Experiment::from_json(r#"{"version": 1, "workers": [1, 2]}"#).unwrap();
    assert_eq!(exp.view, None);
    assert!(!exp.to_json().contains("\"view\""), "{}", exp.to_json());
}

#[test]
fn a_view_reads_back_and_round_trips() {
    let text = r#"{"version": 1, "task": {"kind": "contention", "contention": {"sync": "none"}},
        "models": ["threads"], "view": "lost-updates"}"#;
    let exp = Experiment::from_json(text).unwrap();
    assert_eq!(exp.view, Some(ResultsView::LostUpdates));
    assert!(exp.to_json().contains("\"view\": \"lost-updates\""));
    assert_eq!(Experiment::from_json(&exp.to_json()).unwrap(), exp);
    for view in ResultsView::ALL {
        let text = format!(
            r#"{{"task": {{"kind": "contention"}}, "models": ["threads"], "view": "{view}"}}"#
        );
        assert_eq!(Experiment::from_json(&text).unwrap().view, Some(view));
    }
}

#[test]
fn an_unknown_view_is_refused_quoting_it() {
    let err = error_of(r#"{"version": 1, "view": "pie-chart"}"#);
    assert!(err.contains("`view`"), "{err}");
    assert!(err.contains("pie-chart"), "{err}");
    assert!(
        err.contains("lost-updates"),
        "the valid names are listed: {err}"
    );
}

#[test]
fn a_view_the_task_cannot_show_is_refused_naming_the_task_kind() {
    let err = error_of(r#"{"version": 1, "task": {"kind": "cpu"}, "view": "lost-updates"}"#);
    assert_eq!(
        err,
        "`view` = \"lost-updates\": only a `contention` task counts lost updates, and this is a \
         `cpu` task; choose one of speedup, efficiency, time, table, fits, timeline"
    );
    // Every other view suits any task.
    for view in ["speedup", "efficiency", "time", "table", "fits", "timeline"] {
        let text = format!(r#"{{"task": {{"kind": "io"}}, "view": "{view}"}}"#);
        assert!(Experiment::from_json(&text).is_ok(), "{view}");
    }
}

#[test]
fn the_lost_updates_lessons_open_on_the_lost_updates_view() {
    for id in [
        "lost-updates",
        "lost-updates-processes",
        "python-lost-updates",
    ] {
        let exp = corelab::preset::find_builtin(id)
            .unwrap()
            .experiment()
            .unwrap();
        assert_eq!(exp.view, Some(ResultsView::LostUpdates), "{id}");
    }
}

#[test]
fn a_misspelt_view_field_is_named_with_the_valid_name() {
    assert_eq!(
        error_of(r#"{"views": "table"}"#),
        "`views` is not a preset field (did you mean `view`?)"
    );
}

/// The sync menu's rule (`SyncMode::refusal_for`, which the workbench offers by) is the one validation
/// applies: a contention experiment of the sequential baseline and one model is valid exactly
/// when the model can use the sync, and a refusal names the model and quotes the sync.
#[test]
fn sync_refusal_is_the_rule_validation_applies() {
    use corelab::preset::{ModelKind, SyncMode, TaskKind, model_runs};
    let mut checked = 0;
    for m in ModelKind::ALL {
        for s in SyncMode::ALL {
            let mut exp = Experiment::default();
            exp.task.kind = TaskKind::Contention;
            exp.task.contention.sync = s;
            exp.models = vec![ModelKind::Sequential, m];
            exp.models.dedup();
            if !model_runs(m, &exp.task) || (m.is_python() && !m.runs_python_contention()) {
                continue;
            }
            checked += 1;
            match (s.refusal_for(m), exp.validate()) {
                (None, Ok(())) => {}
                (Some(reason), Err(e)) => {
                    let e = e.to_string();
                    assert!(e.contains(reason), "{m} × {}: {e}", s.id());
                    assert!(e.contains(&format!("\"{m}\"")), "{e}");
                    assert!(e.contains(&format!("\"{}\"", s.id())), "{e}");
                }
                (refusal, result) => {
                    panic!("{m} × {}: rule {refusal:?}, validation {result:?}", s.id())
                }
            }
        }
    }
    assert!(checked >= 5 * 6, "only {checked} combinations checked");
}
