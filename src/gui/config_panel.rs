//! The left panel: every field of the experiment, with sensible ranges and tooltips.

use eframe::egui;

use super::python_probe::{ALLOW_BUTTON, CHECK_BUTTON, PythonProbe};
use super::typed_number;
use crate::engine::interpreter;
use crate::preset::{
    Baseline, CpuKernel, Experiment, IoMode, ModelKind, StartMethod, SyncMode, TaskKind, limits,
};

/// Editing state that is not part of the experiment itself (the worker-list text).
#[derive(Clone, Debug, Default)]
pub struct ConfigEditor {
    /// The worker counts as typed, e.g. `1, 2, 4`.
    pub workers_text: String,
    /// Why `workers_text` is not a valid list, if it is not.
    pub workers_error: Option<String>,
    /// The list `workers_text` was last synchronised with.
    synced: Vec<usize>,
    /// The user collapsed "What this experiment shows" (it is open otherwise, for a preset
    /// from a file as for a built-in one; kept between sessions).
    pub description_collapsed: bool,
    /// The folder a relative Python module path is taken from: the preset file's, when the
    /// configuration came from one; `None`: the current directory (as the CLI has it).
    pub module_base: Option<std::path::PathBuf>,
}

impl ConfigEditor {
    /// An editor whose description header starts collapsed or open, as the user left it.
    pub fn with_description_collapsed(collapsed: bool) -> Self {
        ConfigEditor {
            description_collapsed: collapsed,
            ..ConfigEditor::default()
        }
    }

    /// Re-reads the worker list from the experiment when it was changed elsewhere (a preset
    /// was loaded, a button was pressed).
    pub fn sync(&mut self, exp: &Experiment) {
        if self.synced != exp.workers
            || (self.workers_text.is_empty() && self.workers_error.is_none())
        {
            self.workers_text = format_workers(&exp.workers);
            self.workers_error = None;
            self.synced = exp.workers.clone();
        }
    }
}

impl ConfigEditor {
    /// Sets the worker counts from a button: the text always shows the new list, even when
    /// it equals the last valid one (a bad list typed since is replaced, its error cleared).
    pub fn replace_workers(&mut self, exp: &mut Experiment, workers: Vec<usize>) {
        self.workers_text = format_workers(&workers);
        self.workers_error = None;
        self.synced = workers.clone();
        exp.workers = workers;
    }
}

pub fn format_workers(workers: &[usize]) -> String {
    workers
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The CPUs this process may run on: [`crate::preset::available_cores`].
pub fn logical_cores() -> usize {
    crate::preset::available_cores()
}

/// What the panel asks the app to do, applied after every panel has drawn.
#[must_use]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigCommand {
    /// The user confirmed that this interpreter (from an opened file) may run.
    ConfirmInterpreter(String),
    /// The user pressed **Check interpreter**.
    CheckInterpreter,
}

/// A menu of the panel (`id` its id salt), as wide as usual, or what is left of the row where
/// that is less (at the panel's least width, beside a long label), so that it never runs past
/// the panel's edge; its text is then shortened with "…".
fn fitted_combo(ui: &egui::Ui, id: &str) -> egui::ComboBox<'static> {
    let width = ui
        .spacing()
        .combo_width
        .min(ui.available_width())
        .max(ui.spacing().interact_size.x);
    egui::ComboBox::from_id_salt(id).width(width).truncate()
}

/// The header of the experiment's description in the panel.
pub const DESCRIPTION_HEADER: &str = "What this experiment shows";

/// Draws the configuration; `enabled` is false while a sweep runs.
pub fn show(
    ui: &mut egui::Ui,
    editor: &mut ConfigEditor,
    exp: &mut Experiment,
    python: &PythonProbe,
    enabled: bool,
) -> Option<ConfigCommand> {
    editor.sync(exp);
    let mut command = None;
    ui.add_enabled_ui(enabled, |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("Name");
            // As wide as what is left of the row, never wider (the panel's edge clips).
            let width = ui.available_width();
            ui.add(egui::TextEdit::singleline(&mut exp.name).desired_width(width))
                .labelled_by(l.id);
        });
        if !exp.description.is_empty() {
            // Open unless the user collapsed it: a preset file's description is the one
            // place its author (a teacher, say) explains it, and a built-in's full text is
            // only here too (the gallery shows its first sentence).
            let header = egui::CollapsingHeader::new(DESCRIPTION_HEADER)
                .open(Some(!editor.description_collapsed))
                .show(ui, |ui| {
                    super::prose::label(ui, &exp.description);
                });
            if header.header_response.clicked() {
                editor.description_collapsed = !editor.description_collapsed;
            }
        }
        // Each section in its own id scope: the Python section comes and goes (the interpreter
        // check answering, a py-* model ticked), and without a scope every widget below it
        // changed id in that frame, so an edit made then (a drag, a typed value, a screen
        // reader's "set value") was lost.
        ui.separator();
        let module_base = editor.module_base.clone();
        section(ui, "task", |ui| {
            task_section(ui, exp, module_base.as_deref())
        });
        ui.separator();
        section(ui, "workers", |ui| workers_section(ui, editor, exp));
        ui.separator();
        command = section(ui, "models", |ui| {
            models_section(ui, exp, python, module_base.as_deref())
        });
        if exp.models.iter().any(|m| m.is_python()) || python.summary(&exp.python).is_err() {
            ui.separator();
            let confirm = section(ui, "python", |ui| python_section(ui, exp, python));
            command = confirm.or(command.take());
        }
        ui.separator();
        section(ui, "measurement", |ui| measurement_section(ui, exp));
    });
    command
}

