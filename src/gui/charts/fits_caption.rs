//! The caption's words on the fits: what the thin dashes are, or why no fit line is drawn.

use crate::export::{self, ChartKind};

/// The caption's words on the fits, with "show fits" ticked: what the thin dashes are where
/// a fit line is drawn, else why none is ([`crate::analysis::why_no_curve`] decides; this
/// words it). Empty on a chart that draws no law (memory, lost updates).
pub(super) fn fits_caption(kind: ChartKind, fits: &[crate::analysis::ModelFit]) -> String {
    use crate::analysis::NoCurve;
    let Some(law) = kind.fit_law() else {
        return String::new();
    };
    let name = law.name();
    let drawn = fits
        .iter()
        .any(|f| !export::fit_curve(f, kind, f64::INFINITY).is_empty());
    if drawn {
        return format!("· Thin dashes in a model's colour: its {name} fit.");
    }
    match crate::analysis::why_no_curve(fits, law) {
        NoCurve::NotFittedToThisWork => format!(
            "· No {name} fit on this chart: every worker brings its own work here (weak scaling), so no serial fraction applies and {name}'s law is not fitted (the Fits tab says what is)."
        ),
        NoCurve::TooFewWorkerCounts {
            need,
            most,
            within_cores: true,
        } => format!(
            "· No {name} fit drawn: it needs {need} worker counts or more within the cores (compute-bound work is fitted there), and these results have {most}."
        ),
        NoCurve::TooFewWorkerCounts { need, most, .. } => format!(
            "· No {name} fit drawn: it needs {need} worker counts or more, and these results have {most}."
        ),
        NoCurve::MissesThePoints => format!(
            "· No {name} fit drawn: the fits miss the measured points (the Fits tab says why)."
        ),
        NoCurve::Refused => {
            format!("· No {name} fit drawn: the fit was refused (the Fits tab says why).")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::charts::test_support::recomputed;
    use crate::preset::ModelKind;
    use crate::results::CellResult;

    /// Six runs within 2% of `t` seconds, their median `t`.
    fn six_runs_around(t: f64) -> [f64; 6] {
        [t, t * 1.01, t * 0.99, t, t * 1.02, t * 0.98]
    }

    /// The caption promises dashes only where a fit line is drawn, and says why none is.
    #[test]
    fn the_fits_caption_says_why_no_fit_line_is_drawn() {
        let results = |workers: &[usize]| {
            let mut cells = vec![CellResult::with_walls(ModelKind::Sequential, 1, &[1.0; 6])];
            for &w in workers {
                let t = 1.0 / (w as f64).powf(0.9);
                cells.push(CellResult::with_walls(
                    ModelKind::Threads,
                    w,
                    &six_runs_around(t),
                ));
            }
            recomputed(cells)
        };
        // The caption of `kind`'s chart with these fits, checked against `words`.
        let says = |kind: ChartKind, fits: &[crate::analysis::ModelFit], words: &str| {
            assert_eq!(fits_caption(kind, fits), words, "{kind:?}");
        };
        let two = crate::analysis::fit_results(&results(&[1, 2]));
        says(
            ChartKind::Speedup,
            &two,
            "· No USL fit drawn: it needs 3 worker counts or more, and these results have 2.",
        );
        // Amdahl needs two: drawn on the wall-time chart.
        assert!(fits_caption(ChartKind::WallTime, &two).contains("Thin dashes"));
        let four = crate::analysis::fit_results(&results(&[1, 2, 3, 4]));
        says(
            ChartKind::Speedup,
            &four,
            "· Thin dashes in a model's colour: its USL fit.",
        );
        says(
            ChartKind::WallTime,
            &four,
            "· Thin dashes in a model's colour: its Amdahl fit.",
        );
        // Charts that draw no law say nothing of fits.
        says(ChartKind::Memory, &four, "");
        says(ChartKind::LostUpdates, &four, "");
        // Lock contention (weak scaling): Amdahl's law is not fitted at all, which is neither
        // too few worker counts nor a fit that misses.
        let mut contention = results(&[1, 2, 3, 4]);
        contention.experiment.task.kind = crate::preset::TaskKind::Contention;
        contention.recompute();
        let weak = crate::analysis::fit_results(&contention);
        says(
            ChartKind::WallTime,
            &weak,
            "· No Amdahl fit on this chart: every worker brings its own work here (weak scaling), so no serial fraction applies and Amdahl's law is not fitted (the Fits tab says what is).",
        );
        // A fit that misses its points is not drawn, and the caption says so: the USL of
        // speedups that swing up and down at random.
        let mut swinging = results(&[]);
        for (w, speedup) in [(1, 1.0), (2, 3.5), (3, 0.6), (4, 3.9), (5, 0.7), (6, 4.2)] {
            swinging.cells.push(CellResult::with_walls(
                ModelKind::Threads,
                w,
                &six_runs_around(1.0 / speedup),
            ));
        }
        swinging.recompute();
        let zigzag = crate::analysis::fit_results(&swinging);
        assert!(
            crate::analysis::usl_fits_poorly(&zigzag[0]),
            "{:?}",
            zigzag[0].usl
        );
        says(
            ChartKind::Speedup,
            &zigzag,
            "· No USL fit drawn: the fits miss the measured points (the Fits tab says why).",
        );
        // Enough worker counts, but every fit refused.
        let mut refused = four.clone();
        for f in &mut refused {
            (f.amdahl, f.usl) = (None, None);
        }
        says(
            ChartKind::WallTime,
            &refused,
            "· No Amdahl fit drawn: the fit was refused (the Fits tab says why).",
        );
        says(
            ChartKind::Speedup,
            &refused,
            "· No USL fit drawn: the fit was refused (the Fits tab says why).",
        );
    }
}
