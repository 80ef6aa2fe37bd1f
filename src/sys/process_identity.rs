//! Which process, where: a process as corelab records it in what it leaves behind (a results
//! file's writer, a scratch directory's owner file, a run's mark), and the one judgement of
//! whether that process is surely gone.
//!
//! A pid and its start time name a process only within one pid namespace of one boot of one
//! machine: another container sharing `/tmp`, another host sharing a home over NFS, or the same
//! machine after a restart gives the same numbers to unrelated processes. So the record holds
//! where the process ran too (the boot id, the pid namespace, the host name), and a process is
//! judged gone only where that can be known ([`ProcessIdentity::liveness_from`]).

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::same_process::{self, PidNow};

/// A process and where it ran: its pid and start time (clock ticks after boot, field 22 of
/// `/proc/PID/stat`, so that a pid used again is not taken for it), the boot it ran in
/// (`/proc/sys/kernel/random/boot_id`), its pid namespace (the inode in
/// `/proc/self/ns/pid`, `pid:[4026531836]`) and its host name. A field is `None` where it could
/// not be read, or in a record made before corelab recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcessIdentity {
    pub pid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_ticks: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid_namespace: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// Where this process runs: what a recorded [`ProcessIdentity`] is compared with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub boot_id: Option<String>,
    pub pid_namespace: Option<u64>,
    pub host: Option<String>,
    /// When this boot began (`btime` in `/proc/stat`).
    pub booted_at: Option<SystemTime>,
}

/// What can be said of a recorded process, from here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Liveness {
    /// It ran here (this boot, this pid namespace, this host) and its pid still names it, or
    /// names a process whose start time cannot be read.
    Running,
    /// Surely gone: it ran here and its pid is free or names a later process; or it ran on
    /// this host in a boot that is over.
    Gone,
    /// It ran elsewhere, or where it ran was not recorded: nothing here says whether it still
    /// runs, so it is taken to be running (nothing of it is removed or stopped).
    CannotTell(Elsewhere),
}

/// Why a recorded process cannot be judged from here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elsewhere {
    /// On another host (by name), or on a host of this name while this machine was up (so
    /// another machine of the same name).
    OtherHost(String),
    /// On this machine and boot, in another pid namespace or under another host name (another
    /// container).
    OtherContainer,
    /// The record lacks where it ran (an older corelab), or this process cannot read where it
    /// runs itself.
    Unrecorded,
}

impl Elsewhere {
    /// "written by a corelab on HOST; cannot tell if it is still running", with `what` for
    /// "written" ("made", "started").
    pub fn words(&self, what: &str) -> String {
        let by = match self {
            Elsewhere::OtherHost(host) => format!("{what} by a corelab on {}", printable(host)),
            Elsewhere::OtherContainer => format!("{what} by a corelab in another container"),
            Elsewhere::Unrecorded => {
                format!("{what} by a corelab that did not record where it ran")
            }
        };
        format!("{by}; cannot tell if it is still running")
    }
}