/// A section of the panel in a scope whose id is its name alone, not its place: the widgets in
/// it keep their ids whatever sections come and go above it.
fn section<R>(ui: &mut egui::Ui, name: &str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let id = egui::Id::unique(("corelab-config-section", name));
    ui.scope_builder(egui::UiBuilder::new().scope_id(id), |ui| {
        let inner = add(ui);
        // What became of text typed into its number fields, below them.
        typed_number::show_notes(ui);
        inner
    })
    .inner
}

fn task_section(ui: &mut egui::Ui, exp: &mut Experiment, module_base: Option<&std::path::Path>) {
    let kind_before = exp.task.kind;
    task_fields(ui, exp, module_base);
    // A Python function has no sequential run to compare with: each Python model is measured
    // against itself at one worker.
    if exp.task.kind == TaskKind::Function && kind_before != TaskKind::Function {
        exp.baseline = Baseline::SameModelOneWorker;
    }
    if exp.task.kind != kind_before {
        fit_models_to_kind(exp);
        retitle_for_own_task(exp);
    }
    // A title the workbench wrote follows the module and function as they are typed.
    if exp.task.kind == TaskKind::Function && exp.name.starts_with(OWN_FUNCTION_TITLE) {
        let title = own_title(exp);
        if exp.name != title {
            exp.name = title;
        }
    }
}

/// How the workbench titles an experiment on the user's own Python function: followed by
/// the module and function, `My function: work.crunch`.
pub const OWN_FUNCTION_TITLE: &str = "My function";

/// The title the workbench gives an experiment whose task the user chose: `My function:
/// work.crunch` for a function (as far as the fields are filled in), `My cpu task` otherwise.
fn own_title(exp: &Experiment) -> String {
    if exp.task.kind != TaskKind::Function {
        return format!("My {} task", exp.task.kind.id());
    }
    let f = &exp.task.function;
    let module = std::path::Path::new(f.file.trim())
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match (module.as_str(), f.name.trim()) {
        ("", "") => OWN_FUNCTION_TITLE.to_string(),
        (m, "") => format!("{OWN_FUNCTION_TITLE}: {m}"),
        ("", n) => format!("{OWN_FUNCTION_TITLE}: {n}"),
        (m, n) => format!("{OWN_FUNCTION_TITLE}: {m}.{n}"),
    }
}

/// After the task's kind changed, the experiment is the user's own: its description (the
/// lesson of the preset it came from, about another workload) goes, and so does a title that
/// names a built-in lesson ("Start here: …") or one the workbench wrote for another kind; a
/// title the user typed is kept. Results and their autosaved file are named by the title.
fn retitle_for_own_task(exp: &mut Experiment) {
    exp.description.clear();
    let name = exp.name.trim();
    let ours = name.is_empty()
        || name.starts_with(OWN_FUNCTION_TITLE)
        || (name.starts_with("My ") && name.ends_with(" task"))
        || crate::preset::builtin_presets()
            .iter()
            .filter_map(|p| p.experiment().ok())
            .any(|e| e.name.trim() == name);
    if ours {
        exp.name = own_title(exp);
    }
}

/// After the task's kind changed: the models that cannot run it are unticked (a Python
/// function under `threads`, a command under `processes`), and when none is left the kind's
/// usual pair is ticked, so that Run does not refuse what the panel shows. A target time per run
/// is dropped for kinds it cannot size (a command, a function), rather than kept unused, and so
/// is a view the kind cannot show.
fn fit_models_to_kind(exp: &mut Experiment) {
    exp.models
        .retain(|&m| crate::preset::model_runs(m, &exp.task));
    if exp.models.is_empty() {
        exp.models = match exp.task.kind {
            TaskKind::Function => vec![ModelKind::PyThreading, ModelKind::PyMultiprocessing],
            TaskKind::Command => vec![ModelKind::Sequential, ModelKind::Threads],
            _ => vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Processes,
            ],
        };
    }
    if exp.task.size_knob().is_none() {
        exp.target_run_s = 0.0;
    }
    // A view the new kind cannot show (lost updates of a cpu task) would refuse Run and Save.
    if exp
        .view
        .and_then(|v| v.unavailable_for(exp.task.kind))
        .is_some()
    {
        exp.view = None;
    }
}

