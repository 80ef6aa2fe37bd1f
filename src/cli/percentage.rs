//! Percentages on the command line (`--precision`, `--fail-if-slower`): `5` or `5%`, within a
//! range, as a fraction.

/// `s` as a percentage from 0 to `max` (`5` or `5%`, spaces around it ignored), as a fraction
/// (`5` → 0.05). The error quotes `s`, names the range and ends with `hint` (empty, or an
/// example in parentheses with its leading space).
pub(super) fn parse_percentage(s: &str, max: f64, hint: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..=max).contains(&p) => Ok(p / 100.0),
        _ => Err(format!("{s:?} is not a percentage from 0 to {max}{hint}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_is_a_fraction_within_its_range() {
        assert_eq!(parse_percentage("5", 50.0, ""), Ok(0.05));
        assert_eq!(parse_percentage(" 12.5% ", 50.0, ""), Ok(0.125));
        assert_eq!(parse_percentage("50", 50.0, ""), Ok(0.5));
        assert_eq!(parse_percentage("0", 1000.0, ""), Ok(0.0));
        assert_eq!(parse_percentage("1000", 1000.0, ""), Ok(10.0));
        for bad in ["50.5", "-1", "nan", "inf", "", "five"] {
            assert!(parse_percentage(bad, 50.0, "").is_err(), "{bad}");
        }
        // The range is written as a whole number, and the hint follows it.
        assert_eq!(
            parse_percentage("x", 50.0, ""),
            Err("\"x\" is not a percentage from 0 to 50".to_string())
        );
        assert_eq!(
            parse_percentage("2000", 1000.0, " (e.g. 5)"),
            Err("\"2000\" is not a percentage from 0 to 1000 (e.g. 5)".to_string())
        );
    }
}
