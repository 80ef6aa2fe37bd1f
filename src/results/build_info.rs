//! Which build of corelab measured: its profile (a debug build runs the Rust models several
//! times slower than a release build) and the compiler that built it. Recorded with the machine
//! (`MachineInfo::build`) so that a published curve says what produced it.

use serde::{Deserialize, Serialize};

/// How corelab was built, as recorded in a results file. Absent (`MachineInfo::build` is
/// `None`) in files from before it was recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuildInfo {
    /// `release`, or `debug` where debug assertions were compiled in (`cfg!(debug_assertions)`:
    /// cargo's dev profile, or a release profile that turned them on).
    pub profile: String,
    /// cargo's optimisation level (`0`–`3`, `s`, `z`), or `unknown`.
    pub opt_level: String,
    /// The compiler, in its own words: `rustc 1.95.0 (59807616e 2026-04-14)`, or `unknown`.
    pub rustc: String,
}

/// [`BuildInfo::profile`] of a build with debug assertions.
pub const DEBUG_PROFILE: &str = "debug";

/// What a report says, loudly, of results measured by a debug build.
pub const DEBUG_BUILD_WARNING: &str = "debug build: not for publishing (corelab was built without optimisations for release, so its Rust models ran several times slower than a release build's: `cargo build --release`)";

/// What `corelab run` and `selftest` say in one line on stderr as they start, and the
/// workbench in its status bar's hover, when this corelab is a debug build.
pub const DEBUG_BUILD_NOTE: &str =
    "debug build: figures not for publishing (`cargo build --release` for a release build)";

/// [`DEBUG_BUILD_NOTE`]'s first words, which the workbench's status bar shows.
pub const DEBUG_BUILD_SHORT: &str = "debug build: figures not for publishing";

/// [`DEBUG_BUILD_NOTE`] where this corelab is a debug build (the rule of
/// [`BuildInfo::of_this_build`]'s profile), else `None`.
pub fn this_build_note() -> Option<&'static str> {
    cfg!(debug_assertions).then_some(DEBUG_BUILD_NOTE)
}

impl BuildInfo {
    /// This build of corelab (the compiler and optimisation level from `build.rs`).
    pub fn of_this_build() -> BuildInfo {
        BuildInfo {
            profile: match cfg!(debug_assertions) {
                true => DEBUG_PROFILE.into(),
                false => "release".into(),
            },
            opt_level: env!("CORELAB_OPT_LEVEL").into(),
            rustc: env!("CORELAB_RUSTC_VERSION").into(),
        }
    }

    /// Whether the build had debug assertions (not fit for publishing timings).
    pub fn is_debug(&self) -> bool {
        self.profile == DEBUG_PROFILE
    }

    /// In words: `release build (opt-level 3), rustc 1.95.0 (59807616e 2026-04-14)`; a debug
    /// build is headed by [`DEBUG_BUILD_WARNING`]'s first words, in capitals.
    pub fn text(&self) -> String {
        let profile = match self.is_debug() {
            true => "DEBUG BUILD, not for publishing".to_string(),
            false if self.profile.is_empty() => "unknown build".to_string(),
            false => format!("{} build", self.profile),
        };
        let opt = match self.opt_level.as_str() {
            "" | "unknown" => String::new(),
            level => format!(" (opt-level {level})"),
        };
        let rustc = match self.rustc.as_str() {
            "" => "unknown".to_string(),
            r if r.starts_with("rustc") => r.to_string(),
            r => format!("rustc {r}"),
        };
        format!("{profile}{opt}, {rustc}")
    }

    /// Whether `self` and `other` record different values for something both know: the
    /// profile, the optimisation level or the compiler. What either left empty or `unknown` is
    /// not a difference (nothing is known of it).
    pub fn differs_known(&self, other: &BuildInfo) -> bool {
        let known = |v: &str| !v.is_empty() && v != "unknown";
        [
            (&self.profile, &other.profile),
            (&self.opt_level, &other.opt_level),
            (&self.rustc, &other.rustc),
        ]
        .iter()
        .any(|(a, b)| known(a) && known(b) && a != b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_debug_note_is_the_notes_first_words() {
        assert!(DEBUG_BUILD_NOTE.starts_with(&format!("{DEBUG_BUILD_SHORT} (")));
        assert_eq!(
            this_build_note().is_some(),
            BuildInfo::of_this_build().is_debug()
        );
    }

    #[test]
    fn this_build_says_its_profile_and_compiler() {
        let b = BuildInfo::of_this_build();
        // `cargo test` builds with debug assertions unless asked for a release build.
        assert_eq!(b.is_debug(), cfg!(debug_assertions));
        assert!(
            b.rustc.starts_with("rustc ") || b.rustc == "unknown",
            "{b:?}"
        );
        assert!(!b.opt_level.is_empty());
    }

    #[test]
    fn a_debug_build_is_flagged_in_its_words() {
        let release = BuildInfo {
            profile: "release".into(),
            opt_level: "3".into(),
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
        };
        assert_eq!(
            release.text(),
            "release build (opt-level 3), rustc 1.95.0 (59807616e 2026-04-14)"
        );
        let debug = BuildInfo {
            profile: DEBUG_PROFILE.into(),
            opt_level: "0".into(),
            ..release.clone()
        };
        assert!(debug.is_debug());
        assert!(
            debug
                .text()
                .starts_with("DEBUG BUILD, not for publishing (opt-level 0), rustc 1.95.0"),
            "{}",
            debug.text()
        );
        assert!(DEBUG_BUILD_WARNING.starts_with("debug build: not for publishing"));
        assert_eq!(
            BuildInfo::default().text(),
            "unknown build, unknown",
            "nothing recorded: said so"
        );
    }

    #[test]
    fn only_values_both_record_can_differ() {
        let release = BuildInfo {
            profile: "release".into(),
            opt_level: "3".into(),
            rustc: "rustc 1.95.0".into(),
        };
        let debug = BuildInfo {
            profile: DEBUG_PROFILE.into(),
            ..release.clone()
        };
        assert!(release.differs_known(&debug));
        let newer = BuildInfo {
            rustc: "rustc 1.96.0".into(),
            ..release.clone()
        };
        assert!(release.differs_known(&newer));
        assert!(!release.differs_known(&release.clone()));
        // The compiler unknown on one side, nothing at all on the other: no known difference.
        let unknown_rustc = BuildInfo {
            rustc: "unknown".into(),
            ..release.clone()
        };
        assert!(!release.differs_known(&unknown_rustc));
        assert!(!release.differs_known(&BuildInfo::default()));
        assert!(!BuildInfo::default().differs_known(&debug));
    }
}
