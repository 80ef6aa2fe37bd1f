//! Number fields that say what they did with typed text.
//!
//! egui's `DragValue` keeps its old value when the typed text is not a number ("abc") and
//! clamps a number outside its range (99999999999999 → 10¹²) without a word, so the user cannot
//! tell a typo from a limit. [`add`] adds the field and, once the user has left it, says so
//! below it ([`show_notes`], at the end of the panel's section) until the field gets a value
//! that needed no change.

use std::cell::RefCell;
use std::ops::RangeInclusive;
use std::rc::Rc;

use eframe::egui::{self, DragValue, emath::Numeric};

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
    /// Judges `text` typed into a field of range `range`, and parses it as egui does
    /// (spaces ignored, U+2212 as a minus sign).
    pub fn judge(text: &str, range: &RangeInclusive<f64>) -> (Typed, Option<f64>) {
        let (min, max) = (*range.start(), *range.end());
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

/// Adds a drag field for `value`, the field `name`, whose range is `range`: one range, given
/// once, that both egui's clamp and the judging of typed text use, so the two cannot disagree.
/// `style` sets the rest (speed, suffix; a range it set is replaced by `range`). What became
/// of the text last typed into it, when it was not used as typed, waits for [`show_notes`]
/// (once the field has lost focus; kept until a value needs no change or the field is
/// dragged).
pub fn add<Num: Numeric>(
    ui: &mut egui::Ui,
    name: &str,
    value: &mut Num,
    range: RangeInclusive<Num>,
    style: impl FnOnce(DragValue<'_>) -> DragValue<'_>,
) -> egui::Response {
    let judged_against = range.start().to_f64()..=range.end().to_f64();
    let seen: Rc<RefCell<Option<Typed>>> = Rc::default();
    let record = Rc::clone(&seen);
    let drag = style(DragValue::new(value))
        .range(range)
        .custom_parser(move |text| {
            let (typed, value) = Typed::judge(text, &judged_against);
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
            Typed::judge("3500000", &(1.0..=1e12)),
            (Typed::Fine, Some(3.5e6))
        );
        assert_eq!(
            Typed::judge(" 3 500 000 ", &(1.0..=1e12)),
            (Typed::Fine, Some(3.5e6))
        );
        let (abc, value) = Typed::judge("abc", &(1.0..=1e12));
        assert_eq!(value, None);
        assert_eq!(
            abc.note().unwrap(),
            "\"abc\" is not a number: the value was kept"
        );
        let (huge, value) = Typed::judge("99999999999999", &(1.0..=1e12));
        assert_eq!(value, Some(99999999999999.0));
        assert_eq!(
            huge.note().unwrap(),
            "99999999999999 is outside what this field takes: set to 1000000000000"
        );
        let (low, _) = Typed::judge("\u{2212}1", &(0.0..=600.0));
        assert_eq!(
            low.note().unwrap(),
            "\u{2212}1 is outside what this field takes: set to 0"
        );
        assert_eq!(
            Typed::judge("inf", &(0.0..=1.0)).0,
            Typed::NotANumber("inf".into())
        );
        assert_eq!(Typed::Fine.note(), None);
        assert_eq!(number_words(0.05), "0.05");
    }

    /// Two fields as the panel has them: a whole number and a decimal one, each given its
    /// range once, with their notes below.
    struct Fields {
        count: u32,
        interval: f64,
    }

    fn fields_harness() -> egui_kittest::Harness<'static, Fields> {
        egui_kittest::Harness::new_ui_state(
            |ui, f: &mut Fields| {
                let l = ui.label("Count");
                add(ui, "Count", &mut f.count, 1..=50, |d| d.speed(1.0)).labelled_by(l.id);
                let l = ui.label("Interval");
                add(ui, "Interval", &mut f.interval, 0.01..=1000.0, |d| {
                    d.speed(0.1).suffix(" ms")
                })
                .labelled_by(l.id);
                show_notes(ui);
            },
            Fields {
                count: 7,
                interval: 5.0,
            },
        )
    }

    fn type_into(h: &mut egui_kittest::Harness<'static, Fields>, field: &str, text: &str) {
        use egui_kittest::kittest::Queryable;
        h.get_by_label(field).click();
        h.run();
        h.get_by_label(field).type_text(text);
        h.run();
        h.key_press(egui::Key::Enter);
        h.run();
    }

    #[test]
    fn a_number_outside_the_one_range_is_capped_at_its_end_and_the_note_names_that_end() {
        use egui_kittest::kittest::Queryable;
        let mut h = fields_harness();
        h.run();
        type_into(&mut h, "Count", "9999");
        assert_eq!(h.state().count, 50, "capped at the range's end");
        assert!(
            h.query_by_label("Count: 9999 is outside what this field takes: set to 50")
                .is_some()
        );
        type_into(&mut h, "Interval", "\u{2212}3");
        assert_eq!(h.state().interval, 0.01, "raised to the range's start");
        assert!(
            h.query_by_label("Interval: \u{2212}3 is outside what this field takes: set to 0.01")
                .is_some()
        );
        // A value the range takes clears the field's note.
        type_into(&mut h, "Count", "12");
        assert_eq!(h.state().count, 12);
        assert!(h.query_by_label_contains("Count: ").is_none());
        assert!(h.query_by_label_contains("Interval: ").is_some());
    }

    #[test]
    fn text_that_is_not_a_number_keeps_the_value_and_says_so() {
        use egui_kittest::kittest::Queryable;
        let mut h = fields_harness();
        h.run();
        type_into(&mut h, "Count", "abc");
        assert_eq!(h.state().count, 7, "kept");
        assert!(
            h.query_by_label("Count: \"abc\" is not a number: the value was kept")
                .is_some()
        );
    }
}
