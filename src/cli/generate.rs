//! `corelab generate`: the man pages and the shell completions, both made from the clap
//! definition of the command line (so they never drift from `--help`). Packaging runs it on
//! the built binary (see `packaging/build-deb.sh`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// What `corelab generate` writes.
#[derive(clap::Subcommand, Debug)]
pub enum GenerateWhat {
    /// The man page: `corelab.1` on standard output, or with `--dir` one page per command
    /// (corelab.1, corelab-run.1, …) in that directory.
    Man {
        /// Write the pages into this directory (created if missing) instead of stdout.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// A shell completion script, on standard output or with `--dir` as the file that shell
    /// expects (corelab.bash, _corelab, corelab.fish, …).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
        /// Write the script into this directory (created if missing) instead of stdout.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Runs `corelab generate …`.
pub fn generate(what: &GenerateWhat) -> Result<()> {
    match what {
        GenerateWhat::Man { dir: None } => to_stdout(|out| {
            clap_mangen::Man::new(Cli::command())
                .render(out)
                .context("cannot render the man page")
        }),
        GenerateWhat::Man { dir: Some(dir) } => {
            make_dir(dir)?;
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
            errln!("man pages written into {}", dir.display());
            Ok(())
        }
        GenerateWhat::Completions { shell, dir: None } => to_stdout(|out| {
            clap_complete::generate(*shell, &mut Cli::command(), "corelab", out);
            Ok(())
        }),
        GenerateWhat::Completions {
            shell,
            dir: Some(dir),
        } => {
            make_dir(dir)?;
            let path = clap_complete::generate_to(*shell, &mut Cli::command(), "corelab", dir)
                .with_context(|| {
                    format!(
                        "cannot write the {shell} completions into {}",
                        dir.display()
                    )
                })?;
            errln!("{shell} completions written to {}", path.display());
            Ok(())
        }
    }
}

fn make_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// Writes through a buffer to standard output; a reader that went away is not an error.
fn to_stdout(write: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
    let mut buffer = Vec::new();
    write(&mut buffer)?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&buffer).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(()),
    }
}
