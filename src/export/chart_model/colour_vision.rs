//! Test-only colour science for the palette's rules: WCAG contrast, simulated colour-vision
//! deficiencies (Machado, Oliveira & Fernandes 2009, severity 1, on linear RGB) and CIE76
//! ΔE in CIELAB (D65). The rules themselves: every model's colour keeps 3:1 contrast
//! against the backgrounds it is drawn on (WCAG 1.4.11, graphics), and every two models that
//! can share a chart, and each model and the text and reference-line greys, differ by at
//! least [`MIN_DELTA_E`] for normal vision and under deuteranopia and protanopia.

use super::{Rgb, Theme, core_marker_colour, model_colour_on};
use crate::preset::ModelKind;

/// The least contrast of a curve against its background (WCAG 1.4.11).
const MIN_CONTRAST: f64 = 3.0;
/// The least CIE76 ΔE between two curves' colours, for every vision simulated. (The review
/// found 2.8 between processes and py-free-threading under deuteranopia; 2.3 is a just
/// noticeable difference; 10 or more tells two thin lines apart at a glance.)
const MIN_DELTA_E: f64 = 11.0;

/// The backgrounds each theme's curves are drawn on: the exported chart's, and the
/// workbench's plot (egui's "extreme" background) and panels (the table's coloured names).
fn backgrounds(theme: Theme) -> Vec<Rgb> {
    match theme {
        Theme::Light => vec![theme.background(), (255, 255, 255), (248, 248, 248)],
        Theme::Dark => vec![theme.background(), (10, 10, 10), (27, 27, 27)],
    }
}

fn linear(v: u8) -> f64 {
    let v = f64::from(v) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn gamma(v: f64) -> f64 {
    let v = v.clamp(0.0, 1.0);
    if v <= 0.003_130_8 {
        12.92 * v
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

fn luminance((r, g, b): Rgb) -> f64 {
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[derive(Clone, Copy, Debug)]
enum Vision {
    Normal,
    Deuteranopia,
    Protanopia,
}

const VISIONS: [Vision; 3] = [Vision::Normal, Vision::Deuteranopia, Vision::Protanopia];

/// The colour as a viewer with `vision` sees it, in linear RGB.
fn seen(c: Rgb, vision: Vision) -> [f64; 3] {
    let l = [linear(c.0), linear(c.1), linear(c.2)];
    let m: [[f64; 3]; 3] = match vision {
        Vision::Normal => return l,
        Vision::Deuteranopia => [
            [0.367_322, 0.860_646, -0.227_968],
            [0.280_085, 0.672_501, 0.047_413],
            [-0.011_820, 0.042_940, 0.968_881],
        ],
        Vision::Protanopia => [
            [0.152_286, 1.052_583, -0.204_868],
            [0.114_503, 0.786_281, 0.099_216],
            [-0.003_882, -0.048_116, 1.051_998],
        ],
    };
    // Back through the display's gamut (clamped), as a screen would show it.
    let row = |i: usize| {
        let v: f64 = (0..3).map(|j| m[i][j] * l[j]).sum();
        let g = gamma(v);
        // linear of the displayed value
        if g <= 0.04045 {
            g / 12.92
        } else {
            ((g + 0.055) / 1.055).powf(2.4)
        }
    };
    [row(0), row(1), row(2)]
}

fn lab(l: [f64; 3]) -> [f64; 3] {
    let x = (0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]) / 0.950_47;
    let y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    let z = (0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]) / 1.088_83;
    let f = |t: f64| {
        if t > 0.008_856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    [
        116.0 * f(y) - 16.0,
        500.0 * (f(x) - f(y)),
        200.0 * (f(y) - f(z)),
    ]
}

fn delta_e(a: Rgb, b: Rgb, vision: Vision) -> f64 {
    let (la, lb) = (lab(seen(a, vision)), lab(seen(b, vision)));
    ((la[0] - lb[0]).powi(2) + (la[1] - lb[1]).powi(2) + (la[2] - lb[2]).powi(2)).sqrt()
}

#[test]
fn the_simulation_reproduces_the_reviewed_collision() {
    // The old processes vermillion and py-free-threading ochre: ΔE 2.8 under deuteranopia.
    let d = delta_e((213, 94, 0), (160, 140, 0), Vision::Deuteranopia);
    assert!((d - 2.8).abs() < 0.2, "{d}");
    assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
}

#[test]
fn every_model_keeps_contrast_against_its_backgrounds() {
    let mut failures = Vec::new();
    for theme in Theme::ALL {
        for &model in &ModelKind::ALL {
            let colour = model_colour_on(model, theme);
            for bg in backgrounds(theme) {
                let c = contrast(colour, bg);
                if c < MIN_CONTRAST {
                    failures.push(format!(
                        "{model:?} {colour:?} on {bg:?} ({}): {c:.2}:1",
                        theme.name()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "below {MIN_CONTRAST}:1: {failures:#?}");
}

#[test]
fn every_two_models_differ_for_colour_blind_viewers_too() {
    let mut failures = Vec::new();
    for theme in Theme::ALL {
        let mut looks: Vec<(String, Rgb)> = ModelKind::ALL
            .iter()
            .skip(1) // the baseline is the text colour, checked with the greys below
            .map(|&m| (format!("{m:?}"), model_colour_on(m, theme)))
            .collect();
        let greys = [
            ("text (the baseline)".to_string(), theme.foreground()),
            ("reference lines".to_string(), core_marker_colour(theme)),
        ];
        let models = looks.len();
        looks.extend(greys);
        for i in 0..models {
            for j in i + 1..looks.len() {
                for vision in VISIONS {
                    let d = delta_e(looks[i].1, looks[j].1, vision);
                    if d < MIN_DELTA_E {
                        failures.push(format!(
                            "{} vs {} ({}, {vision:?}): ΔE {d:.1}",
                            looks[i].0,
                            looks[j].0,
                            theme.name()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "ΔE below {MIN_DELTA_E}: {failures:#?}");
}
