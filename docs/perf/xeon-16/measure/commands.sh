#!/usr/bin/env bash
# The commands benches/measure.sh ran, in order (CORELAB_BIN=/work/main/target/corelab-device).
sh -c \"/work/main/target/corelab-device\"\ selftest\ --json\ \>\ \"/tmp/m/selftest.json\" 
/work/main/target/corelab-device selftest 
/work/main/target/corelab-device run /work/main/benches/scaling-fidelity.json --out /tmp/m/scaling-fidelity.json --svg /tmp/m/scaling-fidelity.svg --png /tmp/m/scaling-fidelity.png --markdown /tmp/m/scaling-fidelity.md -q 
/work/main/target/corelab-device run cpu-threads-vs-processes --out /tmp/m/cpu-threads-vs-processes.json --svg /tmp/m/cpu-threads-vs-processes.svg --png /tmp/m/cpu-threads-vs-processes.png --markdown /tmp/m/cpu-threads-vs-processes.md -q 
/work/main/target/corelab-device run lock-contention --out /tmp/m/lock-contention.json --svg /tmp/m/lock-contention.svg --png /tmp/m/lock-contention.png --markdown /tmp/m/lock-contention.md -q 
/work/main/target/corelab-device run python-gil-vs-processes --out /tmp/m/python-gil-vs-processes.json --svg /tmp/m/python-gil-vs-processes.svg --png /tmp/m/python-gil-vs-processes.png --markdown /tmp/m/python-gil-vs-processes.md -q 
/work/main/target/corelab-device run memory-bandwidth --out /tmp/m/memory-bandwidth.json --svg /tmp/m/memory-bandwidth.svg --png /tmp/m/memory-bandwidth.png --markdown /tmp/m/memory-bandwidth.md -q 
/work/main/target/corelab-device run gil-cpu-bound --out /tmp/m/gil-cpu-bound.json --svg /tmp/m/gil-cpu-bound.svg --png /tmp/m/gil-cpu-bound.png --markdown /tmp/m/gil-cpu-bound.md -q 
/work/main/target/corelab-device run io-threads-vs-processes --out /tmp/m/io-threads-vs-processes.json --svg /tmp/m/io-threads-vs-processes.svg --png /tmp/m/io-threads-vs-processes.png --markdown /tmp/m/io-threads-vs-processes.md -q 
