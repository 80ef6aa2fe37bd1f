//! The size of chart text: one definition for every path that draws or measures it.
//!
//! A chart text's size is its em in pixels (the CSS `font-size`): the size asked for
//! ([`super::ChartOptions::font_size`], 0.9× for ticks and legend, 1.4× for the title) times
//! the drawing scale. Layout measures at that em ([`super::glyphs::text_width`]), the SVG says
//! it as its `font-size`, and the PNG draws glyphs at it ([`super::glyphs::EvenText`]).
//!
//! plotters 0.3.7 does not take an em: its SVG backend writes a text style of size `s` as
//! `font-size = s / 1.24` (plotters-svg `svg.rs`), and its `ab_glyph` font reports an em of
//! `s / 1.24` too (`pixel_per_em` in `style/font/ab_glyph.rs`). [`chart_font`] gives plotters
//! the style size of an em and [`em_of_style_size`] reads one back; nothing else in the
//! exports knows the factor.

use plotters::style::{FontDesc, IntoFont};

use super::chart::CHART_FONT_FAMILY;

/// plotters' text-style size of a text whose em is 1 px (see the module docs).
const PLOTTERS_STYLE_SIZE_PER_EM: f64 = 1.24;

/// The chart font with an em of `em` pixels, as plotters takes it.
pub fn chart_font(em: f64) -> FontDesc<'static> {
    (CHART_FONT_FAMILY, em * PLOTTERS_STYLE_SIZE_PER_EM).into_font()
}

/// The em in pixels of a plotters text style of size `style_size` (one made by [`chart_font`]).
pub fn em_of_style_size(style_size: f64) -> f64 {
    style_size / PLOTTERS_STYLE_SIZE_PER_EM
}

/// `svg` (a document plotters wrote) with every `font-size` rounded to 0.01 px: plotters
/// writes `em × 1.24 / 1.24`, which says 15 as 15.000000000000002.
pub fn with_exact_font_sizes(svg: &str) -> String {
    const KEY: &str = "font-size=\"";
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(i) = rest.find(KEY) {
        let (head, tail) = rest.split_at(i + KEY.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let value = &tail[..end];
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() => out.push_str(&format!("{}", (v * 100.0).round() / 100.0)),
            _ => out.push_str(value),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_em_goes_to_plotters_and_back_unchanged() {
        for em in [6.0, 10.8, 13.0, 18.2, 67.2] {
            let font = chart_font(em);
            assert!(
                (em_of_style_size(font.get_size()) - em).abs() < 1e-9,
                "{em}"
            );
        }
    }

    #[test]
    fn font_sizes_are_rounded_and_nothing_else_changes() {
        let svg = "<svg width=\"10.123456\">\n<text x=\"1.234567\" font-size=\"15.000000000000002\">a</text>\
                   <text font-size=\"10.799999999999999\">b</text><text font-size=\"odd\">c</text></svg>";
        assert_eq!(
            with_exact_font_sizes(svg),
            "<svg width=\"10.123456\">\n<text x=\"1.234567\" font-size=\"15\">a</text>\
             <text font-size=\"10.8\">b</text><text font-size=\"odd\">c</text></svg>"
        );
    }
}
