//! Editing the user's own workloads: a `command` task (its argv, one field per argument) and
//! a Python `function` task (file, function, arguments), each with exactly what will run.
//! Nothing here runs the user's code: functions are listed by reading the file's text.

use eframe::egui;

use super::module_look;
use crate::preset::{CommandParams, FunctionParams, TASK_PLACEHOLDER, limits};

/// The rows of the task grid for a `command` task (inside the config panel's grid).
pub fn command_ui(ui: &mut egui::Ui, params: &mut CommandParams) {
    let l = ui.label("Command").on_hover_text(format!(
        "The program and its arguments, one per field, run directly (no shell) once per task. \
         {TASK_PLACEHOLDER} is replaced by the task index. Nothing runs until you press Run."
    ));
    ui.vertical(|ui| {
        let mut remove = None;
        for (i, arg) in params.argv.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                let hint = if i == 0 { "program" } else { "argument" };
                ui.add(
                    egui::TextEdit::singleline(arg)
                        .hint_text(hint)
                        .char_limit(limits::MAX_ARG_BYTES),
                )
                .labelled_by(l.id);
                if ui.small_button("−").on_hover_text("Remove").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            params.argv.remove(i);
        }
        if params.argv.len() < limits::MAX_ARGV && ui.small_button("+ argument").clicked() {
            params.argv.push(String::new());
        }
    });
    ui.end_row();
    ui.label("Will run");
    ui.label(egui::RichText::new(what_runs(params)).monospace());
    ui.end_row();
}

/// The argv of task 0 as it will run, each argument quoted where it needs it.
pub fn what_runs(params: &CommandParams) -> String {
    if params.argv.is_empty() {
        return "(nothing: name a program)".into();
    }
    let shown: Vec<String> = params
        .argv_for(0)
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"\\$`".contains(c)) {
                format!("{a:?}")
            } else {
                a.clone()
            }
        })
        .collect();
    format!("task 0: {}", shown.join(" "))
}