fn task_fields(ui: &mut egui::Ui, exp: &mut Experiment, module_base: Option<&std::path::Path>) {
    ui.strong("Task");
    let models = exp.models.clone();
    let task = &mut exp.task;
    egui::Grid::new("task-grid").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
        let l = ui.label("Kind").on_hover_text("What each task does.");
        fitted_combo(ui, "task-kind")
            .selected_text(task.kind.id())
            .show_ui(ui, |ui| {
                for k in TaskKind::ALL {
                    ui.selectable_value(&mut task.kind, k, k.id())
                        .on_hover_text(kind_help(k));
                }
            })
            .response
            .on_hover_text(kind_help(task.kind))
.labelled_by(l.id);
        ui.end_row();

        if task.kind != TaskKind::Contention {
            let l = ui.label("Tasks").on_hover_text(
                "How many independent pieces the work is split into (granularity). More tasks balance better but cost more hand-overs.",
            );
            typed_number::add(ui, "Tasks", &mut task.tasks, 1..=limits::MAX_TASKS, |d| d.speed(1.0))
.labelled_by(l.id);
            ui.end_row();
        }

        match task.kind {
            TaskKind::Cpu => {
                let l = ui.label("Kernel");
                fitted_combo(ui, "cpu-kernel")
                    .selected_text(task.cpu.kernel.id())
                    .show_ui(ui, |ui| {
                        for k in CpuKernel::ALL {
                            ui.selectable_value(&mut task.cpu.kernel, k, k.id());
                        }
                    })
                    .response
                    .on_hover_text(
                        "primes: count primes by trial division; later tasks cost more (uneven).\nhash-chain: rounds of a 64-bit mix, split evenly (balanced).",
                    )
.labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Size").on_hover_text(
                    "Upper bound of the prime range, or the total number of hash rounds.",
                );
                let speed = task.cpu.size as f64 * 0.01 + 1.0;
                typed_number::add(ui, "Size", &mut task.cpu.size, 1..=limits::MAX_CPU_SIZE, |d| d.speed(speed))
.labelled_by(l.id);
                ui.end_row();
            }
            TaskKind::Io => {
                let l = ui.label("Mode");
                fitted_combo(ui, "io-mode")
                    .selected_text(task.io.mode.id())
                    .show_ui(ui, |ui| {
                        for m in IoMode::ALL {
                            ui.selectable_value(&mut task.io.mode, m, m.id());
                        }
                    })
                    .response
                    .on_hover_text(
                        "sleep: each task waits (network latency).\nfile: each task writes, fsyncs and reads back a temporary file.",
                    )
.labelled_by(l.id);
                ui.end_row();
                match task.io.mode {
                    IoMode::Sleep => {
                        let l = ui.label("Wait per task");
                        typed_number::add(ui, "Wait per task", &mut task.io.sleep_ms, 0.0..=limits::MAX_SLEEP_MS, |d| d.speed(0.5).suffix(" ms"))
.labelled_by(l.id);
                    }
                    IoMode::File => {
                        let l = ui.label("File size");
                        typed_number::add(ui, "File size", &mut task.io.file_kib, 1..=limits::MAX_FILE_KIB, |d| d.speed(4.0).suffix(" KiB"))
.labelled_by(l.id);
                    }
                }
                ui.end_row();
            }
            TaskKind::Memory => {
                let l = ui.label("Array size").on_hover_text(
                    "Size of each of the three triad arrays. Keep it well above the last-level cache: with a target run time, corelab raises it until the three arrays hold four times this machine's last-level cache.",
                );
                typed_number::add(ui, "Array size", &mut task.memory.array_mib, 1..=limits::MAX_ARRAY_MIB, |d| d.speed(1.0).suffix(" MiB"))
.labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Passes");
                typed_number::add(ui, "Passes", &mut task.memory.passes, 1..=limits::MAX_PASSES, |d| d)
.labelled_by(l.id);
                ui.end_row();
            }
            TaskKind::Contention => {
                sync_row(ui, &mut task.contention.sync, &models);
                let l = ui.label("Increments").on_hover_text("Increments each worker performs.");
                let speed = task.contention.increments as f64 * 0.01 + 1.0;
                typed_number::add(ui, "Increments", &mut task.contention.increments, 1..=limits::MAX_INCREMENTS, |d| d.speed(speed))
.labelled_by(l.id);
                ui.end_row();
                if task.contention.sync == SyncMode::Semaphore {
                    let l = ui.label("Permits").on_hover_text("Workers admitted at once.");
                    typed_number::add(ui, "Permits", &mut task.contention.permits, 1..=limits::MAX_WORKERS as u32, |d| d)
.labelled_by(l.id);
                    ui.end_row();
                }
            }
            TaskKind::Mixed => {
                let l = ui.label("Compute per task");
                typed_number::add(ui, "Compute per task", &mut task.mixed.compute_ms, 0.0..=limits::MAX_SLEEP_MS, |d| d.speed(0.5).suffix(" ms"))
.labelled_by(l.id);
                ui.end_row();
                let l = ui.label("Wait per task");
                typed_number::add(ui, "Wait per task", &mut task.mixed.wait_ms, 0.0..=limits::MAX_SLEEP_MS, |d| d.speed(0.5).suffix(" ms"))
.labelled_by(l.id);
                ui.end_row();
            }
            TaskKind::Command => super::command_task::command_ui(ui, &mut task.command),
            TaskKind::Function => {
                super::command_task::function_ui(ui, &mut task.function, module_base);
                // One task per call (what the Python worker runs), so the estimates agree.
                task.tasks = task.function.calls().clamp(1, limits::MAX_TASKS as usize) as u32;
            }
        }
    });
    target_run_row(ui, exp);
}

