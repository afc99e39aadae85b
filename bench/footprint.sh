#!/usr/bin/env bash
# Operator footprint: a simulated Kubernetes (mock API server, pod simulator with real redis-server
# processes) in the benchmark's JVM, `./slotwise operator` as a separate process whose resident
# memory and CPU are read from /proc; the time from create to Ready of a 3x1 RedisCluster, then
# memory and CPU idle with 1 and with 20 Ready clusters (20 x 6 redis-server processes).
#   bench/footprint.sh [--clusters N] [--window SECONDS] [--jcmd]
#                      [--java "JVM FLAGS" (run java FLAGS -jar slotwise.jar instead of ./slotwise)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/ensure-redis.sh"
ensure_redis_server
cd "$ROOT"
mvn -q -B -DskipTests package
./slotwise --version >/dev/null
BENCH=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
  -cp "slotwise-bench/target/slotwise-bench-0.1.0-SNAPSHOT.jar:slotwise-bench/target/lib/*"
  io.slotwise.bench.FootprintBench)
# The launcher records the operator's class data archive when an operator run after a build
# that lasted a minute stops: one such run first, so that the measured run maps it as every
# later run does.
CDS=slotwise-cli/target/slotwise-operator.jsa
if [ ! -f "$CDS" ] || [ slotwise-cli/target/slotwise.jar -nt "$CDS" ]; then
  echo "recording the operator's class data archive (a run of about 80 s)..." >&2
  "${BENCH[@]}" --launcher ./slotwise --clusters 1 --window 65 >/dev/null
fi
exec "${BENCH[@]}" --launcher ./slotwise "$@"
