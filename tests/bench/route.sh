#!/usr/bin/env bash
# tsdb-route throughput on a multi-million-row file, against the cost of just reading and parsing it.
#   bash tests/bench/route.sh [BUILD]          (BUILD defaults to build; needs BUILD/bin/tsdb-route
#                                               and BUILD/libcore.a, i.e. `make BUILD=... all`)
# Input: 20000 series x 100 points = 2,000,000 rows (about 470 MiB) from ../shared/bench/gen-prom.py,
# cached in /tmp. Outputs go to /dev/shm (tmpfs) when it exists, so the disk is not measured.
# Target (issue 12): --stats on all cores within 1.2x of zstd -3 on one core divided by the core count.
# Prints one plain line per measurement: "<what>: <rows> rows in <s> s = <rows/s> rows/s (cpu <s> s)".
# Wall times depend on the machine's load; the cpu figures (user+sys) are steadier.
set -euo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
input=/tmp/vmt-bench-route-input.prom
if [ ! -s "$input" ]; then
  echo "generating $input ..." >&2
  python3 ../shared/bench/gen-prom.py --series 20000 --points 100 --start-ms 1714521600000 \
    --step-ms 15000 --seed 1 -o "$input.tmp"
  mv "$input.tmp" "$input"
fi
scratch=$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )/vmt-bench-route.$$
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT
g++ -std=c++20 -O2 -Ilibcore -o "$scratch/parse_only" tests/bench/route_parse_only.cpp "$build/libcore.a" \
  -lzstd -lxxhash -lz -pthread
rows=$("$scratch/parse_only" "$input" | cut -d' ' -f1)
nodes=10.0.0.1:8400,10.0.0.2:8400,10.0.0.3:8400,10.0.0.4:8400,10.0.0.5:8400
cat "$input" >/dev/null  # warm the page cache

measure() {  # name command...
  local name=$1 best="" cpu="" t0 t1 wall c
  shift
  for _ in 1 2 3; do  # best of three
    rm -rf "$scratch/out"
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$scratch/time" "$@" >/dev/null 2>&1
    c=$(awk '{print $1 + $2}' "$scratch/time")
    t1=$(date +%s.%N)
    wall=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$wall < $best" | bc -l)" = 1 ]; then best=$wall; cpu=$c; fi
  done
  printf '%s: %d rows in %.2f s = %.0f rows/s (cpu %.2f s)\n' "$name" "$rows" "$best" "$(echo "$rows / $best" | bc -l)" "$cpu"
}

echo "route bench: $(du -m "$input" | cut -f1) MiB, $rows rows, 5 nodes, $(nproc) CPUs"
measure "cat (read only)" cat "$input"
measure "read+parse, 1 thread (LineReader + parse_line)" "$scratch/parse_only" "$input"
# The yardstick of issue 12: zstd -3 on one core, and on every core, over the same file.
if command -v zstd >/dev/null; then
  measure "zstd -3, 1 thread (yardstick)" zstd -q -3 -T1 -c "$input"
  measure "zstd -3, $(nproc) threads (yardstick)" zstd -q -3 -T"$(nproc)" -c "$input"
fi
measure "tsdb-route --stats --threads 1" "$build/bin/tsdb-route" --storage-node "$nodes" --stats --threads 1 "$input"
measure "tsdb-route --stats" "$build/bin/tsdb-route" --storage-node "$nodes" --stats "$input"
measure "tsdb-route --out-dir, prom, --threads 1" "$build/bin/tsdb-route" --storage-node "$nodes" --threads 1 --out-dir "$scratch/out" "$input"
measure "tsdb-route --out-dir, prom" "$build/bin/tsdb-route" --storage-node "$nodes" --out-dir "$scratch/out" "$input"
measure "tsdb-route --out-dir, prom, --label-order sorted (every row rendered)" "$build/bin/tsdb-route" --storage-node "$nodes" --label-order sorted --out-dir "$scratch/out" "$input"
measure "tsdb-route --out-dir, wire" "$build/bin/tsdb-route" --storage-node "$nodes" --format wire --out-dir "$scratch/out" "$input"
