#!/usr/bin/env bash
# Builds tenantlog_bench in Release, runs the whole suite once and writes, in
# OUT_DIR (default: build-bench/bench-results):
#   results.json  Google Benchmark's JSON
#   results.txt   its console table
#   summary.md    events/s per family and implementation, and the ratios
#                 against the targets
#   results.png   events/s per family and implementation, and the cost per
#                 event against the tenant count (AppendScale)
#
# Usage: bench/run_suite.sh [OUT_DIR] [tenantlog_bench flags…]
#   e.g. bench/run_suite.sh /tmp/r --scale=small --benchmark_filter=Append
# Environment: BUILD_DIR (default build-bench), TENANTLOG_BENCH_SCALE.
# Installs python3-matplotlib with apt-get when it is missing (as root, or
# through sudo).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
out=${1:-$build/bench-results}
shift || true

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target tenantlog_bench

mkdir -p "$out"
"$build/bench/tenantlog_bench" --benchmark_out="$out/results.json" --benchmark_out_format=json \
  "$@" | tee "$out/results.txt"

python=/usr/bin/python3
if ! "$python" -c 'import matplotlib' 2>/dev/null; then
  echo "installing python3-matplotlib for the plot" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3 python3-matplotlib >/dev/null
fi
"$python" "$root/bench/report.py" "$out/results.json" "$out/summary.md" "$out/results.png"
cat "$out/summary.md"