/// The contention task's sync menu: a sync that a ticked model cannot use is shown greyed out,
/// with which model and why in its hover (the rule validation applies, [`SyncMode::refusal_for`]). When
/// the models change under a sync that one of them cannot use, a line under the menu says so
/// and what to do; the sync is not switched behind the user's back.
fn sync_row(ui: &mut egui::Ui, sync: &mut SyncMode, models: &[ModelKind]) {
    let l = ui.label("Synchronisation");
    fitted_combo(ui, "sync-mode")
        .selected_text(sync.id())
        .show_ui(ui, |ui| {
            for s in SyncMode::ALL {
                match sync_refusals(s, models) {
                    None => {
                        ui.selectable_value(sync, s, s.id());
                    }
                    Some(why) => {
                        let response =
                            ui.add_enabled(false, egui::Button::selectable(*sync == s, s.id()));
                        ui.ctx().accesskit_node_builder(response.id, |node| {
                            node.set_description(why.clone());
                        });
                        response.on_disabled_hover_text(why);
                    }
                }
            }
        })
        .response
        .on_hover_text(
            "How workers protect the shared counter: mutex, atomic, a channel to one owner, a semaphore, or nothing (updates get lost).",
        )
        .labelled_by(l.id);
    ui.end_row();
    if let Some(why) = sync_refusals(*sync, models) {
        let usable: Vec<&str> = SyncMode::ALL
            .into_iter()
            .filter(|s| sync_refusals(*s, models).is_none())
            .map(SyncMode::id)
            .collect();
        let refusing: Vec<&str> = models
            .iter()
            .filter(|m| sync.refusal_for(**m).is_some())
            .map(|m| m.id())
            .collect();
        ui.label("");
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!(
                    "Run will refuse this: {why}.\nChoose {} here, or untick {}.",
                    usable.join(" or "),
                    refusing.join(", ")
                ))
                .color(ui.visuals().warn_fg_color),
            )
            .wrap(),
        );
        ui.end_row();
    }
}

/// Which of `models` cannot use `sync`, and why (`py-threading, py-multiprocessing cannot use
/// atomic: …`), one line per reason; `None` when every one of them can.
fn sync_refusals(sync: SyncMode, models: &[ModelKind]) -> Option<String> {
    let mut reasons: Vec<(Vec<&str>, &str)> = Vec::new();
    for &m in models {
        let Some(reason) = sync.refusal_for(m) else {
            continue;
        };
        match reasons.iter_mut().find(|(_, r)| *r == reason) {
            Some((names, _)) => names.push(m.id()),
            None => reasons.push((vec![m.id()], reason)),
        }
    }
    if reasons.is_empty() {
        return None;
    }
    let lines: Vec<String> = reasons
        .into_iter()
        .map(|(names, reason)| format!("{} cannot use {}: {reason}", names.join(", "), sync.id()))
        .collect();
    Some(lines.join("\n"))
}

/// The longest run of the sweep the estimate foresees for the size as typed, on this
/// machine's usable cores; `None` where the estimate cannot tell.
fn longest_run_s(exp: &Experiment) -> Option<f64> {
    let planned =
        crate::engine::estimate::planned_cost(exp, crate::preset::available_cores()).ok()?;
    planned
        .cells
        .iter()
        .map(|c| c.run_s)
        .filter(|s| s.is_finite())
        .reduce(f64::max)
}

