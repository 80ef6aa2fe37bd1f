//! The command-line options applied once the window exists: the preset, results and runs
//! to compare, `--tab`, `--run`, `--zoom`, `--theme`, `--screenshot`.

use super::*;

impl WorkbenchApp {
    /// Applies the command-line options: preset, results, `--run`, `--screenshot`.
    pub fn apply_startup(&mut self, ctx: &egui::Context, options: &GuiOptions, outcome: Outcome) {
        // First the tab, so that the preset's view (below, or once its file is read) moves it
        // where no `--tab` was given, and an explicit `--tab` wins.
        if options.screenshot.is_some() || options.tab.is_some() {
            self.tab = options
                .tab
                .as_deref()
                .and_then(Tab::from_id)
                .unwrap_or(Tab::Speedup);
        }
        self.tab_pinned = options.tab.is_some();
        if let Some(name) = &options.preset {
            // The rule `corelab run` follows: a path (a `/`, or `.json`) is a file, anything
            // else a built-in preset's name.
            if Experiment::arg_names_a_file(name) {
                self.files
                    .run(ctx, FileAction::OpenPreset, PathBuf::from(name), None);
            } else {
                match find_builtin(name) {
                    Some(builtin) => match builtin.experiment() {
                        Ok(exp) => {
                            self.set_experiment(exp.clone());
                            self.open_view_of(&exp);
                            self.origin = Some(Origin {
                                source: Source::Builtin(builtin.id.to_string()),
                                experiment: exp,
                            });
                            self.info(format!("Loaded built-in preset {}", builtin.id));
                        }
                        Err(e) => {
                            self.error(format!("Built-in preset {} is broken: {e}", builtin.id))
                        }
                    },
                    None => self.error(format!(
                        "{name:?} is not a built-in preset; a preset file is named by a path that contains a `/` or ends in .json (./{name})"
                    )),
                }
            }
        }
        if let Some(path) = &options.results {
            self.files
                .run(ctx, FileAction::OpenResults, path.clone(), None);
        }
        for path in &options.compare {
            self.add_compare_path(ctx, path.clone());
        }
        self.run_when_ready = options.run;
        self.export_dialog_when_ready = options.export_dialog;
        if options.shortcuts {
            self.help_open = true;
        }
        if let Some(zoom) = options.zoom {
            ctx.set_zoom_factor(zoom);
        }
        if let Some(theme) = options
            .theme
            .as_deref()
            .and_then(crate::gui::theme_choice::from_id)
        {
            self.theme = theme;
        }
        if let Some(path) = &options.screenshot {
            let size = options.window_size.unwrap_or(crate::gui::screenshot::SIZE);
            self.screenshot = Some(ScreenshotMode::new(path.clone(), outcome).with_size(size));
        }
    }
}
