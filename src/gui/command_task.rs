//! Editing a `command` task: its argv, one field per argument, and exactly what will run.

use eframe::egui;

use crate::preset::{CommandParams, TASK_PLACEHOLDER, limits};

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
}