/// The time one run is sized to (`target_run_s`), for the kinds whose size corelab can
/// calibrate: without it in view, a size typed above seems to do nothing, since calibration
/// replaces it at Run.
fn target_run_row(ui: &mut egui::Ui, exp: &mut Experiment) {
    let Some((knob, _)) = exp.task.size_knob() else {
        return;
    };
    // Wrapped: at the panel's least width the note does not fit beside the value.
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Size to a run of").on_hover_text(
            "target_run_s: at Run, a short calibration scales the task's size so that one run \
             of the slowest kind of model takes about this long on this machine. 0 = off: the \
             size is used as typed.",
        );
        typed_number::add(
            ui,
            "Size to a run of",
            &mut exp.target_run_s,
            0.0..=600.0,
            |d| d.speed(0.05).suffix(" s"),
        )
        .labelled_by(l.id);
        ui.weak(if exp.target_run_s > 0.0 {
            "calibrated at Run"
        } else {
            "off"
        });
    });
    if exp.target_run_s <= 0.0 {
        // Nothing then bounds a run but the timeout: a size typed too large (up to 10¹²)
        // runs until every run is stopped at it. A warning where a run of the typed size may
        // come near it (or its length is unknown); a plain note where runs are estimated well
        // within it (a built-in I/O preset's 10 ms waits are no cause for alarm).
        let text = egui::RichText::new(format!(
            "Off: the size above ({knob}) is used as typed, and only the {} s timeout stops a run that is too long.",
            exp.timeout_s
        ));
        let text = match longest_run_s(exp).is_some_and(|s| s < exp.timeout_s / 4.0) {
            true => text.weak(),
            false => text.color(ui.visuals().warn_fg_color),
        };
        ui.add(egui::Label::new(text).wrap());
    }
    if exp.target_run_s > 0.0 {
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!(
                    "The size above ({knob}) is only the starting point: Run calibrates it to \
                     this machine. Set 0 to measure it as typed."
                ))
                .weak(),
            )
            .wrap(),
        );
    }
}

fn kind_help(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Cpu => "Pure computation: scales with cores, not beyond.",
        TaskKind::Io => "Waiting on latency or files: scales far past the core count.",
        TaskKind::Memory => "A STREAM-style triad: limited by memory bandwidth, not cores.",
        TaskKind::Contention => {
            "Workers hammer one shared counter: synchronisation cost dominates."
        }
        TaskKind::Mixed => "Each task computes, then waits.",
        TaskKind::Command => "Your program, run once per task, N at a time (like xargs -P).",
        TaskKind::Function => "Your Python function, called once per task (Python models).",
    }
}

fn workers_section(ui: &mut egui::Ui, editor: &mut ConfigEditor, exp: &mut Experiment) {
    ui.strong("Workers")
        .on_hover_text("The x axis: every worker count is run with every model.");
    ui.horizontal(|ui| {
        let label = ui.label("Worker counts");
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut editor.workers_text)
                    .desired_width(ui.available_width())
                    .hint_text("1, 2, 4, 8  or  1-8"),
            )
            .labelled_by(label.id)
            .on_hover_text("Worker counts separated by commas or spaces, or ranges like 1-8 (the syntax of corelab run --workers).");
        if edit.changed() {
            match crate::preset::parse_worker_list(&editor.workers_text) {
                Ok(list) => {
                    exp.workers = list.clone();
                    editor.synced = list;
                    editor.workers_error = None;
                }
                Err(e) => editor.workers_error = Some(e.to_string()),
            }
        }
    });
    if let Some(err) = &editor.workers_error {
        ui.colored_label(ui.visuals().error_fg_color, err);
    }
    ui.horizontal_wrapped(|ui| {
        let logical = logical_cores();
        if ui
            .button("1..2× logical cores")
            .on_hover_text(format!(
                "Worker counts from 1 to {} (twice the {logical} logical cores), to see where the curves flatten.",
                2 * logical
            ))
            .clicked()
        {
            editor.replace_workers(exp, crate::preset::one_to_twice_the_cores(logical));
        }
        if ui
            .button("Powers of 2")
            .on_hover_text(
                "1, 2, 4, … up to twice the logical cores, with the core count itself (the preset rule {\"up_to\": \"cores\", \"times\": 2}).",
            )
            .clicked()
        {
            let powers = crate::preset::WorkerRule::TWICE_THE_CORES_POWERS_OF_2.resolve(logical);
            editor.replace_workers(exp, powers);
        }
    });
}

