//! Small pieces of English shared by every front end, so that a count reads the same in the
//! terminal, the workbench and a report.

/// `n` and the noun, singular for one: "1 cell", "7 cells".
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
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
