# tsdb-inspect export rows/s and peak RSS, verify MB/s. On the issue's generated file imported with
# tsdb-import when that tool is built; otherwise on the node fixture (20k rows: small, so the
# figure is dominated by start-up).
set -u
dir=""
if [ -x "$BIN/tsdb-import" ]; then
  in="$BENCH_CACHE/gen-20000x100.prom"
  [ -s "$in" ] || python3 "$GEN" --series 20000 --points 100 --start-ms 1714521600000 --step-ms 15000 --seed 1 >"$in"
  dir="$BENCH_CACHE/inspect-storage"
  if [ ! -d "$dir" ]; then "$BIN/tsdb-import" -s "$dir" --retention 100y "$in" 2>/dev/null || { echo "import failed"; exit 1; }; fi
else
  dir="$FIX/node/storage-after-merge"
fi
rows=$("$BIN/tsdb-inspect" verify --json "$dir" | tail -1 | jq .rows)
bytes=$(du -sb "$dir" | cut -f1)
t0=$(date +%s.%N); /usr/bin/time -f %M -o "$BENCH_CACHE/export.rss" "$BIN/tsdb-inspect" export "$dir" >/dev/null; t1=$(date +%s.%N)
"$BIN/tsdb-inspect" verify "$dir" >/dev/null; t2=$(date +%s.%N)
python3 - "$rows" "$bytes" "$t0" "$t1" "$t2" "$dir" "$(cat "$BENCH_CACHE/export.rss")" <<'PY'
import sys
rows, size, t0, t1, t2, d, rss = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:6]), sys.argv[6], int(sys.argv[7])
print(f"directory: {d}: {rows} rows, {size / 1e6:.1f} MB")
print(f"export: {rows / (t1 - t0) / 1e6:.2f}M rows/s ({t1 - t0:.3f} s), peak RSS {rss / 1024:.0f} MiB (streams: bounded by one block per part)")
print(f"verify: {size / (t2 - t1) / 1e6:.1f} MB/s, {rows / (t2 - t1) / 1e6:.2f}M rows/s ({t2 - t1:.3f} s)")
PY
