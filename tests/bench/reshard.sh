# Resharding a 20M-row cluster from 3 to 5 nodes (gen-prom.py: 100k series x 200 scrapes, seed 1,
# routed to three nodes by tsdb-route and imported per node in four time slices). Block level
# (tsdb-route --from-storage) beside the text round trip it replaces (export of each old node ->
# tsdb-route -> tsdb-import per new node, run as a shell pipeline would run it). Wall time, CPU, peak
# RSS of the largest process, rows/s over the rows moved.
set -u
for t in tsdb-import tsdb-route tsdb-inspect; do [ -x "$BIN/$t" ] || { echo "reshard bench: needs $t"; exit 1; }; done
OLD=10.1.0.1:8400,10.1.0.2:8400,10.1.0.3:8400
NEW=10.2.0.1:8400,10.2.0.2:8400,10.2.0.3:8400,10.2.0.4:8400,10.2.0.5:8400
dir="$BENCH_CACHE/reshard-3x20M"
in="$BENCH_CACHE/gen-100000x200.prom"
if [ ! -f "$dir/.complete" ]; then
  [ -s "$in" ] || python3 "$GEN" --series 100000 --points 200 --start-ms 1714521600000 --step-ms 15000 --seed 1 >"$in"
  rm -rf "$dir" && mkdir -p "$dir/routed"
  "$BIN/tsdb-route" --storage-node "$OLD" --out-dir "$dir/routed" "$in" 2>/dev/null || { echo "route failed"; exit 1; }
  i=0
  for f in "$dir"/routed/node-*.prom; do
    awk -v d="$dir/routed" -v n="$i" '{ if ($0 ~ /^#/) next; s = int(($NF - 1714521600000) / 750000); print > (d "/n" n "-slice-" s ".prom") }' "$f"
    for s in "$dir"/routed/n$i-slice-*.prom; do
      "$BIN/tsdb-import" -s "$dir/node-$i" --retention 100y "$s" >/dev/null 2>&1 || { echo "import of $s failed"; exit 1; }
    done
    i=$((i + 1))
  done
  rm -rf "$dir/routed"; touch "$dir/.complete"
fi
rows=20000000
report() {  # LABEL WALL CPU RSS_KB
  printf '%-36s %7.2f s  cpu %7.2f s  %5.0f MB  %6.2fM rows/s\n' "$1" "$2" "$3" "$(echo "$4 / 1024" | bc)" "$(echo "scale=2; $rows / $2 / 1000000" | bc)"
}
out="$BENCH_CACHE/reshard-out"
rm -rf "$out"; sync
/usr/bin/time -f "%e %U %S %M" -o "$BENCH_CACHE/time.txt" "$BIN/tsdb-route" --from-storage "$dir/node-0" \
  --from-storage "$dir/node-1" --from-storage "$dir/node-2" --storage-node "$NEW" --out-dir "$out" 2>"$BENCH_CACHE/reshard.err" ||
  { echo "tsdb-route --from-storage failed: $(tail -3 "$BENCH_CACHE/reshard.err")"; exit 1; }
read -r wall usr sys rss <"$BENCH_CACHE/time.txt"
report "block level (--from-storage), 3->5" "$wall" "$(echo "$usr + $sys" | bc)" "$rss"
block_wall=$wall
moved=$(grep -o '[0-9]* rows in' "$BENCH_CACHE/reshard.err" | cut -d' ' -f1)
[ "$moved" = "$rows" ] || echo "  (rows moved: $moved, want $rows)"
# The same with --dedup-interval 1ms (what replicated sources need): every block goes through the
# server's merge with dedup, decoded and re-encoded, instead of being copied.
rm -rf "$out"; sync
/usr/bin/time -f "%e %U %S %M" -o "$BENCH_CACHE/time.txt" "$BIN/tsdb-route" --from-storage "$dir/node-0" \
  --from-storage "$dir/node-1" --from-storage "$dir/node-2" --storage-node "$NEW" --dedup-interval 1ms --out-dir "$out" \
  2>"$BENCH_CACHE/reshard.err" || { echo "tsdb-route --from-storage --dedup-interval failed: $(tail -3 "$BENCH_CACHE/reshard.err")"; exit 1; }
read -r wall usr sys rss <"$BENCH_CACHE/time.txt"
report "block level, --dedup-interval 1ms" "$wall" "$(echo "$usr + $sys" | bc)" "$rss"
# The text round trip, one pipeline per stage as the old README recipe ran it (tenant 0:0).
rm -rf "$out" "$BENCH_CACHE/rt"; mkdir -p "$BENCH_CACHE/rt"; sync
t0=$(date +%s.%N); peak=0; cpu=0
stage() {  # CMD...: run, add CPU, keep the peak RSS
  /usr/bin/time -f "%U %S %M" -o "$BENCH_CACHE/t1.txt" "$@" || echo "failed: $*"
  read -r u s m <"$BENCH_CACHE/t1.txt"; cpu=$(echo "$cpu + $u + $s" | bc); [ "$m" -gt "$peak" ] && peak=$m
}
for i in 0 1 2; do stage sh -c "'$BIN/tsdb-inspect' export --format prom --tenant 0:0 '$dir/node-$i' >>'$BENCH_CACHE/rt/all.prom'"; done
stage "$BIN/tsdb-route" --storage-node "$NEW" --out-dir "$BENCH_CACHE/rt/routed" "$BENCH_CACHE/rt/all.prom"
i=0
for f in "$BENCH_CACHE"/rt/routed/node-*.prom; do stage "$BIN/tsdb-import" -s "$out/node-$i" --retention 100y "$f"; i=$((i + 1)); done
wall=$(echo "$(date +%s.%N) - $t0" | bc)
report "export -> route -> import, 3->5" "$wall" "$cpu" "$peak"
printf '  block level is %.1fx faster\n' "$(echo "scale=2; $wall / $block_wall" | bc)"
rm -rf "$out" "$BENCH_CACHE/rt" "$BENCH_CACHE/reshard-out"
