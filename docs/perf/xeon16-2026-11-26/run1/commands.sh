#!/usr/bin/env bash
# The commands benches/measure.sh ran, in order (CORELAB_BIN=/work/main/target/corelab-device).
/work/main/target/corelab-device run /work/main/benches/scaling-fidelity.json --out /tmp/m16/scaling-fidelity.json --svg /tmp/m16/scaling-fidelity.svg --png /tmp/m16/scaling-fidelity.png --markdown /tmp/m16/scaling-fidelity.md -q 
/work/main/target/corelab-device run /tmp/m16/scaling-fidelity-long-runs.preset.json --workers 16 --out /tmp/m16/scaling-fidelity-long-runs.json -q 
/work/main/target/corelab-device run memory-bandwidth --out /tmp/m16/memory-bandwidth.json --svg /tmp/m16/memory-bandwidth.svg --png /tmp/m16/memory-bandwidth.png --markdown /tmp/m16/memory-bandwidth.md -q 
/work/main/target/corelab-device run python-gil-vs-processes --out /tmp/m16/python-gil-vs-processes.json --svg /tmp/m16/python-gil-vs-processes.svg --png /tmp/m16/python-gil-vs-processes.png --markdown /tmp/m16/python-gil-vs-processes.md -q 
/work/main/target/corelab-device run io-threads-vs-processes --out /tmp/m16/io-threads-vs-processes.json --svg /tmp/m16/io-threads-vs-processes.svg --png /tmp/m16/io-threads-vs-processes.png --markdown /tmp/m16/io-threads-vs-processes.md -q 
/work/main/target/corelab-device run gil-io-bound --out /tmp/m16/gil-io-bound.json --svg /tmp/m16/gil-io-bound.svg --png /tmp/m16/gil-io-bound.png --markdown /tmp/m16/gil-io-bound.md -q 
/work/main/target/corelab-device run lost-updates --out /tmp/m16/lost-updates.json --svg /tmp/m16/lost-updates.svg --png /tmp/m16/lost-updates.png --markdown /tmp/m16/lost-updates.md -q 
/work/main/target/corelab-device run compute-wait-crossover --out /tmp/m16/compute-wait-crossover.json --svg /tmp/m16/compute-wait-crossover.svg --png /tmp/m16/compute-wait-crossover.png --markdown /tmp/m16/compute-wait-crossover.md -q 
/work/main/target/corelab-device run waiting-threads-vs-async --out /tmp/m16/waiting-threads-vs-async.json --svg /tmp/m16/waiting-threads-vs-async.svg --png /tmp/m16/waiting-threads-vs-async.png --markdown /tmp/m16/waiting-threads-vs-async.md -q 
/work/main/target/corelab-device run sending-data-to-processes --out /tmp/m16/sending-data-to-processes.json --svg /tmp/m16/sending-data-to-processes.svg --png /tmp/m16/sending-data-to-processes.png --markdown /tmp/m16/sending-data-to-processes.md -q 
/work/main/target/corelab-device run cpu-threads-vs-processes --out /tmp/m16/cpu-threads-vs-processes.json --svg /tmp/m16/cpu-threads-vs-processes.svg --png /tmp/m16/cpu-threads-vs-processes.png --markdown /tmp/m16/cpu-threads-vs-processes.md -q 
/work/main/target/corelab-device run gil-cpu-bound --out /tmp/m16/gil-cpu-bound.json --svg /tmp/m16/gil-cpu-bound.svg --png /tmp/m16/gil-cpu-bound.png --markdown /tmp/m16/gil-cpu-bound.md -q 
/work/main/target/corelab-device run lock-contention --out /tmp/m16/lock-contention.json --svg /tmp/m16/lock-contention.svg --png /tmp/m16/lock-contention.png --markdown /tmp/m16/lock-contention.md -q 
sh -c \"/work/main/target/corelab-device\"\ selftest\ --lessons\ \>\ \"/tmp/m16/lessons.txt\"\ 2\>\&1 
taskset -c 0 /work/main/target/corelab-device run cpu-threads-vs-processes --models sequential\,threads --out /tmp/m16/taskset-c0-cpu-threads-vs-processes.json -q 
