#!/usr/bin/env bash
# make bench: runs every tests/bench/<name>.sh with the built tools and prints their figures.
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
export BIN="$build/bin" BENCH_CACHE="${BENCH_CACHE:-/tmp/vmtsdb-bench}"
export FIX="${VMT_FIXTURES:-$here/../../../shared/fixtures/vm-cluster-1.93}"
export GEN="$here/../../../shared/bench/gen-prom.py"
mkdir -p "$BENCH_CACHE"
for b in "$here"/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  echo "== $(basename "$b" .sh)"
  bash "$b" || echo "bench $(basename "$b") failed"
done