/// The rows of the task grid for a Python `function` task. A relative file is taken from
/// `module_base` (the preset file's folder), or the current directory when there is none; the
/// path it resolves to is shown, and a function name the file cannot hold is flagged (read
/// from the file's text, never imported: see [`crate::engine::python_source`]).
pub fn function_ui(
    ui: &mut egui::Ui,
    params: &mut FunctionParams,
    module_base: Option<&std::path::Path>,
) {
    let l = ui.label("Python file").on_hover_text(
        "The module, imported by path when you press Run (never before). A relative path is \
         relative to the preset file, or to the current directory when the configuration \
         has no file.",
    );
    // The path resolved and statted when the text changes, at most once a second otherwise,
    // and the file's text read when the name or the file changes (not in every frame).
    let look = module_look::current(ui.ctx(), &params.file, module_base, &params.name);
    let resolved = look.resolved().map(std::path::Path::to_path_buf);
    ui.vertical(|ui| {
        ui.add(egui::TextEdit::singleline(&mut params.file).hint_text("path/to/module.py"))
            .labelled_by(l.id);
        if let Some(path) = &resolved {
            let relative = std::path::Path::new(params.file.trim()).is_relative();
            if let Some(what) = look.not_regular() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("not a regular file: {} is {what}", path.display()),
                );
            } else if !look.is_file() {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("not found: {}", path.display()),
                );
            } else if relative {
                ui.weak(format!("resolves to {}", path.display()))
                    .on_hover_text("The file a run imports: Run writes this path into the field.");
            }
        }
    });
    ui.end_row();

    let l = ui.label("Function");
    ui.vertical(|ui| {
        ui.add(egui::TextEdit::singleline(&mut params.name).hint_text("work"))
            .labelled_by(l.id);
        let listed_id = ui.scope_id().with("listed-functions");
        if ui
            .button("List functions")
            .on_hover_text(
                "Reads the file's text for the functions its import defines (`def name(`), \
                 each once: Python binds a name to its last definition. Runs nothing.",
            )
            .clicked()
        {
            let path = resolved.clone().unwrap_or_default();
            // Bounded, so read here on the click: a fifo or device is refused at once, and
            // at most `MAX_MODULE_BYTES` are read (`read_module_source`).
            let found = match crate::engine::python_source::read_module_source(&path) {
                Ok(source) => Ok(listed_functions(&source)),
                Err(e) => Err(format!("cannot read {:?}: {e}", path.display().to_string())),
            };
            ui.data_mut(|d| d.insert_temp(listed_id, (params.file.clone(), found)));
        }
        // The list belongs to the file it was read from: another preset, or another file
        // typed in, hides it.
        let listed: Option<(String, Result<Vec<ListedFunction>, String>)> =
            ui.data(|d| d.get_temp(listed_id));
        match listed
            .filter(|(file, _)| *file == params.file)
            .map(|(_, found)| found)
        {
            Some(Ok(names)) if names.is_empty() => {
                ui.label("no top-level functions found");
            }
            Some(Ok(functions)) => {
                ui.horizontal_wrapped(|ui| {
                    for f in functions {
                        // A name whose last binding is not a plain top-level `def` is marked,
                        // and its tooltip says what binds it instead.
                        let (label, hover) = match &f.note {
                            None if f.defs > 1 => (
                                f.name.clone(),
                                format!(
                                    "`def {}` on line {}: the last of its {} definitions, the \
                                     one Python binds",
                                    f.name, f.line, f.defs
                                ),
                            ),
                            None => (
                                f.name.clone(),
                                format!("`def {}` on line {}", f.name, f.line),
                            ),
                            Some(note) => (format!("{} (?)", f.name), note.clone()),
                        };
                        ui.selectable_value(&mut params.name, f.name, label)
                            .on_hover_text(hover);
                    }
                });
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
        // A name the module cannot hold, flagged here (Run refuses it too, with the same
        // words): read from the file's text when the name or the file changes.
        if let Some(why) = look.name_problem() {
            ui.colored_label(ui.visuals().error_fg_color, why);
        }
        // A name Python binds last by something other than a plain top-level `def`.
        // It quotes the module's text (a decorator's line): control characters shown escaped.
        if let Some(note) = look.binding_note() {
            let note = crate::export::sanitize::for_terminal_line(note);
            ui.colored_label(ui.visuals().warn_fg_color, note);
        }
    });
    ui.end_row();

    let l = ui.label("Arguments").on_hover_text(
        "A JSON array, one element per task (each call gets one), or empty to call with \
         0..N-1 (range).",
    );
    ui.vertical(|ui| {
        let text_id = ui.scope_id().with("function-args-text");
        // The text as typed, kept with the arguments it stood for: when the arguments change
        // under it (another preset, Reset, Undo), the text is written anew from them.
        let cached: Option<(String, Vec<serde_json::Value>)> = ui.data(|d| d.get_temp(text_id));
        let mut text = match cached {
            Some((text, args)) if args == params.args => text,
            _ if params.args.is_empty() => String::new(),
            _ => serde_json::to_string(&params.args).unwrap_or_default(),
        };
        let edited = ui
            .add(egui::TextEdit::singleline(&mut text).hint_text("[1000, 2000, 3000]"))
            .labelled_by(l.id)
            .changed();
        if edited {
            match parse_args(&text) {
                Ok(args) => {
                    params.args = args;
                    if params.args.is_empty() {
                        params.range.get_or_insert(8);
                    } else {
                        params.range = None;
                    }
                }
                Err(e) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
            }
        }
        ui.data_mut(|d| d.insert_temp(text_id, (text, params.args.clone())));
        if params.args.is_empty() {
            let mut n = params.range.unwrap_or(8);
            ui.horizontal(|ui| {
                let l = ui.label("range").on_hover_text(
                    "With no arguments, the function is called with 0, 1, … up to this count − 1.",
                );
                ui.add(egui::DragValue::new(&mut n).range(1..=limits::MAX_TASKS))
                    .labelled_by(l.id);
            });
            params.range = Some(n);
        }
    });
    ui.end_row();
    ui.label("Will run");
    ui.label(egui::RichText::new(params.describe()).monospace());
    ui.end_row();
}

/// `[...]` parsed as the per-task arguments; an empty text means none (use `range`).
pub fn parse_args(text: &str) -> Result<Vec<serde_json::Value>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => Ok(items),
        Ok(other) => Err(format!("{other} is not a JSON array")),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// The workbench lists functions with the engine's text scan (the pre-check before a sweep
/// reads the module the same way).
pub use crate::engine::python_source::{ListedFunction, listed_functions, top_level_functions};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_runs_shows_task_zero_with_the_placeholder_replaced_and_spaces_quoted() {
        let p = CommandParams {
            argv: vec![
                "prog".into(),
                "--size".into(),
                "{task}".into(),
                "a b".into(),
            ],
        };
        assert_eq!(what_runs(&p), "task 0: prog --size 0 \"a b\"");
        assert!(what_runs(&CommandParams::default()).contains("nothing"));
    }

    #[test]
    fn arguments_are_a_json_array_or_nothing() {
        assert_eq!(parse_args("[1, \"a\"]").unwrap().len(), 2);
        assert!(parse_args("  ").unwrap().is_empty());
        assert!(parse_args("{}").unwrap_err().contains("not a JSON array"));
        assert!(parse_args("[1,").is_err());
    }
}
