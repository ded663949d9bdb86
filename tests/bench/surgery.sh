# tsdb-merge surgery. First --delete on a 20M-row directory (gen-prom.py: 100k series x 200 scrapes, seed 1,
# imported in four time slices: four parts of one partition), deleting about 1% of the series
# (11 of 1112 instances). Beside it, the floor the issue measures it against: a plain
# `tsdb-merge --force` of the same directory (a rewrite of everything); the delete rewrites every
# part too here (each part holds some of the series), and the index parts. Each case on a fresh
# copy; wall time and peak RSS of the process; rows/s over the rows read.
set -u
if [ ! -x "$BIN/tsdb-import" ] || [ ! -x "$BIN/tsdb-merge" ]; then echo "delete bench: needs tsdb-import and tsdb-merge"; exit 1; fi
# build DIR SERIES POINTS STEP_MS SLICE_MS: gen-prom.py's samples (seed 1, from 2024-05-01) imported
# in time slices of SLICE_MS, one part each; kept in BENCH_CACHE between runs.
build() {
  local dir=$1 in="$BENCH_CACHE/gen-$2x$3x$4.prom"
  [ -f "$dir/.complete" ] && return 0
  [ -s "$in" ] || python3 "$GEN" --series "$2" --points "$3" --start-ms 1714521600000 --step-ms "$4" --seed 1 >"$in"
  rm -rf "$dir" "$dir.slices"; mkdir -p "$dir.slices"
  grep -v '^#' "$in" | awk -v d="$dir.slices" -v w="$5" '{ s = int(($NF - 1714521600000) / w); print > (d "/slice-" s ".prom") }'
  for f in "$dir.slices"/slice-*.prom; do
    "$BIN/tsdb-import" -s "$dir" --retention 100y "$f" >/dev/null 2>&1 || { echo "import of $f failed"; return 1; }
  done
  rm -rf "$dir.slices"; touch "$dir/.complete"
}
dir="$BENCH_CACHE/delete-20M"
build "$dir" 100000 200 15000 750000 || exit 1
sel='{instance=~"10\\.20\\.0\\.([0-9]|10):9100"}'
run() {  # run LABEL ARGS...: on a fresh copy
  local label=$1; shift
  local copy="$BENCH_CACHE/delete-run"
  rm -rf "$copy" && cp -r "$dir" "$copy" && sync
  local before; before=$(du -sb "$copy" | cut -f1)
  /usr/bin/time -f "%e %U %S %M" -o "$BENCH_CACHE/time.txt" "$BIN/tsdb-merge" --json "$@" "$copy" >"$BENCH_CACHE/delete.out" 2>/dev/null ||
    echo "failed: tsdb-merge $*"
  local after; after=$(du -sb "$copy" | cut -f1)
  local rows; rows=$(jq -r 'select(.type=="summary") | .rows_in' "$BENCH_CACHE/delete.out")
  local gone; gone=$(jq -r 'select(.type=="summary") | .dropped_deleted + .dropped_downsampled + .dropped_retention_filter' "$BENCH_CACHE/delete.out")
  local ids; ids=$(jq -r 'select(.type=="delete") | .metric_ids' "$BENCH_CACHE/delete.out")
  read -r wall usr sys rss <"$BENCH_CACHE/time.txt"
  printf '%-28s %6.2f s  cpu %6.2f s  %5.0f MB  %6.2fM rows/s  rows %s, dropped %s (deleted MetricIDs %s)  disk %s -> %s MB\n' \
    "$label" "$wall" "$(echo "$usr + $sys" | bc)" "$(echo "$rss / 1024" | bc)" "$(echo "scale=2; ${rows:-0} / $wall / 1000000" | bc)" \
    "${rows:-?}" "${gone:-0}" "${ids:-0}" "$((before / 1000000))" "$((after / 1000000))"
  rm -rf "$copy"
}
run "force (the floor)" --force --indexdb
run "delete 1% of series" --delete "$sel"
run "delete 1% + force" --delete "$sel" --force

# Downsampling 30d:5m of a two-month directory: 200 series scraped every minute for 60 days
# (17.28M rows; gen-prom.py, seed 1), imported in ten-day slices; --now is the end of the data, so
# the first 30 days are thinned to one sample per 5 minutes. Beside it, the same directory's
# plain --force.
dir="$BENCH_CACHE/downsample-2m"
build "$dir" 200 86400 60000 864000000 || exit 1
now=$(( (1714521600000 + 86400 * 60000) / 1000 ))
run "force (the floor), 2 months" --force --now "$now"
run "downsample 30d:5m" --downsample 30d:5m --now "$now"
