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

/// How many characters of a value read from a file an error message quotes
/// ([`shortened`]).
pub const MAX_QUOTED_CHARS: usize = 300;

/// `text` whole when it has at most `max` characters; otherwise its first and last `max / 2`
/// with how many were left out between them (`abc… [5 000 000 characters left out] …xyz`), so
/// that a message quoting a hostile file's 5 MB value stays a line, and keeps its end (where
/// serde's messages say what was expected and where).
pub fn shortened(text: &str, max: usize) -> String {
    let chars = text.chars().count();
    if chars <= max {
        return text.to_string();
    }
    let keep = max / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(chars - keep).collect();
    format!("{head}… [{} characters left out] …{tail}", chars - 2 * keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_keeps_its_ends_and_says_how_much_was_left_out() {
        assert_eq!(shortened("short", 10), "short");
        assert_eq!(shortened("0123456789", 10), "0123456789");
        let long = format!("unknown variant `{}`, expected `threads`", "x".repeat(5000));
        let short = shortened(&long, 200);
        assert!(short.starts_with("unknown variant `xxx"), "{short}");
        assert!(short.ends_with("xxx`, expected `threads`"), "{short}");
        assert!(short.contains("… [4838 characters left out] …"), "{short}");
        assert_eq!(
            short.chars().count(),
            200 + "… [4838 characters left out] …".chars().count()
        );
        // Cut between characters, never inside one.
        assert_eq!(shortened("ééééé", 2), "é… [3 characters left out] …é");
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "cell"), "1 cell");
        assert_eq!(count(0, "cell"), "0 cells");
        assert_eq!(count(7, "run"), "7 runs");
    }
}