fn models_section(
    ui: &mut egui::Ui,
    exp: &mut Experiment,
    python: &PythonProbe,
    module_base: Option<&std::path::Path>,
) -> Option<ConfigCommand> {
    ui.strong("Models")
        .on_hover_text("Execution models to compare: one curve each.");
    // Greyed-out models, with why: said under the list, not only in a hover.
    let mut greyed: Vec<(ModelKind, String)> = Vec::new();
    for m in ModelKind::ALL {
        let mut on = exp.models.contains(&m);
        // The task's kind first (tokio cannot run a contention task), then this machine's
        // Python: the rule validation applies, so a ticked box is one Run can measure.
        let unavailable = crate::preset::model_refusal(m, &exp.task)
            .map(str::to_string)
            .or_else(|| python.unavailable(m, &exp.python));
        // A model that cannot run can still be switched off: ticked, it stays clickable but
        // is drawn greyed and struck through, so that it does not look like one Run measures.
        let enabled = on || unavailable.is_none();
        let text = if on && unavailable.is_some() {
            egui::RichText::new(m.id())
                .strikethrough()
                .color(ui.visuals().weak_text_color())
        } else {
            egui::RichText::new(m.id())
        };
        let response = ui.add_enabled(enabled, egui::Checkbox::new(&mut on, text));
        let response = match (&unavailable, enabled) {
            (Some(reason), false) => {
                greyed.push((m, reason.clone()));
                let why = format!("Unavailable: {reason}");
                // A screen reader says why with the greyed-out box.
                ui.ctx().accesskit_node_builder(response.id, |node| {
                    node.set_description(why.clone());
                });
                response.on_disabled_hover_text(why)
            }
            (Some(reason), true) => {
                let why = format!("Cannot run here: {reason}. Untick it to run the others.");
                ui.ctx().accesskit_node_builder(response.id, |node| {
                    node.set_description(why.clone());
                });
                response.on_hover_text(format!("{}\n\n{why}", m.explanation()))
            }
            // A plain function under py-asyncio: its curve cannot show overlap (from the
            // task grid's cached look at the module, read only when the file or name changes,
            // never in every frame of the hover).
            (None, _) if m == ModelKind::PyAsyncio && exp.task.kind == TaskKind::Function => {
                let function = &exp.task.function;
                let ticked = exp.models.contains(&m);
                response.on_hover_ui(|ui| {
                    ui.label(m.explanation());
                    if !ticked {
                        return;
                    }
                    let look = crate::gui::module_look::current(
                        ui.ctx(),
                        &function.file,
                        module_base,
                        &function.name,
                    );
                    if let Some(note) = look.asyncio_note() {
                        ui.colored_label(ui.visuals().warn_fg_color, note);
                    }
                })
            }
            (None, _) => response.on_hover_text(m.explanation()),
        };
        if response.changed() {
            if on {
                exp.models.push(m);
                exp.models
                    .sort_by_key(|x| ModelKind::ALL.iter().position(|y| y == x));
            } else {
                exp.models.retain(|x| *x != m);
            }
        }
    }
    // A broken interpreter greys every Python model: its line below says why, once.
    let summary = python.summary(&exp.python);
    greyed.retain(|(_, reason)| Some(reason) != summary.as_ref().err());
    greyed_models_ui(ui, &greyed);
    for line in cluster_lines(exp) {
        ui.add(egui::Label::new(egui::RichText::new(line).monospace().weak()).wrap());
    }
    match summary {
        Ok(text) => {
            ui.add(egui::Label::new(egui::RichText::new(text).weak()).wrap())
                .on_hover_text("The interpreter the py-* models run on (see the Python section).");
        }
        Err(e) => {
            ui.add(
                egui::Label::new(
                    egui::RichText::new(format!("Python models unavailable: {e}"))
                        .color(ui.visuals().warn_fg_color),
                )
                .wrap(),
            );
        }
    }
    // Checking runs the interpreter: only when asked. Not offered while a check runs, nor
    // for an interpreter from an opened file (the Python section asks to allow it first).
    let offered =
        !python.checking(&exp.python) && python.awaiting_confirmation(&exp.python).is_none();
    let clicked = offered
        && ui
            .small_button(CHECK_BUTTON)
            .on_hover_text(format!(
                "Run {} once to learn its version, whether it has the GIL, and whether dask and mpi4py are installed. It is also checked when you tick a py-* model or press Run with one.",
                exp.python.interpreter.trim()
            ))
            .clicked();
    clicked.then_some(ConfigCommand::CheckInterpreter)
}

/// What the cluster models will start or connect to, when ticked: a shared preset can name a
/// Dask scheduler (whose replies the user's Python unpickles) or an MPI launcher and its
/// arguments, which the user should see before pressing Run.
pub fn cluster_lines(exp: &Experiment) -> Vec<String> {
    let mut lines = Vec::new();
    let scheduler = exp.python.dask_scheduler.trim();
    if exp.models.contains(&ModelKind::PyDask) && !scheduler.is_empty() {
        lines.push(format!(
            "py-dask will connect to {} (its workers run the tasks)",
            crate::export::sanitize::for_terminal_line(scheduler)
        ));
    }
    if exp.models.contains(&ModelKind::PyMpi) {
        let mut argv = exp.mpi.launcher_argv();
        argv.push("-n N+1 …".into());
        lines.push(format!(
            "py-mpi will start: {}",
            crate::export::sanitize::for_terminal_line(&argv.join(" "))
        ));
    }
    lines
}

