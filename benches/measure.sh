#!/usr/bin/env bash
# Measures corelab on the machine it runs on and writes a self-contained results folder:
# results JSON, charts (SVG/PNG), Markdown reports, selftest output, machine information,
# each step's log and wall time, and the exact commands (commands.sh), so the run can be
# repeated and read elsewhere.
#
#   CORELAB_BIN=/path/to/corelab benches/measure.sh [OUT_DIR]
#
# CORELAB_BIN: a release build of corelab (default target/release/corelab; built with cargo
#   when missing and cargo exists). A machine without Rust runs a carried binary.
# OUT_DIR: default measure-HOST-DATE. STEP_TIMEOUT (seconds, default 300) bounds every step.
# PRESETS: built-in presets to run, in order (default: all of them; `none` for none). SKIP_PYTHON=1 leaves out the
#   Python steps; they are skipped anyway when python3 is missing. SKIP_SELFTEST=1 leaves out
#   `corelab selftest`; LESSONS=1 adds `corelab selftest --lessons`.
# DEADLINE_S: no step starts later than this many seconds after the script did (it is
#   recorded as skipped), for a machine lent for a fixed time. ARCHIVE: a .tar.gz path that
#   is rewritten with the whole results folder after every step, so whatever finished is kept
#   even if the machine is taken away mid-step.
#
# Every step runs under `timeout` and a failure is recorded (status.tsv) without stopping
# the others. Run it on an idle machine: anything else running shows up as noise.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${CORELAB_BIN:-$here/target/release/corelab}"
if [ ! -x "$bin" ] && command -v cargo >/dev/null; then
  (cd "$here" && cargo build --release) || true
fi
if [ ! -x "$bin" ]; then
  echo "measure.sh: no corelab binary at $bin (set CORELAB_BIN)" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
out="${1:-measure-$(hostname -s 2>/dev/null || echo host)-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out" || exit 2
out="$(cd "$out" && pwd)"
step_timeout="${STEP_TIMEOUT:-300}"
script_started=$(date +%s)
has_python=0
if [ "${SKIP_PYTHON:-0}" != 1 ] && command -v python3 >/dev/null; then has_python=1; fi

printf 'step\tstatus\twall_s\tcommand\n' > "$out/status.tsv"
{
  echo "#!/usr/bin/env bash"
  echo "# The commands benches/measure.sh ran, in order (CORELAB_BIN=$bin)."
} > "$out/commands.sh"

# step NAME CMD...: runs CMD under the timeout, its output in logs/NAME.log.
step() {
  local name="$1"; shift
  mkdir -p "$out/logs"
  if [ -n "${DEADLINE_S:-}" ] && [ $(( $(date +%s) - script_started )) -ge "$DEADLINE_S" ]; then
    printf '%s\tskipped(deadline)\t0\t%s\n' "$name" "$*" >> "$out/status.tsv"
    echo "[skipped: deadline] $name"
    return
  fi
  printf '%q ' "$@" >> "$out/commands.sh"; echo >> "$out/commands.sh"
  local t0 t1 rc
  t0=$(date +%s.%N)
  timeout --kill-after=10 "$step_timeout" "$@" > "$out/logs/$name.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local wall
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  local status=ok
  [ $rc -eq 124 ] || [ $rc -eq 137 ] && status="timeout"
  [ $rc -ne 0 ] && [ "$status" = ok ] && status="failed($rc)"
  printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$wall" "$*" >> "$out/status.tsv"
  echo "[$status] $name (${wall}s)"
  if [ -n "${ARCHIVE:-}" ]; then
    tar -C "$(dirname "$out")" -czf "$ARCHIVE.part" "$(basename "$out")" && mv "$ARCHIVE.part" "$ARCHIVE"
  fi
}

