#!/usr/bin/env bash
# Cluster creation benchmark: `slotwise cluster create` against `redis-cli --cluster create` on
# 6 fresh nodes (3 primaries x 1 replica), several rounds, fresh nodes each time.
#   bench/create.sh [--rounds N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/ensure-redis.sh"
ensure_redis_server
cd "$ROOT"
mvn -q -B -DskipTests package
./slotwise --version >/dev/null
exec java -cp "slotwise-bench/target/slotwise-bench-0.1.0-SNAPSHOT.jar:slotwise-bench/target/lib/*" io.slotwise.bench.CreateBench --slotwise ./slotwise "$@"
