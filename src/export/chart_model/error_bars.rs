//! Where the error bars of several series stand, side by side around their worker count.

use super::ChartSeries;

/// Where a series' error bars go on a chart of `kind`, as a share of the x axis's drawn width
/// from their point: `barred` are the indices of the series that have bars, `series` this one.
/// Every model runs the same worker counts, so their bars overlap on one vertical line (at the
/// core count, on the dotted core marker too): each model's bars stand side by side, 1 % of the
/// width apart, centred on the count, and the markers stay on it. One model's bars stay on
/// their points.
pub fn bar_offset(barred: &[usize], series: usize) -> f64 {
    if barred.len() < 2 {
        return 0.0;
    }
    let Some(i) = barred.iter().position(|&b| b == series) else {
        return 0.0;
    };
    (i as f64 - (barred.len() - 1) as f64 / 2.0) * 0.01
}

/// The indices of the series that have at least one error bar (see [`bar_offset`]).
pub fn barred_series(series: &[ChartSeries]) -> Vec<usize> {
    series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.points.iter().any(|p| p.2.is_some()))
        .map(|(i, _)| i)
        .collect()
}
