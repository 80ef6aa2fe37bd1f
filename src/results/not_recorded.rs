//! What the machine records only since a later version (its build, its CPUs' setup): said as
//! `not recorded` where a file from before lacks it, and a difference between two files only
//! where both record it.

/// `text` of a value a results file records, or `not recorded` where it does not.
pub fn text_or_not_recorded<T>(value: Option<&T>, text: fn(&T) -> String) -> String {
    value.map_or_else(|| "not recorded".into(), text)
}

/// Whether two results files' values of the same thing differ by `differs_known`: only where
/// both record it, since unknown on one side is not a difference.
pub(super) fn both_recorded_and_differ<T>(
    a: Option<&T>,
    b: Option<&T>,
    differs_known: fn(&T, &T) -> bool,
) -> bool {
    matches!((a, b), (Some(a), Some(b)) if differs_known(a, b))
}
