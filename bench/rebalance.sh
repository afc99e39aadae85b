#!/usr/bin/env bash
# Rebalance benchmark: Slotwise against redis-cli --cluster (default pipeline and --cluster-pipeline 1000),
# each on a fresh 3x1 local cluster with the same data, for adding a 4th shard and for draining one.
# Prints keys/s, the ratio to redis-cli's default, an independent cluster client's request latency
# (p50, p99, max) during each move, and where Slotwise's time went. Extra arguments go to the program, e.g.
#   bench/rebalance.sh --keys 200000 --scenario add-shard
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/ensure-redis.sh"
ensure_redis_server
cd "$ROOT"
mvn -q -B -DskipTests package
./slotwise --version >/dev/null   # the launcher records its class-data archive once per build
exec java -cp "slotwise-bench/target/slotwise-bench-0.1.0-SNAPSHOT.jar:slotwise-bench/target/lib/*" io.slotwise.bench.RebalanceBench --slotwise ./slotwise "$@"