# Machine information.
{
  echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "hostname: $(hostname 2>/dev/null)"
  echo "uname: $(uname -a)"
  echo "nproc (CPUs this process may use): $(nproc 2>/dev/null)"
  echo "nproc --all: $(nproc --all 2>/dev/null)"
  echo "corelab: $("$bin" --version 2>/dev/null)"
  echo "python3: $(python3 --version 2>&1 || echo none)"
  echo "--- lscpu"; lscpu 2>/dev/null
  echo "--- free -m"; free -m 2>/dev/null
  echo "--- cgroup cpu.max"; cat /sys/fs/cgroup/cpu.max 2>/dev/null
  echo "--- loadavg"; cat /proc/loadavg 2>/dev/null
} > "$out/machine.txt" 2>&1

if [ "${SKIP_SELFTEST:-0}" != 1 ]; then
  step selftest-json sh -c "\"$bin\" selftest --json > \"$out/selftest.json\""
  step selftest "$bin" selftest
fi

# Balanced CPU work over the whole machine (the preset's own "auto" worker rule).
step scaling-fidelity "$bin" run "$here/benches/scaling-fidelity.json" \
  --out "$out/scaling-fidelity.json" --svg "$out/scaling-fidelity.svg" \
  --png "$out/scaling-fidelity.png" --markdown "$out/scaling-fidelity.md" -q

# The same work with runs 4× as long, at the top worker count only: a speedup that rises with
# the run length is lost to a fixed cost per run (hand-over, the slowest worker's tail); one
# that does not is lost in proportion (memory, frequency, the machine's other load).
cores=$(nproc 2>/dev/null || echo 1)
if [ "$cores" -ge 4 ]; then
  sed 's/"target_run_s": [0-9.]*/"target_run_s": 2.0/' "$here/benches/scaling-fidelity.json" \
    > "$out/scaling-fidelity-long-runs.preset.json"
  step scaling-fidelity-long-runs "$bin" run "$out/scaling-fidelity-long-runs.preset.json" \
    --workers "$cores" --out "$out/scaling-fidelity-long-runs.json" -q
fi

# 8192 tasks of 0.17 ms: what the process pool's pipes cost at a fine grain, at 1 worker and
# at the top worker count (short tasks travel several to a message).
if [ "$cores" -ge 4 ]; then
  step fine-grained-dispatch "$bin" run "$here/benches/fine-grained-dispatch.json" \
    --workers "1,$cores" --out "$out/fine-grained-dispatch.json" \
    --markdown "$out/fine-grained-dispatch.md" -q
fi

presets="${PRESETS:-$("$bin" presets 2>/dev/null | awk '{print $1}' | grep -E '^[a-z0-9-]+$')}"
if [ -z "$presets" ]; then
  presets="cpu-threads-vs-processes gil-cpu-bound gil-io-bound io-threads-vs-processes lock-contention lock-contention-processes lost-updates memory-bandwidth compute-wait-crossover python-gil-vs-processes"
fi
[ "$presets" = none ] && presets=""
for p in $presets; do
  case "$p" in
    python-*|py-*) [ $has_python = 1 ] || { printf '%s\tskipped\t0\tno python3\n' "$p" >> "$out/status.tsv"; echo "[skipped] $p"; continue; } ;;
  esac
  step "$p" "$bin" run "$p" --out "$out/$p.json" --svg "$out/$p.svg" \
    --png "$out/$p.png" --markdown "$out/$p.md" -q
done

# The classic lessons, PASS/FAIL against their thresholds (LESSONS=1).
if [ "${LESSONS:-0}" = 1 ]; then
  step lessons sh -c "\"$bin\" selftest --lessons > \"$out/lessons.txt\" 2>&1"
fi

# Under one CPU: the worker rule must resolve to [1] plus the past-the-cores points.
if command -v taskset >/dev/null; then
  step cpu-threads-vs-processes-taskset-c0 taskset -c 0 "$bin" run cpu-threads-vs-processes \
    --models sequential,threads --out "$out/taskset-c0-cpu-threads-vs-processes.json" -q
fi

echo
echo "Results in $out (status.tsv, commands.sh, machine.txt, *.json, *.svg, *.png, *.md, logs/)"
column -t -s $'\t' "$out/status.tsv" 2>/dev/null || cat "$out/status.tsv"
