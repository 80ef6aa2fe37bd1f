//! The legend entries the user clicked to hide, per chart kind: their lines are not drawn until
//! clicked again. Kept in egui's memory for the session, not saved: a chart opened anew shows
//! everything.

use std::collections::BTreeSet;

use eframe::egui;

use crate::export::ChartKind;

fn id(kind: ChartKind) -> egui::Id {
    egui::Id::unique(("legend-hidden", kind.id()))
}

/// The names of `kind`'s hidden legend entries.
pub(super) fn hidden_entries(ctx: &egui::Context, kind: ChartKind) -> BTreeSet<String> {
    ctx.data(|d| d.get_temp::<BTreeSet<String>>(id(kind)))
        .unwrap_or_default()
}

/// Hides the entry `name` of `kind`'s legend, or shows it again; the chart is drawn anew.
pub(super) fn toggle_hidden(ctx: &egui::Context, kind: ChartKind, name: &str) {
    ctx.data_mut(|d| {
        let hidden = d.get_temp_mut_or_default::<BTreeSet<String>>(id(kind));
        if !hidden.remove(name) {
            hidden.insert(name.to_string());
        }
    });
    ctx.request_repaint();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_hides_an_entry_of_one_chart_and_a_second_shows_it_again() {
        let ctx = egui::Context::default();
        assert!(hidden_entries(&ctx, ChartKind::Speedup).is_empty());
        toggle_hidden(&ctx, ChartKind::Speedup, "threads");
        assert_eq!(
            hidden_entries(&ctx, ChartKind::Speedup),
            BTreeSet::from(["threads".to_string()])
        );
        // The other charts keep theirs.
        assert!(hidden_entries(&ctx, ChartKind::Efficiency).is_empty());
        toggle_hidden(&ctx, ChartKind::Speedup, "threads");
        assert!(hidden_entries(&ctx, ChartKind::Speedup).is_empty());
    }
}
