#!/usr/bin/env bash
# Parley's benchmark harness, one command: builds Parley and the harness, installs the Node.js
# peers from npm, then runs every scenario with the servers on cpu 1 and the harness on cpu 0,
# one target at a time (each started fresh, measured, stopped).
#   bench/run.sh                 full run (about 90 minutes on 2 cores)
#   bench/run.sh --quick         short run (about 45 minutes): shorter windows and warm-ups
#   bench/run.sh --profile       also profile each Java target once (async-profiler; flame graphs)
#   bench/run.sh --report DIR    redraw DIR/README.md and charts from DIR/results.json
#   bench/run.sh --out DIR ...   any harness option (see docs/benchmarks/README.md), e.g.
#                                --targets parley-1,node-mongoose-1 --scenarios cold
# Results: DIR/README.md (tables and ratios), DIR/results.json, DIR/*.png (charts),
# DIR/profiles/ (flame graphs, collapsed stacks, per-stage breakdowns).
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: '$1' is required ($2)" >&2; exit 2; }; }
need java "JDK 17"
need jcmd "JDK 17 (heap and native memory readings)"
need mvn "Maven 3.8+"
need node "Node.js 20 for the peer (Debian: apt-get install -y nodejs npm)"
need npm "npm for the peer"
need redis-server "Debian: apt-get install -y redis-server"
need taskset "util-linux"

offline=()
[ "${BENCH_OFFLINE:-}" = "1" ] && offline=(-o)

echo "== building target/parley.jar"
mvn -B -q "${offline[@]}" package -DskipTests
echo "== building bench/target/parley-bench.jar"
mvn -B -q "${offline[@]}" -f bench/pom.xml package
echo "== installing the Node.js peers (npm ci, pinned versions)"
(cd bench/node-peer && npm ci --no-audit --no-fund --loglevel=error)

cpus=$(nproc)
if [ "$cpus" -lt 2 ]; then
  echo "bench: needs 2 cpus (server and harness on different cores); this machine has $cpus" >&2
  exit 2
fi
echo "== running (harness on cpu 0, servers on cpu 1); progress below"
exec taskset -c 0 java -Xms1g -Xmx4g -jar bench/target/parley-bench.jar --server-cpus 1 "$@"
