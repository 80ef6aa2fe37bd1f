#!/usr/bin/env bash
# Reproduces the README's performance table on the machine it runs on.
#   benches/measure.sh [WORKERS]     e.g. benches/measure.sh 1,2   or   1,2,4,8,12,16
# Writes docs/perf/*.json (raw samples) and prints the summary tables. Run it on an idle
# machine: anything else running shows up as noise in the curves.
set -euo pipefail
cd "$(dirname "$0")/.."
workers="${1:-1,2}"
bin="${CORELAB_BIN:-target/release/corelab}"
[ -x "$bin" ] || cargo build --release
out=docs/perf
mkdir -p "$out"
"$bin" selftest --json > "$out/selftest.json"
"$bin" selftest
"$bin" run benches/scaling-fidelity.json --workers "$workers" --out "$out/scaling-fidelity.json" -q
# 16 workers whatever the core count: what corelab adds when it runs more workers than cores.
"$bin" run benches/scaling-fidelity.json --workers 1,2,4,8,16 \
  --models sequential,threads,rayon,processes --repetitions 3 \
  --out "$out/scaling-fidelity-oversubscribed.json" -q
"$bin" run cpu-threads-vs-processes --out "$out/cpu-threads-vs-processes.json" -q
"$bin" run gil-cpu-bound --out "$out/gil-cpu-bound.json" -q
"$bin" run io-threads-vs-processes --out "$out/io-threads-vs-processes.json" -q
if command -v python3 >/dev/null; then
  "$bin" run python-gil-vs-processes --out "$out/python-gil-vs-processes.json" \
    --svg "$out/python-gil-vs-processes.svg" --png "$out/python-gil-vs-processes.png" -q
fi
