//! What an MPI launcher says when one of its ranks is killed by a signal, turned into a
//! sentence that names the rank and the signal (`MPI rank 1 was killed by signal 9
//! (SIGKILL)`), the signal named as corelab names the one that kills its own worker processes
//! ([`signal_text`]).
//!
//! A rank killed by a signal cannot say so itself, and the launcher then ends the whole job,
//! the dispatching rank 0 with it; only the launcher's own report on its stderr says which
//! rank it was:
//!
//! - Open MPI 4 (`mpiexec`, ORTE) and 5 (`prterun`): `mpiexec noticed that process rank 1 with
//!   PID 0 on node vm exited on signal 9 (Killed).`
//! - MPICH (Hydra) names the process id, not the rank: `YOUR APPLICATION TERMINATED WITH THE
//!   EXIT STRING: Killed (signal 9)`.

use super::child::signal_text;

/// A rank the launcher reported killed by a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KilledRank {
    /// The rank, when the launcher names it (Open MPI does, MPICH does not).
    pub rank: Option<u32>,
    pub signal: i32,
}

impl KilledRank {
    /// Finds the launcher's report in `output` (the end of its stderr); `None` when there is
    /// none (the job ended otherwise: a rank that exited with a status, a launcher error).
    pub fn from_launcher_output(output: &str) -> Option<KilledRank> {
        if let Some(line) = output
            .lines()
            .find(|l| l.contains("noticed that process rank ") && l.contains(" on signal "))
        {
            let rank = number_after(line, "noticed that process rank ")?;
            let signal = number_after(line, " on signal ")?;
            return Some(KilledRank {
                rank: Some(rank),
                signal: i32::try_from(signal).ok()?,
            });
        }
        let line = output
            .lines()
            .find(|l| l.contains("TERMINATED WITH THE EXIT STRING") && l.contains("(signal "))?;
        let signal = number_after(line, "(signal ")?;
        Some(KilledRank {
            rank: None,
            signal: i32::try_from(signal).ok()?,
        })
    }

    /// `MPI rank 1 was killed by signal 9 (SIGKILL)`; rank 0 is the dispatcher.
    pub fn describe(&self) -> String {
        let who = match self.rank {
            Some(0) => "MPI rank 0 (the dispatcher)".to_string(),
            Some(rank) => format!("MPI rank {rank}"),
            None => "an MPI rank".to_string(),
        };
        format!("{who} was killed by {}", signal_text(self.signal))
    }
}

/// A rank that exited with a non-zero status without telling rank 0 (a `posix._exit` that
/// went around `corelab_cluster.py`'s `os._exit` hook, a C extension's `exit()`): the launcher
/// then aborts the job and names it. Open MPI 4: `Process name: [[21089,1],2]` and `Exit code:
/// 7` after `mpiexec detected that one or more processes exited with non-zero status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitedRank {
    pub rank: u32,
    pub code: i32,
}

impl ExitedRank {
    /// Finds Open MPI's report in `output`; `None` without one.
    pub fn from_launcher_output(output: &str) -> Option<ExitedRank> {
        let after = &output[output.find("exited with non-zero status")?..];
        let name = after
            .lines()
            .find(|l| l.trim_start().starts_with("Process name:"))?;
        // `[[jobid,1],rank]`: the number after the last comma.
        let rank = name
            .rsplit(',')
            .next()?
            .trim()
            .trim_end_matches(']')
            .parse()
            .ok()?;
        let code = after.lines().find_map(|l| {
            let rest = l.trim_start().strip_prefix("Exit code:")?;
            rest.trim().parse().ok()
        })?;
        Some(ExitedRank { rank, code })
    }

    /// `MPI rank 2 exited with status 7`; rank 0 is the dispatcher.
    pub fn describe(&self) -> String {
        match self.rank {
            0 => format!(
                "MPI rank 0 (the dispatcher) exited with status {}",
                self.code
            ),
            rank => format!("MPI rank {rank} exited with status {}", self.code),
        }
    }
}

/// Where `corelab_cluster.py`'s rank 0 keeps which unit each rank is computing, in the cell's
/// scratch directory: one native-endian int64 per rank, the unit + 1 or 0 when idle.
pub const RANKS_FILE: &str = "mpi-running.bin";
/// The run's units in words, a JSON list (`task 2: killed(3)`), written by rank 0 before the
/// run's clock starts.
pub const UNITS_FILE: &str = "mpi-units.json";

/// The task `rank` was computing when the job ended, in words (`task 2: killed(3)`), from
/// rank 0's table in `scratch` ([`RANKS_FILE`], [`UNITS_FILE`]); `None` when the table does
/// not say (the rank was idle, or the files are missing or malformed).
pub fn running_task(scratch: &std::path::Path, rank: u32) -> Option<String> {
    let table = std::fs::read(scratch.join(RANKS_FILE)).ok()?;
    let start = usize::try_from(rank).ok()?.checked_mul(8)?;
    let slot: [u8; 8] = table.get(start..start.checked_add(8)?)?.try_into().ok()?;
    let unit = usize::try_from(i64::from_ne_bytes(slot).checked_sub(1)?).ok()?;
    let words: Vec<String> =
        serde_json::from_slice(&std::fs::read(scratch.join(UNITS_FILE)).ok()?).ok()?;
    words.get(unit).cloned()
}

