//! Even text spacing in PNG charts.
//!
//! plotters 0.3.7 draws `ab_glyph` text by placing each glyph's bitmap at the pen position
//! without its left side bearing (`OutlinedGlyph::px_bounds().min.x` is dropped), and rounds
//! every glyph to a whole pixel. Narrow glyphs with a wide bearing (i, l, 1, -) end up
//! against their left neighbour, which reads as "Deb ian" or "2026-11 -26". The SVG backend
//! writes text as text and is not affected.
//!
//! [`EvenText`] wraps a bitmap backend and draws text itself: glyphs positioned at their
//! fractional pen position, with kerning, bearings included. Everything else is passed to the
//! wrapped backend.
//!
//! Sizes here are ems in pixels (the SVG's `font-size`), as everywhere in the exports (see
//! [`super::text_size`]); ab_glyph's own scale ([`PxScale`]) is the font's ascent − descent,
//! 1.164 ems for DejaVu Sans, and is only made by [`em_scale`].

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::chart::CHART_FONT;
use super::text_size::em_of_style_size;

fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(CHART_FONT).ok())
        .as_ref()
}

/// ab_glyph's scale of text whose em is `em` pixels (its scale is the font's ascent −
/// descent, not its em).
fn em_scale(font: &FontRef<'_>, em: f64) -> PxScale {
    match font.units_per_em() {
        Some(units) if units > 0.0 => PxScale::from(em as f32 * font.height_unscaled() / units),
        _ => PxScale::from(em as f32),
    }
}

/// The advance width of `text` at an em of `em` pixels (kerning included).
pub fn text_width(text: &str, em: f64) -> f64 {
    let Some(font) = font() else {
        return text.chars().count() as f64 * em * 0.55;
    };
    let scaled = font.as_scaled(em_scale(font, em));
    let mut width = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width as f64
}

/// The height in pixels of `c`'s ink (its outline's top to bottom) at an em of `em` pixels:
/// 0.729 em for a capital H of DejaVu Sans. `None` for a character without ink (a space).
pub fn ink_height(c: char, em: f64) -> Option<f64> {
    let font = font()?;
    let units = font.units_per_em().filter(|u| *u > 0.0)?;
    let outline = font.outline(font.glyph_id(c))?;
    // ab_glyph keeps an outline's bounds y-up: `min.y` is its top.
    let height = (outline.bounds.min.y - outline.bounds.max.y).abs();
    Some(f64::from(height / units) * em)
}

/// A drawing backend that draws text with correct glyph placement (see the module docs).
pub struct EvenText<B>(pub B);

impl<B: DrawingBackend> DrawingBackend for EvenText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let em = em_of_style_size(style.size());
        let height = font().map_or(em, |f| {
            let s = f.as_scaled(em_scale(f, em));
            (s.ascent() - s.descent()) as f64
        });
        Ok((text_width(text, em).ceil() as u32, height.round() as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let colour = style.color();
        let Some(font) = font() else {
            return self.0.draw_text(text, style, pos);
        };
        if colour.alpha == 0.0 {
            return Ok(());
        }
        let em = em_of_style_size(style.size());
        let px = em_scale(font, em);
        let scaled = font.as_scaled(px);
        // The layout box: the advance width × the line height (ascent − descent); the
        // baseline is `ascent` below its top, so a top-anchored text starts at its anchor.
        let width = text_width(text, em).round() as i32;
        let ascent = scaled.ascent();
        let height = (ascent - scaled.descent()).round() as i32;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.0.get_size();
        let mut pen = 0f32;
        let mut prev = None;
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(px, point(pen, 0.0));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                let (x0, y0) = (b.min.x as i32, (ascent + b.min.y).round() as i32);
                outline.draw(|gx, gy, coverage| {
                    if coverage > 0.0 {
                        pixels.push((x0 + gx as i32, y0 + gy as i32, coverage.min(1.0)));
                    }
                });
            }
            pen += scaled.h_advance(id);
        }
        for (x, y, coverage) in pixels {
            let (x, y) = trans.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                self.0.draw_pixel((x, y), colour.mix(coverage as f64))?;
            }
        }
        Ok(())
    }
}
