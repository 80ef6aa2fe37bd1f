#!/usr/bin/env bash
# The commands benches/measure.sh ran, in order (CORELAB_BIN=/work/main/target/release/corelab).
/work/main/target/release/corelab run /work/main/benches/scaling-fidelity.json --out /tmp/m21/scaling-fidelity.json --svg /tmp/m21/scaling-fidelity.svg --png /tmp/m21/scaling-fidelity.png --markdown /tmp/m21/scaling-fidelity.md -q 
/work/main/target/release/corelab run start-here --out /tmp/m21/start-here.json --svg /tmp/m21/start-here.svg --png /tmp/m21/start-here.png --markdown /tmp/m21/start-here.md -q 
/work/main/target/release/corelab run cpu-threads-vs-processes --out /tmp/m21/cpu-threads-vs-processes.json --svg /tmp/m21/cpu-threads-vs-processes.svg --png /tmp/m21/cpu-threads-vs-processes.png --markdown /tmp/m21/cpu-threads-vs-processes.md -q 
/work/main/target/release/corelab run io-threads-vs-processes --out /tmp/m21/io-threads-vs-processes.json --svg /tmp/m21/io-threads-vs-processes.svg --png /tmp/m21/io-threads-vs-processes.png --markdown /tmp/m21/io-threads-vs-processes.md -q 
/work/main/target/release/corelab run gil-cpu-bound --out /tmp/m21/gil-cpu-bound.json --svg /tmp/m21/gil-cpu-bound.svg --png /tmp/m21/gil-cpu-bound.png --markdown /tmp/m21/gil-cpu-bound.md -q 
/work/main/target/release/corelab run gil-io-bound --out /tmp/m21/gil-io-bound.json --svg /tmp/m21/gil-io-bound.svg --png /tmp/m21/gil-io-bound.png --markdown /tmp/m21/gil-io-bound.md -q 
/work/main/target/release/corelab run lost-updates --out /tmp/m21/lost-updates.json --svg /tmp/m21/lost-updates.svg --png /tmp/m21/lost-updates.png --markdown /tmp/m21/lost-updates.md -q 
/work/main/target/release/corelab run lost-updates-processes --out /tmp/m21/lost-updates-processes.json --svg /tmp/m21/lost-updates-processes.svg --png /tmp/m21/lost-updates-processes.png --markdown /tmp/m21/lost-updates-processes.md -q 
/work/main/target/release/corelab run lock-contention --out /tmp/m21/lock-contention.json --svg /tmp/m21/lock-contention.svg --png /tmp/m21/lock-contention.png --markdown /tmp/m21/lock-contention.md -q 
/work/main/target/release/corelab run lock-contention-processes --out /tmp/m21/lock-contention-processes.json --svg /tmp/m21/lock-contention-processes.svg --png /tmp/m21/lock-contention-processes.png --markdown /tmp/m21/lock-contention-processes.md -q 
/work/main/target/release/corelab run memory-bandwidth --out /tmp/m21/memory-bandwidth.json --svg /tmp/m21/memory-bandwidth.svg --png /tmp/m21/memory-bandwidth.png --markdown /tmp/m21/memory-bandwidth.md -q 
/work/main/target/release/corelab run compute-wait-crossover --out /tmp/m21/compute-wait-crossover.json --svg /tmp/m21/compute-wait-crossover.svg --png /tmp/m21/compute-wait-crossover.png --markdown /tmp/m21/compute-wait-crossover.md -q 
/work/main/target/release/corelab run python-gil-vs-processes --out /tmp/m21/python-gil-vs-processes.json --svg /tmp/m21/python-gil-vs-processes.svg --png /tmp/m21/python-gil-vs-processes.png --markdown /tmp/m21/python-gil-vs-processes.md -q 
/work/main/target/release/corelab run python-lost-updates --out /tmp/m21/python-lost-updates.json --svg /tmp/m21/python-lost-updates.svg --png /tmp/m21/python-lost-updates.png --markdown /tmp/m21/python-lost-updates.md -q 
/work/main/target/release/corelab run waiting-threads-vs-async --out /tmp/m21/waiting-threads-vs-async.json --svg /tmp/m21/waiting-threads-vs-async.svg --png /tmp/m21/waiting-threads-vs-async.png --markdown /tmp/m21/waiting-threads-vs-async.md -q 
/work/main/target/release/corelab run sending-data-to-processes --out /tmp/m21/sending-data-to-processes.json --svg /tmp/m21/sending-data-to-processes.svg --png /tmp/m21/sending-data-to-processes.png --markdown /tmp/m21/sending-data-to-processes.md -q 
sh -c \"/work/main/target/release/corelab\"\ selftest\ --lessons\ \>\ \"/tmp/m21/lessons.txt\"\ 2\>\&1 
taskset -c 0 /work/main/target/release/corelab run cpu-threads-vs-processes --models sequential\,threads --out /tmp/m21/taskset-c0-cpu-threads-vs-processes.json -q 