/// The decimal number right after `prefix` in `line`.
fn number_after(line: &str, prefix: &str) -> Option<u32> {
    let rest = &line[line.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_MPI_4: &str = "\
--------------------------------------------------------------------------
Primary job  terminated normally, but 1 process returned
a non-zero exit code. Per user-direction, the job has been aborted.
--------------------------------------------------------------------------
--------------------------------------------------------------------------
mpiexec noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed).
--------------------------------------------------------------------------
";

    #[test]
    fn the_task_a_rank_was_running_is_read_from_rank_0_s_table() {
        let dir = tempfile::tempdir().unwrap();
        // Nothing written yet: nothing said.
        assert_eq!(running_task(dir.path(), 1), None);
        // Ranks 0 to 3: rank 1 idle, rank 2 on unit 2, rank 3 on unit 0.
        let table: Vec<u8> = [0i64, 0, 3, 1]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        std::fs::write(dir.path().join(RANKS_FILE), table).unwrap();
        std::fs::write(
            dir.path().join(UNITS_FILE),
            r#"["task 0: f(1)", "task 1: f(2)", "task 2: f(3)"]"#,
        )
        .unwrap();
        assert_eq!(running_task(dir.path(), 2).as_deref(), Some("task 2: f(3)"));
        assert_eq!(running_task(dir.path(), 3).as_deref(), Some("task 0: f(1)"));
        assert_eq!(running_task(dir.path(), 1), None, "idle");
        assert_eq!(running_task(dir.path(), 4), None, "no such rank");
        assert_eq!(running_task(dir.path(), u32::MAX), None);
        // A unit past the words, or words that are not a list: nothing said.
        std::fs::write(dir.path().join(UNITS_FILE), r#"["task 0: f(1)"]"#).unwrap();
        assert_eq!(running_task(dir.path(), 2), None);
        std::fs::write(dir.path().join(UNITS_FILE), "{").unwrap();
        assert_eq!(running_task(dir.path(), 3), None);
    }

    #[test]
    fn open_mpi_s_notice_names_the_rank_and_the_signal() {
        let killed = KilledRank::from_launcher_output(OPEN_MPI_4).unwrap();
        assert_eq!(
            killed,
            KilledRank {
                rank: Some(1),
                signal: 9
            }
        );
        assert_eq!(
            killed.describe(),
            "MPI rank 1 was killed by signal 9 (SIGKILL)"
        );
    }

    #[test]
    fn open_mpi_5_and_a_segfault_and_the_dispatcher_are_named_too() {
        let five = "prterun noticed that process rank 3 with PID 4242 on node n1 exited on \
                    signal 11 (Segmentation fault).";
        assert_eq!(
            KilledRank::from_launcher_output(five).unwrap().describe(),
            "MPI rank 3 was killed by signal 11 (SIGSEGV)"
        );
        let zero = "mpiexec noticed that process rank 0 with PID 0 on node vm exited on signal 15 (Terminated).";
        assert_eq!(
            KilledRank::from_launcher_output(zero).unwrap().describe(),
            "MPI rank 0 (the dispatcher) was killed by signal 15 (SIGTERM)"
        );
    }

    #[test]
    fn mpich_names_the_signal_but_not_the_rank() {
        let hydra = "\
===================================================================================
=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES
=   PID 5123 RUNNING AT vm
=   EXIT CODE: 9
===================================================================================
YOUR APPLICATION TERMINATED WITH THE EXIT STRING: Killed (signal 9)
";
        assert_eq!(
            KilledRank::from_launcher_output(hydra).unwrap().describe(),
            "an MPI rank was killed by signal 9 (SIGKILL)"
        );
    }

    #[test]
    fn open_mpi_names_the_rank_that_exited_with_a_status() {
        let aborted = "\
--------------------------------------------------------------------------
Primary job  terminated normally, but 1 process returned
a non-zero exit code. Per user-direction, the job has been aborted.
--------------------------------------------------------------------------
--------------------------------------------------------------------------
mpiexec detected that one or more processes exited with non-zero status, thus causing
the job to be terminated. The first process to do so was:

  Process name: [[21089,1],2]
  Exit code:    7
--------------------------------------------------------------------------
";
        let exited = ExitedRank::from_launcher_output(aborted).unwrap();
        assert_eq!(exited, ExitedRank { rank: 2, code: 7 });
        assert_eq!(exited.describe(), "MPI rank 2 exited with status 7");
        assert_eq!(KilledRank::from_launcher_output(aborted), None);
        assert_eq!(ExitedRank::from_launcher_output(OPEN_MPI_4), None);
        assert_eq!(ExitedRank::from_launcher_output(""), None);
        let garbled = "exited with non-zero status\n  Process name: [[1,1],x]\n  Exit code: 7";
        assert_eq!(ExitedRank::from_launcher_output(garbled), None);
    }

    #[test]
    fn other_endings_are_not_taken_for_a_signal() {
        for output in [
            "",
            "mpiexec detected that one or more processes exited with non-zero status, thus causing\nthe job to be terminated. The first process to do so was:\n  Process name: [[1,1],1]\n  Exit code:    7",
            "mpiexec noticed that process rank x with PID 0 on node vm exited on signal 9 (Killed).",
            "mpiexec noticed that process rank 1 with PID 0 on node vm exited on signal (Killed).",
            "YOUR APPLICATION TERMINATED WITH THE EXIT STRING: Killed (signal )",
        ] {
            assert_eq!(KilledRank::from_launcher_output(output), None, "{output}");
        }
    }
}
