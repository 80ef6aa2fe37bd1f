//! Number fields that say what they did with typed text.
//!
//! egui's `DragValue` keeps its old value when the typed text is not a number ("abc") and
//! clamps a number outside its range (99999999999999 → 10¹²) without a word, so the user cannot
//! tell a typo from a limit. [`add`] adds the field and, once the user has left it, says so
//! below it ([`show_notes`], at the end of the panel's section) until the field gets a value
//! that needed no change.

use std::cell::RefCell;
use std::rc::Rc;

use eframe::egui::{self, DragValue};

/// What became of the last text typed into a field.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    /// A number within the range: used as typed.
    Fine,
    /// Not a number: the field kept its value.
    NotANumber(String),
    /// A number outside the range: replaced by the nearest end.
    OutOfRange { typed: String, limit: f64 },
}

impl Typed {
    /// Judges `text` typed into a field of range `min..=max`, and parses it as egui does
    /// (spaces ignored, U+2212 as a minus sign).
    pub fn judge(text: &str, min: f64, max: f64) -> (Typed, Option<f64>) {
        let value = parse(text);
        let typed = match value {
            None => Typed::NotANumber(text.trim().to_string()),
            Some(v) if v > max => Typed::OutOfRange {
                typed: text.trim().to_string(),
                limit: max,
            },
            Some(v) if v < min => Typed::OutOfRange {
                typed: text.trim().to_string(),
                limit: min,
            },
            Some(_) => Typed::Fine,
        };
        (typed, value)
    }

    /// The note shown beside the field; `None` when there is nothing to say.
    pub fn note(&self) -> Option<String> {
        match self {
            Typed::Fine => None,
            Typed::NotANumber(text) => {
                Some(format!("{text:?} is not a number: the value was kept"))
            }
            Typed::OutOfRange { typed, limit } => Some(format!(
                "{typed} is outside what this field takes: set to {}",
                number_words(*limit)
            )),
        }
    }
}

/// `1000000000000` rather than `1e12`, `0.05` as typed.
fn number_words(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

fn parse(text: &str) -> Option<f64> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '\u{2212}' { '-' } else { c })
        .collect();
    clean.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Where the notes of the fields drawn since the last [`show_notes`] wait to be shown.
fn notes_id() -> egui::Id {
    egui::Id::unique("corelab-typed-number-notes")
}

/// Adds `drag`, the field `name` whose range is `min..=max`. What became of the text last
/// typed into it, when it was not used as typed, waits for [`show_notes`] (once the field has
/// lost focus; kept until a value needs no change or the field is dragged).
pub fn add(
    ui: &mut egui::Ui,
    name: &str,
    drag: DragValue<'_>,
    min: f64,
    max: f64,
) -> egui::Response {
    let seen: Rc<RefCell<Option<Typed>>> = Rc::default();
    let record = Rc::clone(&seen);
    let drag = drag.custom_parser(move |text| {
        let (typed, value) = Typed::judge(text, min, max);
        *record.borrow_mut() = Some(typed);
        value
    });
    let response = ui.add(drag);
    let key = response.id.with("typed-number-note");
    if response.dragged() {
        ui.data_mut(|d| d.remove::<String>(key));
    }
    if let Some(typed) = seen.borrow_mut().take() {
        match typed.note() {
            Some(note) => ui.data_mut(|d| {
                d.insert_temp(key, note);
            }),
            None => ui.data_mut(|d| d.remove::<String>(key)),
        }
    }
    if !response.has_focus()
        && let Some(note) = ui.data(|d| d.get_temp::<String>(key))
    {
        ui.data_mut(|d| {
            d.get_temp_mut_or_default::<Vec<String>>(notes_id())
                .push(format!("{name}: {note}"));
        });
    }
    response
}

/// Draws the notes of the fields added since the last call, full width and wrapped (beside
/// a field in a grid they widened the panel), and forgets them.
pub fn show_notes(ui: &mut egui::Ui) {
    let notes = ui
        .data_mut(|d| d.remove_temp::<Vec<String>>(notes_id()))
        .unwrap_or_default();
    for note in notes {
        let text = egui::RichText::new(note).color(ui.visuals().warn_fg_color);
        ui.add(egui::Label::new(text).wrap());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_judged_against_the_range() {
        assert_eq!(
            Typed::judge("3500000", 1.0, 1e12),
            (Typed::Fine, Some(3.5e6))
        );
        assert_eq!(
            Typed::judge(" 3 500 000 ", 1.0, 1e12),
            (Typed::Fine, Some(3.5e6))
        );
        let (abc, value) = Typed::judge("abc", 1.0, 1e12);
        assert_eq!(value, None);
        assert_eq!(
            abc.note().unwrap(),
            "\"abc\" is not a number: the value was kept"
        );
        let (huge, value) = Typed::judge("99999999999999", 1.0, 1e12);
        assert_eq!(value, Some(99999999999999.0));
        assert_eq!(
            huge.note().unwrap(),
            "99999999999999 is outside what this field takes: set to 1000000000000"
        );
        let (low, _) = Typed::judge("\u{2212}1", 0.0, 600.0);
        assert_eq!(
            low.note().unwrap(),
            "\u{2212}1 is outside what this field takes: set to 0"
        );
        assert_eq!(
            Typed::judge("inf", 0.0, 1.0).0,
            Typed::NotANumber("inf".into())
        );
        assert_eq!(Typed::Fine.note(), None);
        assert_eq!(number_words(0.05), "0.05");
    }
}
