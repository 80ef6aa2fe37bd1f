//! `corelab presets`: the built-in presets listed with what their sweeps cost here, or one of
//! them described (`presets NAME`) or printed to copy and edit (`presets NAME --json`).

use anyhow::{Context, Result};

use crate::preset::{ModelKind, builtin_presets, find_builtin};

/// The built-in presets, each with its title and what its sweep will cost on this machine
/// ([`crate::engine::estimate`]).
pub(super) fn list_presets(cores: Option<usize>) {
    let cores = cores.unwrap_or_else(crate::preset::available_cores);
    for p in builtin_presets() {
        match p.experiment() {
            Ok(e) => {
                let e = e.on_cores(cores);
                outln!(
                    "{:<28} {:<46} {}",
                    p.id,
                    e.name,
                    crate::engine::estimate::estimate(&e, cores).words()
                )
            }
            Err(err) => outln!("{:<28} (broken: {err})", p.id),
        }
    }
    // On stderr: stdout stays one line a preset.
    errln!(
        "`corelab presets NAME` says what a preset shows; `corelab presets NAME --json` prints it to copy and edit"
    );
}

/// The built-in preset `name`, or an error that lists the names.
fn builtin_named(name: &str) -> Result<&'static crate::preset::BuiltinPreset> {
    find_builtin(name).ok_or_else(|| {
        let names: Vec<&str> = builtin_presets().iter().map(|p| p.id).collect();
        let suggestion = crate::preset::nearest_builtin(name)
            .map_or(String::new(), |p| format!(" (did you mean `{}`?)", p.id));
        anyhow::anyhow!(
            "\"{}\" is not a built-in preset{suggestion}; choose one of {}",
            crate::export::sanitize::for_terminal_line(name),
            names.join(", ")
        )
    })
}

/// `corelab presets NAME`: what the preset shows, and how to run or copy it; with `json`, its
/// JSON as built in.
pub(super) fn show_preset(name: &str, json: bool, cores: Option<usize>) -> Result<()> {
    let preset = builtin_named(name)?;
    if json {
        out!("{}", preset.json);
        if !preset.json.ends_with('\n') {
            outln!("");
        }
        return Ok(());
    }
    let here = crate::preset::available_cores();
    let cores = cores.unwrap_or(here);
    let e = preset
        .experiment()
        .with_context(|| format!("the built-in preset {} is broken", preset.id))?
        .on_cores(cores);
    outln!("{}: {}", preset.id, e.name);
    outln!("");
    outln!("{}", e.description);
    outln!("");
    outln!("Models:");
    for m in &e.models {
        // Which kind of thread a teacher is looking at: "threads" is not Python's.
        let python = match m {
            _ if m.is_python() => " (real CPython)",
            ModelKind::Threads | ModelKind::Rayon => " (Rust threads, no GIL)",
            ModelKind::GilThreads => " (Rust threads behind an emulated GIL)",
            ModelKind::Processes => " (corelab's own worker processes, no Python)",
            _ => "",
        };
        outln!("  {}{python}: {}", m.id(), m.explanation());
    }
    let workers: Vec<String> = e.workers.iter().map(usize::to_string).collect();
    let rule = e
        .worker_rule
        .as_ref()
        .map_or(String::new(), |r| format!(" ({})", r.describe()));
    outln!("Workers: {}{rule}", workers.join(", "));
    outln!("Task: {}", e.task.kind.id());
    outln!("Baseline: {}", e.baseline.describe());
    let on = match cores == here {
        true => "here".to_string(),
        false => format!("on {}", crate::words::count(cores, "core")),
    };
    let estimate = crate::engine::estimate::estimate(&e, cores);
    outln!("Sweep {on}: {}", estimate.words());
    // A note where a cell without room computes; information where every such cell mostly
    // waits on a timer (the workbench's rule: `TargetWithoutRoom::may_cost_precision`).
    if let Some(t) = &estimate.target_without_room {
        let text = crate::export::target_without_room_text(t);
        match t.may_cost_precision() {
            true => outln!("Note: {text}"),
            false => outln!("About the precision target: {text}"),
        }
    }
    outln!("");
    outln!("Run it: corelab run {}", preset.id);
    outln!(
        "Copy and edit it: corelab presets {0} --json > my-{0}.json, then corelab run ./my-{0}.json",
        preset.id
    );
    Ok(())
}
