//! A relative path a preset names, made absolute against the preset file's directory.

use std::path::Path;

/// `path` made absolute against `base_dir` (the preset file's directory) when it is a
/// relative path; an empty or absolute one, or one that is not UTF-8 once joined, is left as
/// it is. Canonical where the file exists, so that the results record where it was.
pub(crate) fn anchor_relative(path: &mut String, base_dir: &Path) {
    let p = Path::new(path.trim());
    if path.trim().is_empty() || !p.is_relative() {
        return;
    }
    let joined = base_dir.join(p);
    let joined = joined.canonicalize().unwrap_or(joined);
    if let Some(s) = joined.to_str() {
        *path = s.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_path_is_joined_to_the_base_and_others_are_left_alone() {
        let base = Path::new("/nonexistent/presets");
        let mut relative = " hosts/cluster ".to_string();
        anchor_relative(&mut relative, base);
        assert_eq!(relative, "/nonexistent/presets/hosts/cluster");
        for kept in ["", "  ", "/etc/hosts.mpi"] {
            let mut path = kept.to_string();
            anchor_relative(&mut path, base);
            assert_eq!(path, kept);
        }
    }
}
