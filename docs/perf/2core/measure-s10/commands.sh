#!/usr/bin/env bash
# The commands benches/measure.sh ran, in order (CORELAB_BIN=/work/main/target/release/corelab).
/work/main/target/release/corelab run /work/main/benches/scaling-fidelity.json --out /tmp/m2/scaling-fidelity.json --svg /tmp/m2/scaling-fidelity.svg --png /tmp/m2/scaling-fidelity.png --markdown /tmp/m2/scaling-fidelity.md -q 
/work/main/target/release/corelab run start-here --out /tmp/m2/start-here.json --svg /tmp/m2/start-here.svg --png /tmp/m2/start-here.png --markdown /tmp/m2/start-here.md -q 
/work/main/target/release/corelab run cpu-threads-vs-processes --out /tmp/m2/cpu-threads-vs-processes.json --svg /tmp/m2/cpu-threads-vs-processes.svg --png /tmp/m2/cpu-threads-vs-processes.png --markdown /tmp/m2/cpu-threads-vs-processes.md -q 
/work/main/target/release/corelab run io-threads-vs-processes --out /tmp/m2/io-threads-vs-processes.json --svg /tmp/m2/io-threads-vs-processes.svg --png /tmp/m2/io-threads-vs-processes.png --markdown /tmp/m2/io-threads-vs-processes.md -q 
/work/main/target/release/corelab run gil-cpu-bound --out /tmp/m2/gil-cpu-bound.json --svg /tmp/m2/gil-cpu-bound.svg --png /tmp/m2/gil-cpu-bound.png --markdown /tmp/m2/gil-cpu-bound.md -q 
/work/main/target/release/corelab run gil-io-bound --out /tmp/m2/gil-io-bound.json --svg /tmp/m2/gil-io-bound.svg --png /tmp/m2/gil-io-bound.png --markdown /tmp/m2/gil-io-bound.md -q 
/work/main/target/release/corelab run lost-updates --out /tmp/m2/lost-updates.json --svg /tmp/m2/lost-updates.svg --png /tmp/m2/lost-updates.png --markdown /tmp/m2/lost-updates.md -q 
/work/main/target/release/corelab run lock-contention --out /tmp/m2/lock-contention.json --svg /tmp/m2/lock-contention.svg --png /tmp/m2/lock-contention.png --markdown /tmp/m2/lock-contention.md -q 
/work/main/target/release/corelab run lock-contention-processes --out /tmp/m2/lock-contention-processes.json --svg /tmp/m2/lock-contention-processes.svg --png /tmp/m2/lock-contention-processes.png --markdown /tmp/m2/lock-contention-processes.md -q 
/work/main/target/release/corelab run memory-bandwidth --out /tmp/m2/memory-bandwidth.json --svg /tmp/m2/memory-bandwidth.svg --png /tmp/m2/memory-bandwidth.png --markdown /tmp/m2/memory-bandwidth.md -q 
/work/main/target/release/corelab run compute-wait-crossover --out /tmp/m2/compute-wait-crossover.json --svg /tmp/m2/compute-wait-crossover.svg --png /tmp/m2/compute-wait-crossover.png --markdown /tmp/m2/compute-wait-crossover.md -q 
/work/main/target/release/corelab run python-gil-vs-processes --out /tmp/m2/python-gil-vs-processes.json --svg /tmp/m2/python-gil-vs-processes.svg --png /tmp/m2/python-gil-vs-processes.png --markdown /tmp/m2/python-gil-vs-processes.md -q 
/work/main/target/release/corelab run waiting-threads-vs-async --out /tmp/m2/waiting-threads-vs-async.json --svg /tmp/m2/waiting-threads-vs-async.svg --png /tmp/m2/waiting-threads-vs-async.png --markdown /tmp/m2/waiting-threads-vs-async.md -q 
/work/main/target/release/corelab run sending-data-to-processes --out /tmp/m2/sending-data-to-processes.json --svg /tmp/m2/sending-data-to-processes.svg --png /tmp/m2/sending-data-to-processes.png --markdown /tmp/m2/sending-data-to-processes.md -q 
sh -c \"/work/main/target/release/corelab\"\ selftest\ --lessons\ \>\ \"/tmp/m2/lessons.txt\"\ 2\>\&1 
taskset -c 0 /work/main/target/release/corelab run cpu-threads-vs-processes --models sequential\,threads --out /tmp/m2/taskset-c0-cpu-threads-vs-processes.json -q 