/// A recorded host name as it may be shown on one line: what the terminal sanitiser never
/// passes raw ([`crate::terminal_chars::is_unsafe_for_terminal`]: control characters,
/// bidirectional overrides and isolates, a crafted file's) and other control characters
/// (newline, tab) as `?`, at most 64 characters.
pub fn printable(host: &str) -> String {
    host.chars()
        .take(64)
        .map(|c| {
            if c.is_control() || crate::terminal_chars::is_unsafe_for_terminal(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

impl ProcessIdentity {
    /// This process, where it runs.
    pub fn this() -> ProcessIdentity {
        let pid = std::process::id();
        ProcessIdentity::here(pid, super::procfs::start_ticks_of(pid))
    }

    /// Process `pid`, started at `started_ticks`, of this boot, pid namespace and host.
    pub fn here(pid: u32, started_ticks: Option<u64>) -> ProcessIdentity {
        let place = Place::here();
        ProcessIdentity {
            pid,
            started_ticks,
            boot_id: place.boot_id.clone(),
            pid_namespace: place.pid_namespace,
            host: place.host.clone(),
        }
    }

    /// What can be said of this process from here, its record last written at `last_written`
    /// (`None`: unknown).
    pub fn liveness(&self, last_written: Option<SystemTime>) -> Liveness {
        self.liveness_from(Place::here(), last_written, PidNow::of)
    }

    /// [`ProcessIdentity::liveness`], given where this process runs and what `/proc` says of
    /// a pid.
    ///
    /// | recorded                                  | judged                                |
    /// |-------------------------------------------|---------------------------------------|
    /// | boot, namespace or host missing           | cannot tell (older record)            |
    /// | this boot, another namespace or host name | cannot tell (another container)       |
    /// | another boot, another host name           | cannot tell (another host)            |
    /// | this boot and namespace                   | gone if the pid is free or reused     |
    /// | this host, another boot, written before this boot began | gone (that boot is over) |
    /// | this host, another boot, written since (or when unknown) | cannot tell (another machine of that name) |
    ///
    /// Wrong in the "gone" direction is harmful (a live corelab's directories removed, its
    /// processes stopped, its file offered to be replaced), so every doubt reads as running.
    pub fn liveness_from(
        &self,
        here: &Place,
        last_written: Option<SystemTime>,
        now_of: impl Fn(u32) -> PidNow,
    ) -> Liveness {
        let (Some(boot), Some(namespace), Some(host)) =
            (&self.boot_id, self.pid_namespace, &self.host)
        else {
            return Liveness::CannotTell(Elsewhere::Unrecorded);
        };
        let (Some(our_boot), Some(our_namespace), Some(our_host)) =
            (&here.boot_id, here.pid_namespace, &here.host)
        else {
            return Liveness::CannotTell(Elsewhere::Unrecorded);
        };
        if boot == our_boot && (host != our_host || namespace != our_namespace) {
            // This kernel and boot (boot ids are random, one a boot), seen from another pid
            // namespace or under another host name (its own UTS namespace).
            return Liveness::CannotTell(Elsewhere::OtherContainer);
        }
        if host != our_host {
            return Liveness::CannotTell(Elsewhere::OtherHost(host.clone()));
        }
        if boot != our_boot {
            // A host of this name, in another boot: this machine before it restarted (whatever
            // its namespace, everything of that boot is over), unless the record was written
            // while this boot was already up, which only another machine of that name can do.
            let before_this_boot = matches!(
                (last_written, here.booted_at),
                (Some(written), Some(booted)) if written < booted
            );
            return if before_this_boot {
                Liveness::Gone
            } else {
                Liveness::CannotTell(Elsewhere::OtherHost(host.clone()))
            };
        }
        if same_process::gone_given(self.started_ticks, now_of(self.pid)) {
            Liveness::Gone
        } else {
            Liveness::Running
        }
    }

    /// Whether it ran in another boot of this machine than the one `here` is of: where
    /// [`ProcessIdentity::liveness_from`] judged it gone, the reason is that its boot is over
    /// (the machine restarted since), not that it was killed or crashed. `false` where either
    /// boot is unknown.
    pub fn of_another_boot_than(&self, here: &Place) -> bool {
        matches!((&self.boot_id, &here.boot_id), (Some(ours), Some(now)) if ours != now)
    }

    /// [`ProcessIdentity::of_another_boot_than`] this machine's boot now.
    pub fn of_an_earlier_boot(&self) -> bool {
        self.of_another_boot_than(Place::here())
    }

    /// Whether it is surely gone ([`Liveness::Gone`]).
    pub fn is_surely_gone(&self, last_written: Option<SystemTime>) -> bool {
        self.liveness(last_written) == Liveness::Gone
    }

    /// The record as one line of text, for an environment variable or a small file:
    /// `<pid>:<start ticks>:<pid namespace>:<boot id>:<host>`, each field empty where unknown,
    /// the boot id and host with every byte but `A-Z a-z 0-9 . _ -` written `%XX` (so the text
    /// holds no `:` of theirs). Read back by [`ProcessIdentity::from_text`].
    pub fn to_text(&self) -> String {
        let number = |n: Option<u64>| n.map_or(String::new(), |n| n.to_string());
        format!(
            "{}:{}:{}:{}:{}",
            self.pid,
            number(self.started_ticks),
            number(self.pid_namespace),
            self.boot_id.as_deref().map_or(String::new(), escape),
            self.host.as_deref().map_or(String::new(), escape),
        )
    }

    /// The record [`ProcessIdentity::to_text`] wrote; also the older form,
    /// `<pid>:<start ticks>:<pid namespace>`, which reads with its boot id and host unknown.
    /// `None` for text that is neither.
    pub fn from_text(text: &str) -> Option<ProcessIdentity> {
        let fields: Vec<&str> = text.split(':').collect();
        if fields.len() != 3 && fields.len() != 5 {
            return None;
        }
        let number = |s: &str| -> Option<Option<u64>> {
            match s {
                "" => Some(None),
                digits => digits.parse().ok().map(Some),
            }
        };
        let text_field = |s: &str| -> Option<Option<String>> {
            match s {
                "" => Some(None),
                escaped => unescape(escaped).map(Some),
            }
        };
        let pid = fields[0].parse().ok()?;
        let started_ticks = number(fields[1])?;
        let pid_namespace = number(fields[2])?;
        let (boot_id, host) = match fields.get(3..5) {
            Some([boot, host]) => (text_field(boot)?, text_field(host)?),
            _ => (None, None),
        };
        Some(ProcessIdentity {
            pid,
            started_ticks,
            boot_id,
            pid_namespace,
            host,
        })
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Place {
    /// Where this process runs, read once.
    pub fn here() -> &'static Place {
        static HERE: std::sync::OnceLock<Place> = std::sync::OnceLock::new();
        HERE.get_or_init(|| Place {
            boot_id: read_trimmed("/proc/sys/kernel/random/boot_id"),
            pid_namespace: own_pid_namespace(),
            host: read_trimmed("/proc/sys/kernel/hostname"),
            booted_at: boot_time(),
        })
    }
}

fn read_trimmed(path: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The inode of this process's pid namespace (`/proc/self/ns/pid` reads `pid:[4026531836]`).
fn own_pid_namespace() -> Option<u64> {
    let link = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let text = link.to_string_lossy();
    text.strip_prefix("pid:[")?.strip_suffix(']')?.parse().ok()
}

/// When this boot began: `btime` (seconds since the epoch) in `/proc/stat`.
fn boot_time() -> Option<SystemTime> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let seconds: u64 = stat
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOT: &str = "0b5a0f0e-6c1d-4b6e-9f55-3b2f7c1d9a10";

    fn here() -> Place {
        Place {
            boot_id: Some(BOOT.into()),
            pid_namespace: Some(4026531836),
            host: Some("lab-1".into()),
            booted_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000)),
        }
    }

    /// Pid 40, started at tick 1000, recorded here.
    fn recorded() -> ProcessIdentity {
        ProcessIdentity {
            pid: 40,
            started_ticks: Some(1000),
            boot_id: Some(BOOT.into()),
            pid_namespace: Some(4026531836),
            host: Some("lab-1".into()),
        }
    }

    /// Pid 40 held by a process started at `ticks`; every other pid free.
    fn pid_40_started_at(ticks: u64) -> impl Fn(u32) -> PidNow {
        move |pid| match pid {
            40 => PidNow::StartedAt(ticks),
            _ => PidNow::Free,
        }
    }

    fn free(_: u32) -> PidNow {
        PidNow::Free
    }

    fn before_boot() -> Option<SystemTime> {
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(999_000))
    }

    fn since_boot() -> Option<SystemTime> {
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_001_000))
    }

    #[test]
    fn here_a_process_is_gone_when_its_pid_is_free_or_reused_and_running_otherwise() {
        let here = here();
        let r = recorded();
        assert_eq!(
            r.liveness_from(&here, None, pid_40_started_at(1000)),
            Liveness::Running
        );
        assert_eq!(
            r.liveness_from(&here, None, pid_40_started_at(2000)),
            Liveness::Gone
        );
        assert_eq!(r.liveness_from(&here, None, free), Liveness::Gone);
        assert_eq!(
            r.liveness_from(&here, None, |_| PidNow::Unreadable),
            Liveness::Running
        );
        let no_start = ProcessIdentity {
            started_ticks: None,
            ..recorded()
        };
        assert_eq!(
            no_start.liveness_from(&here, None, pid_40_started_at(2000)),
            Liveness::Running
        );
        assert_eq!(no_start.liveness_from(&here, None, free), Liveness::Gone);
    }

    #[test]
    fn another_container_or_host_is_never_judged_whatever_its_pid_says_here() {
        let here = here();
        let container = ProcessIdentity {
            pid_namespace: Some(4026532500),
            ..recorded()
        };
        // Its own host name, this boot: a container with a UTS namespace of its own.
        let named_container = ProcessIdentity {
            host: Some("3f2a1b9c0d4e".into()),
            ..recorded()
        };
        let host = ProcessIdentity {
            host: Some("lab-2".into()),
            boot_id: Some("another".into()),
            ..recorded()
        };
        for when in [None, before_boot(), since_boot()] {
            for now in [free, |_| PidNow::StartedAt(2000)] {
                for r in [&container, &named_container] {
                    assert_eq!(
                        r.liveness_from(&here, when, now),
                        Liveness::CannotTell(Elsewhere::OtherContainer)
                    );
                }
                assert_eq!(
                    host.liveness_from(&here, when, now),
                    Liveness::CannotTell(Elsewhere::OtherHost("lab-2".into()))
                );
            }
        }
    }

    #[test]
    fn another_boot_of_this_host_is_over_only_if_written_before_this_boot_began() {
        let here = here();
        for namespace in [4026531836, 4026532500] {
            let earlier_boot = ProcessIdentity {
                boot_id: Some("1f0e0d0c-0000-4000-8000-000000000000".into()),
                pid_namespace: Some(namespace),
                ..recorded()
            };
            // Its pid here means nothing: judged alike whatever holds it.
            for now in [free, |_| PidNow::StartedAt(1000)] {
                assert_eq!(
                    earlier_boot.liveness_from(&here, before_boot(), now),
                    Liveness::Gone
                );
                // Written while this machine was up: another machine with this name.
                let other_machine = Liveness::CannotTell(Elsewhere::OtherHost("lab-1".into()));
                assert_eq!(
                    earlier_boot.liveness_from(&here, since_boot(), now),
                    other_machine
                );
                assert_eq!(earlier_boot.liveness_from(&here, None, now), other_machine);
                let unknown_boot_time = Place {
                    booted_at: None,
                    ..here.clone()
                };
                assert_eq!(
                    earlier_boot.liveness_from(&unknown_boot_time, before_boot(), now),
                    other_machine
                );
            }
        }
    }

    #[test]
    fn a_process_gone_with_its_boot_is_told_from_one_killed_in_this_boot() {
        let here = here();
        let earlier_boot = ProcessIdentity {
            boot_id: Some("1f0e0d0c-0000-4000-8000-000000000000".into()),
            ..recorded()
        };
        assert_eq!(
            earlier_boot.liveness_from(&here, before_boot(), free),
            Liveness::Gone
        );
        assert!(earlier_boot.of_another_boot_than(&here));
        // Gone in this boot (its pid free): killed or crashed, not a restart.
        assert_eq!(recorded().liveness_from(&here, None, free), Liveness::Gone);
        assert!(!recorded().of_another_boot_than(&here));
        // Either boot unknown: not said to be another.
        let unrecorded = ProcessIdentity {
            boot_id: None,
            ..recorded()
        };
        assert!(!unrecorded.of_another_boot_than(&here));
        let unknown_here = Place {
            boot_id: None,
            ..here.clone()
        };
        assert!(!earlier_boot.of_another_boot_than(&unknown_here));
    }

    #[test]
    fn a_record_without_where_it_ran_or_a_place_unknown_here_cannot_be_judged() {
        let here = here();
        let older = ProcessIdentity {
            pid: 40,
            started_ticks: Some(1000),
            ..ProcessIdentity::default()
        };
        let missing_one = [
            ProcessIdentity {
                boot_id: None,
                ..recorded()
            },
            ProcessIdentity {
                pid_namespace: None,
                ..recorded()
            },
            ProcessIdentity {
                host: None,
                ..recorded()
            },
            older,
        ];
        for r in missing_one {
            assert_eq!(
                r.liveness_from(&here, before_boot(), free),
                Liveness::CannotTell(Elsewhere::Unrecorded),
                "{r:?}"
            );
        }
        let blind = Place::default();
        assert_eq!(
            recorded().liveness_from(&blind, before_boot(), free),
            Liveness::CannotTell(Elsewhere::Unrecorded)
        );
        // An older results file's writer: `{"pid": …, "started_ticks": …}` reads, unplaced.
        let old: ProcessIdentity =
            serde_json::from_str(r#"{"pid": 40, "started_ticks": 1000}"#).expect("reads");
        assert_eq!(old.boot_id, None);
        assert_eq!(
            old.liveness_from(&here, None, free),
            Liveness::CannotTell(Elsewhere::Unrecorded)
        );
    }

    #[test]
    fn the_text_form_reads_back_whatever_the_host_name_and_reads_the_older_form() {
        let odd = ProcessIdentity {
            host: Some("we:ird %host\nname ü".into()),
            ..recorded()
        };
        for r in [recorded(), odd, ProcessIdentity::default()] {
            let text = r.to_text();
            assert_eq!(text.matches(':').count(), 4, "{text}");
            assert!(!text.contains('\n'), "{text}");
            assert_eq!(ProcessIdentity::from_text(&text), Some(r), "{text}");
        }
        assert_eq!(
            recorded().to_text(),
            format!("40:1000:4026531836:{BOOT}:lab-1")
        );
        assert_eq!(
            ProcessIdentity::from_text("40:1000:7"),
            Some(ProcessIdentity {
                pid: 40,
                started_ticks: Some(1000),
                pid_namespace: Some(7),
                ..ProcessIdentity::default()
            })
        );
        for bad in [
            "",
            "40",
            "40:1000",
            "40:1000:7:b",
            "x:1:2",
            "1:x:2",
            "1:2:x",
            "1:2:3:4:5:6",
            "1:2:3:%zz:h",
            "1:2:3:b:%4",
        ] {
            assert_eq!(ProcessIdentity::from_text(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn this_process_is_recorded_with_where_it_runs_and_is_running() {
        let me = ProcessIdentity::this();
        assert_eq!(me.pid, std::process::id());
        assert!(me.started_ticks.is_some());
        let here = Place::here();
        assert!(here.boot_id.is_some() && here.pid_namespace.is_some() && here.host.is_some());
        assert!(here.booted_at.is_some());
        assert_eq!(me.boot_id, here.boot_id);
        assert_eq!(me.liveness(None), Liveness::Running);
        assert_eq!(me.liveness(Some(SystemTime::now())), Liveness::Running);
        let mut child = std::process::Command::new("true").spawn().expect("true");
        let gone =
            ProcessIdentity::here(child.id(), super::super::procfs::start_ticks_of(child.id()));
        child.wait().expect("waited");
        assert!(gone.is_surely_gone(None));
    }

    #[test]
    fn the_words_say_where_it_ran_and_that_it_cannot_be_told() {
        assert_eq!(
            Elsewhere::OtherHost("lab-2".into()).words("written"),
            "written by a corelab on lab-2; cannot tell if it is still running"
        );
        assert_eq!(
            Elsewhere::OtherContainer.words("written"),
            "written by a corelab in another container; cannot tell if it is still running"
        );
        assert_eq!(
            Elsewhere::Unrecorded.words("made"),
            "made by a corelab that did not record where it ran; cannot tell if it is still running"
        );
        assert_eq!(
            Elsewhere::OtherHost("a\nb\x1b[31m".into()).words("written"),
            "written by a corelab on a?b?[31m; cannot tell if it is still running"
        );
    }

    /// A host name with a right-to-left override (which would show the rest of the hover
    /// reversed) or an isolate is shown with `?` in its place, and cut to 64 characters.
    #[test]
    fn a_host_name_with_bidi_overrides_is_shown_inert_and_capped() {
        assert_eq!(
            Elsewhere::OtherHost("lab\u{202e}gnp.exe\u{2066}".into()).words("written"),
            "written by a corelab on lab?gnp.exe?; cannot tell if it is still running"
        );
        let long = "h".repeat(200);
        let words = Elsewhere::OtherHost(long).words("written");
        assert!(
            words.contains(&format!("on {};", "h".repeat(64))),
            "{words}"
        );
        assert!(!words.contains(&"h".repeat(65)), "{words}");
    }
}