/// The greyed-out models and why, under the list: one line per reason (the same reason for
/// several models is said once: `py-threading, py-multiprocessing: unavailable: …`).
fn greyed_models_ui(ui: &mut egui::Ui, greyed: &[(ModelKind, String)]) {
    let mut reasons: Vec<(Vec<&str>, &str)> = Vec::new();
    for (m, reason) in greyed {
        match reasons.iter_mut().find(|(_, r)| *r == reason.as_str()) {
            Some((models, _)) => models.push(m.id()),
            None => reasons.push((vec![m.id()], reason.as_str())),
        }
    }
    for (models, reason) in reasons {
        ui.add(
            egui::Label::new(
                egui::RichText::new(format!("{}: unavailable: {reason}", models.join(", "))).weak(),
            )
            .wrap(),
        );
    }
}

fn start_method_help(m: StartMethod) -> &'static str {
    match m {
        StartMethod::Spawn => {
            "A fresh interpreter per worker process: slowest to start, safest, the default on macOS and Windows."
        }
        StartMethod::Fork => {
            "Each worker is a copy of the parent process: fast to start; the Linux default before Python 3.14."
        }
        StartMethod::Forkserver => {
            "Workers are forked from a clean server process: a middle ground; the Linux default from Python 3.14."
        }
    }
}

fn python_section(
    ui: &mut egui::Ui,
    exp: &mut Experiment,
    python: &PythonProbe,
) -> Option<ConfigCommand> {
    ui.strong("Python").on_hover_text(
        "Settings of the py-* models, which run real CPython threads and processes.",
    );
    let command = python
        .awaiting_confirmation(&exp.python)
        .and_then(|interp| confirm_interpreter_ui(ui, interp));
    egui::Grid::new("python-grid")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            let l = ui.label("Interpreter").on_hover_text(
                "A name looked up on PATH (python3) or a path to a Python 3.8+ interpreter. Typing runs nothing: it is checked when you press Check interpreter, tick a py-* model or press Run.",
            );
            ui.add(
                egui::TextEdit::singleline(&mut exp.python.interpreter)
                    .desired_width(ui.available_width().min(180.0))
                    .hint_text("python3"),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui
                .label("Start method")
                .on_hover_text("How py-multiprocessing starts its worker processes.");
            fitted_combo(ui, "start-method")
                .selected_text(exp.python.start_method.id())
                .show_ui(ui, |ui| {
                    for m in StartMethod::ALL {
                        ui.selectable_value(&mut exp.python.start_method, m, m.id())
                            .on_hover_text(start_method_help(m));
                    }
                })
                .response
                .on_hover_text(start_method_help(exp.python.start_method))
                .labelled_by(l.id);
            ui.end_row();
        });
    command
}

/// The program an unconfirmed interpreter would run, and the button that allows it.
fn confirm_interpreter_ui(ui: &mut egui::Ui, interp: &str) -> Option<ConfigCommand> {
    let warn = ui.visuals().warn_fg_color;
    let mut command = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.add(
            egui::Label::new(
                egui::RichText::new(
                    "The opened file names this program as the Python interpreter. corelab has not run it, and runs it only if you allow it:",
                )
                .color(warn),
            )
            .wrap(),
        );
        ui.monospace(interp);
        match interpreter::resolve(interp, None) {
            Ok(path) if path.to_str() != Some(interp) => {
                ui.monospace(format!("→ {}", path.display()));
            }
            Ok(_) => {}
            Err(e) => {
                ui.add(egui::Label::new(egui::RichText::new(e.to_string()).small()).wrap());
            }
        }
        if ui
            .button(ALLOW_BUTTON)
            .on_hover_text(
                "Remember this program as one you trust, check its version now, and let the py-* models run it.",
            )
            .clicked()
        {
            command = Some(ConfigCommand::ConfirmInterpreter(interp.to_string()));
        }
    });
    command
}

/// The hover of the minimum time: why it exists, and the rule in the words the progress hover
/// uses (`export::more_runs_reason`), as the sweep applies it, cap included
/// ([`crate::engine::RunCount::min_time_rule`]).
fn min_time_help(exp: &Experiment) -> String {
    let rule = crate::engine::RunCount::of(exp).min_time_rule();
    format!(
        "Short runs are noisy: five runs of 30 ms are only 0.15 s of measurement, and one burst of activity elsewhere on the machine moves their median. Beyond the repetitions, {}. 0 runs exactly the repetitions.",
        crate::export::more_runs_reason(&rule)
    )
}

