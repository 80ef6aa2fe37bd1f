use serde::{Deserialize, Serialize};

/// The workload of an experiment: its kind, how finely it is split, and each kind's parameters.
///
/// Parameters of the kinds not selected are kept (so switching kind in the GUI loses nothing)
/// but ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskSpec {
    pub kind: TaskKind,
    /// Number of independent tasks the work is split into (granularity). Ignored by
    /// `contention`, where every worker gets exactly one task.
    pub tasks: u32,
    pub cpu: CpuParams,
    pub io: IoParams,
    pub memory: MemoryParams,
    pub contention: ContentionParams,
    pub mixed: MixedParams,
    /// `command`: the program run once per task.
    pub command: CommandParams,
    /// `function`: the user's Python function, called once per task.
    pub function: FunctionParams,
    /// Data each task carries in and returns, KiB (0: none). Threads share it; worker
    /// processes serialise and copy it both ways (see `engine::workload::payload`).
    #[serde(skip_serializing_if = "is_zero")]
    pub payload_kib: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

impl Default for TaskSpec {
    fn default() -> Self {
        TaskSpec {
            kind: TaskKind::Cpu,
            tasks: 64,
            cpu: CpuParams::default(),
            io: IoParams::default(),
            memory: MemoryParams::default(),
            contention: ContentionParams::default(),
            mixed: MixedParams::default(),
            command: CommandParams::default(),
            function: FunctionParams::default(),
            payload_kib: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskKind {
    /// Pure computation.
    #[default]
    Cpu,
    /// Waiting on simulated latency or real file I/O.
    Io,
    /// A STREAM-style triad over arrays larger than the caches.
    Memory,
    /// Workers updating one shared counter under a chosen synchronisation.
    Contention,
    /// Each task computes for a while, then waits.
    Mixed,
    /// Each task runs a program of the user's (no shell), `{task}` in its argv replaced by
    /// the task index.
    Command,
    /// Each task calls a function of the user's Python module with one argument (the Python
    /// models only).
    Function,
}

impl TaskKind {
    pub const ALL: [TaskKind; 7] = [
        TaskKind::Cpu,
        TaskKind::Io,
        TaskKind::Memory,
        TaskKind::Contention,
        TaskKind::Mixed,
        TaskKind::Command,
        TaskKind::Function,
    ];

    pub fn id(self) -> &'static str {
        match self {
            TaskKind::Cpu => "cpu",
            TaskKind::Io => "io",
            TaskKind::Memory => "memory",
            TaskKind::Contention => "contention",
            TaskKind::Mixed => "mixed",
            TaskKind::Command => "command",
            TaskKind::Function => "function",
        }
    }
}

impl std::fmt::Display for TaskKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CpuKernel {
    /// Count primes below `size` by trial division; later tasks cost more (uneven).
    #[default]
    Primes,
    /// `size` rounds of a 64-bit mixing function, split evenly over the tasks (balanced).
    HashChain,
}

impl CpuKernel {
    pub const ALL: [CpuKernel; 2] = [CpuKernel::Primes, CpuKernel::HashChain];
    pub fn id(self) -> &'static str {
        match self {
            CpuKernel::Primes => "primes",
            CpuKernel::HashChain => "hash-chain",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CpuParams {
    pub kernel: CpuKernel,
    /// Problem size: upper bound of the prime range, or total hash rounds.
    pub size: u64,
}

impl Default for CpuParams {
    fn default() -> Self {
        CpuParams {
            kernel: CpuKernel::Primes,
            size: 2_000_000,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IoMode {
    /// Each task sleeps `sleep_ms` (network latency, a database call).
    #[default]
    Sleep,
    /// Each task writes `file_kib` to a temporary file, fsyncs it and reads it back.
    File,
}

impl IoMode {
    pub const ALL: [IoMode; 2] = [IoMode::Sleep, IoMode::File];
    pub fn id(self) -> &'static str {
        match self {
            IoMode::Sleep => "sleep",
            IoMode::File => "file",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IoParams {
    pub mode: IoMode,
    /// Latency of one task in `sleep` mode, milliseconds.
    pub sleep_ms: f64,
    /// Bytes written and read back per task in `file` mode, KiB.
    pub file_kib: u64,
}

impl Default for IoParams {
    fn default() -> Self {
        IoParams {
            mode: IoMode::Sleep,
            sleep_ms: 20.0,
            file_kib: 256,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemoryParams {
    /// Size of each of the three triad arrays, MiB (keep well above the last-level cache; with
    /// `target_run_s` it is raised to four times the cache).
    pub array_mib: u64,
    /// How many times the triad sweeps the arrays per run (each pass cut into `tasks` chunks,
    /// one unit each).
    pub passes: u32,
}

impl Default for MemoryParams {
    fn default() -> Self {
        MemoryParams {
            array_mib: 64,
            passes: 4,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMode {
    /// A mutex around read-modify-write.
    #[default]
    Mutex,
    /// One atomic fetch-add per increment.
    Atomic,
    /// Increments are sent over a queue to a single owner of the counter.
    Channel,
    /// A counting semaphore admits `permits` workers at a time into the (atomic) update.
    Semaphore,
    /// No synchronisation: a racy read-then-write. Updates get lost.
    None,
}

impl SyncMode {
    pub const ALL: [SyncMode; 5] = [
        SyncMode::Mutex,
        SyncMode::Atomic,
        SyncMode::Channel,
        SyncMode::Semaphore,
        SyncMode::None,
    ];
    pub fn id(self) -> &'static str {
        match self {
            SyncMode::Mutex => "mutex",
            SyncMode::Atomic => "atomic",
            SyncMode::Channel => "channel",
            SyncMode::Semaphore => "semaphore",
            SyncMode::None => "none",
        }
    }

    /// Why `model` cannot update a contention counter under this synchronisation, or `None`
    /// where it can: processes share no memory and the Python models have no atomic integer,
    /// so both take only `none` or `mutex`.
    pub fn refusal_for(self, model: super::ModelKind) -> Option<&'static str> {
        use super::ModelKind;
        match (model, self) {
            (ModelKind::Processes, SyncMode::Atomic | SyncMode::Semaphore | SyncMode::Channel) => {
                Some(
                    "processes share no memory: their counter is a file, updated under an OS file lock (`mutex`) or unlocked (`none`)",
                )
            }
            (m, SyncMode::Atomic | SyncMode::Semaphore | SyncMode::Channel) if m.is_python() => {
                Some(
                    "the Python models update their counter unlocked (`none`) or under a lock (`mutex`: threading.Lock, a multiprocessing.Value's get_lock()); Python has no atomic integer",
                )
            }
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentionParams {
    pub sync: SyncMode,
    /// Increments each worker performs.
    pub increments: u64,
    /// Workers admitted at once in `semaphore` mode.
    pub permits: u32,
}

impl Default for ContentionParams {
    fn default() -> Self {
        ContentionParams {
            sync: SyncMode::Mutex,
            increments: 1_000_000,
            permits: 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MixedParams {
    /// Computation per task, milliseconds of the task's own thread's CPU time (see
    /// `engine::workload::mixed`).
    pub compute_ms: f64,
    /// Waiting per task after computing, milliseconds.
    pub wait_ms: f64,
}

impl Default for MixedParams {
    fn default() -> Self {
        MixedParams {
            compute_ms: 5.0,
            wait_ms: 5.0,
        }
    }
}

/// The placeholder in a command's argv replaced by the task index.
pub const TASK_PLACEHOLDER: &str = "{task}";

/// A program run once per task, directly (no shell): `argv[0]` is looked up on PATH like
/// `execvp` does, and every `{task}` in any argument is replaced by the task index (0-based).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommandParams {
    pub argv: Vec<String>,
}

impl CommandParams {
    /// `argv[0]` made absolute against `base_dir` (the preset file's directory) when it is a
    /// relative path (`./bench`, `bin/bench`), as the interpreter and a function's module are:
    /// the program a shared preset names is the one beside it, not one in whatever directory
    /// corelab was started from. A bare name (`sh`) is looked up on `PATH` as before.
    pub fn anchor(&mut self, base_dir: &std::path::Path) {
        let Some(program) = self.argv.first_mut() else {
            return;
        };
        let p = std::path::Path::new(program.as_str());
        if p.is_relative() && program.contains('/') {
            let joined = base_dir.join(p);
            let joined = joined.canonicalize().unwrap_or(joined);
            if let Some(s) = joined.to_str() {
                *program = s.to_string();
            }
        }
    }

    /// The argv of task `index`, exactly as it will be run.
    pub fn argv_for(&self, index: usize) -> Vec<String> {
        let n = index.to_string();
        self.argv
            .iter()
            .map(|a| a.replace(TASK_PLACEHOLDER, &n))
            .collect()
    }
}

/// A function of the user's Python module, called once per task: `name(args[i])` for each
/// element of `args`, or `name(i)` for `i` in `0..range` when `args` is empty.
///
/// `file` is imported by path (never by module name): a relative path is relative to the
/// preset file's directory, anchored once when the preset is loaded for a run. Nothing imports
/// it except a run the user started.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunctionParams {
    pub file: String,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<u32>,
}

impl FunctionParams {
    /// How many calls one run makes.
    pub fn calls(&self) -> usize {
        if self.args.is_empty() {
            self.range.unwrap_or(0) as usize
        } else {
            self.args.len()
        }
    }

    /// `file` made absolute against `base_dir` (the preset file's directory) when relative.
    pub fn anchor(&mut self, base_dir: &std::path::Path) {
        super::anchor::anchor_relative(&mut self.file, base_dir);
    }

    /// The module's path as a run will import it: `file` itself when absolute, else joined to
    /// `base_dir` (the preset file's folder), or to the current directory when there is none
    /// (as `python mywork.py` finds it, and as the CLI resolves a preset without a folder).
    /// `None` for an empty `file`.
    pub fn resolved_file(&self, base_dir: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
        resolve_module_file(&self.file, base_dir)
    }

    /// What one run calls, for the workbench and reports.
    pub fn describe(&self) -> String {
        let from = if self.args.is_empty() {
            format!("i for i in range({})", self.range.unwrap_or(0))
        } else {
            format!("each of {} args", self.args.len())
        };
        format!("{}({from}) from {}", self.name, self.file)
    }
}

/// [`FunctionParams::resolved_file`] of a module path as typed (`file`), without the rest of
/// the parameters: the workbench resolves the field's text as it changes.
pub fn resolve_module_file(
    file: &str,
    base_dir: Option<&std::path::Path>,
) -> Option<std::path::PathBuf> {
    if file.trim().is_empty() {
        return None;
    }
    let file = std::path::Path::new(file.trim());
    if file.is_absolute() {
        return Some(file.to_path_buf());
    }
    let base = match base_dir {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir().ok()?,
    };
    let joined = base.join(file);
    Some(joined.canonicalize().unwrap_or(joined))
}
