//! Small pieces of English shared by every front end, so that a count reads the same in the
//! terminal, the workbench and a report.

/// `n` and the noun, singular for one: "1 cell", "7 cells".
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// The decimals a time of `v` seconds is shown with in tables and summaries: four significant
/// digits, 4 decimals at least and 9 at most (`1.2345`, `0.012345`); 4 for a time that is not
/// a positive number.
pub fn seconds_places(v: f64) -> usize {
    if !(v.is_finite() && v > 0.0) {
        return 4;
    }
    (3 - v.log10().floor() as i64).clamp(4, 9) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "cell"), "1 cell");
        assert_eq!(count(0, "cell"), "0 cells");
        assert_eq!(count(7, "run"), "7 runs");
    }
}