fn measurement_section(ui: &mut egui::Ui, exp: &mut Experiment) {
    ui.strong("Measurement");
    egui::Grid::new("measure-grid").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
        let l = ui.label("Repetitions").on_hover_text("Timed runs per cell (model × worker count). The median is plotted with its 95% confidence interval as the error bar.");
        typed_number::add(ui, "Repetitions", &mut exp.repetitions, 1..=limits::MAX_REPETITIONS, |d| d)
.labelled_by(l.id);
        ui.end_row();
        let help = min_time_help(exp);
        let l = ui.label("Min. time per cell").on_hover_text(&help);
        typed_number::add(ui, "Min. time per cell", &mut exp.min_time_s, 0.0..=limits::MAX_MIN_TIME_S, |d| d.speed(0.05).suffix(" s"))
        .on_hover_text(help)
        .labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Warm-ups").on_hover_text("Untimed runs before the timed ones in each cell (caches, page faults, CPU frequency).");
        typed_number::add(ui, "Warm-ups", &mut exp.warmups, 0..=limits::MAX_WARMUPS, |d| d)
.labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Baseline").on_hover_text("What speedup divides.");
        fitted_combo(ui, "baseline")
            .selected_text(match exp.baseline {
                Baseline::Sequential => "sequential",
                Baseline::SameModelOneWorker => "same model, 1 worker",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut exp.baseline, Baseline::Sequential, "sequential")
                    .on_hover_text(Baseline::Sequential.describe());
                ui.selectable_value(
                    &mut exp.baseline,
                    Baseline::SameModelOneWorker,
                    "same model, 1 worker",
                )
                .on_hover_text(Baseline::SameModelOneWorker.describe());
            })
            .response
            .on_hover_text(exp.baseline.describe())
.labelled_by(l.id);
        ui.end_row();
        let l = ui.label("Timeout per run").on_hover_text("A run taking longer is stopped and its cell marked failed.");
        typed_number::add(ui, "Timeout per run", &mut exp.timeout_s, limits::MIN_TIMEOUT_S..=limits::MAX_TIMEOUT_S, |d| d.speed(0.5).suffix(" s"))
.labelled_by(l.id);
        ui.end_row();
        let l = ui.label("GIL switch interval").on_hover_text(
            "gil-threads only: how long a thread may hold the emulated GIL while others wait, like Python's sys.setswitchinterval (default 5 ms).",
        );
        typed_number::add(ui, "GIL switch interval", &mut exp.gil.switch_interval_ms, 0.01..=1000.0, |d| d.speed(0.1).suffix(" ms"))
.labelled_by(l.id);
        ui.end_row();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The minimum time's hover says the cap the sweep applies: the repetitions limit, or the
    /// repetitions where a file asks for more (as `RunCount` caps them), and the time set.
    #[test]
    fn the_minimum_time_help_gives_the_cap_the_sweep_applies() {
        let mut exp = Experiment {
            min_time_s: 0.5,
            repetitions: 5,
            ..Experiment::default()
        };
        let help = min_time_help(&exp);
        assert!(
            help.contains(&format!(
                "the minimum time of 0.5 s (at most {} runs)",
                limits::MAX_REPETITIONS
            )),
            "{help}"
        );
        exp.repetitions = limits::MAX_REPETITIONS + 200;
        let help = min_time_help(&exp);
        assert!(
            help.contains(&format!("(at most {} runs)", limits::MAX_REPETITIONS + 200)),
            "{help}"
        );
        assert!(help.ends_with("0 runs exactly the repetitions."), "{help}");
    }

    #[test]
    fn a_typed_size_is_a_warning_only_where_its_runs_may_near_the_timeout() {
        // A built-in I/O preset: 10 ms waits, far within the timeout.
        let io = crate::preset::find_builtin("gil-io-bound")
            .unwrap()
            .experiment()
            .unwrap();
        assert!(longest_run_s(&io).is_some_and(|s| s < io.timeout_s / 4.0));
        // A CPU task typed 10¹² rounds: its length is not known before it runs (or far past
        // the timeout), so warned either way.
        let mut cpu = crate::preset::find_builtin("gil-cpu-bound")
            .unwrap()
            .experiment()
            .unwrap();
        cpu.target_run_s = 0.0;
        cpu.task.cpu.size = 1_000_000_000_000;
        assert!(!longest_run_s(&cpu).is_some_and(|s| s < cpu.timeout_s / 4.0));
        // An I/O wait typed near the timeout: warned.
        let mut slow = io.clone();
        slow.task.io.sleep_ms = 0.5 * slow.timeout_s * 1000.0;
        assert!(longest_run_s(&slow).is_some_and(|s| s >= slow.timeout_s / 4.0));
    }

    #[test]
    fn a_view_the_new_task_kind_cannot_show_is_dropped() {
        use crate::preset::ResultsView;
        let mut exp = crate::preset::find_builtin("lost-updates")
            .unwrap()
            .experiment()
            .unwrap();
        assert_eq!(exp.view, Some(ResultsView::LostUpdates));
        exp.task.kind = TaskKind::Cpu;
        fit_models_to_kind(&mut exp);
        assert_eq!(
            exp.view, None,
            "lost updates of a cpu task would refuse Run"
        );
        exp.validate().unwrap();
        // A view any task can show stays.
        exp.view = Some(ResultsView::Table);
        exp.task.kind = TaskKind::Io;
        fit_models_to_kind(&mut exp);
        assert_eq!(exp.view, Some(ResultsView::Table));
    }
}
