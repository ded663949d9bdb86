# Resharding as a pipeline (issue: tsdb-route): the route fixture's three node directories are
# exported as exposition text, routed to five new nodes, and imported per node. Every series must
# then live on exactly one new node, with its samples unchanged: timestamps exactly, values to 12
# significant digits (series_compare.py says why the last digits may move, and counts them).
R="$BIN/tsdb-route"; I="$BIN/tsdb-import"; X="$BIN/tsdb-inspect"
NEW="10.0.0.1:8400,10.0.0.2:8400,10.0.0.3:8400,10.0.0.4:8400,10.0.0.5:8400"
ok=1
for t in 0:0 42:7; do
  tt=${t/:/-}
  for n in 0 1 2; do "$X" export --format prom --tenant "$t" "$FIX/route/storage/node-$n"; done >"$TMP/old-$tt.prom" || ok=0
  cat "$FIX"/route/export/node-*.tenant-"$tt".jsonl | LC_ALL=C sort >"$TMP/want-$tt.jsonl"
  "$R" --storage-node "$NEW" --tenant "$t" --out-dir "$TMP/routed-$tt" "$TMP/old-$tt.prom" 2>"$TMP/route.err" || { ok=0; cat "$TMP/route.err" >&2; }
  i=0
  for f in "$TMP/routed-$tt"/node-*.prom; do
    "$I" -s "$TMP/new-$i" --tenant "$t" --retention 100y "$f" 2>"$TMP/import.err" || { ok=0; cat "$TMP/import.err" >&2; }
    "$X" export --tenant "$t" "$TMP/new-$i" >"$TMP/got-$tt-$i.jsonl" 2>/dev/null
    i=$((i + 1))
  done
  [ "$i" = 5 ] || ok=0
  cat "$TMP"/got-"$tt"-*.jsonl | LC_ALL=C sort >"$TMP/got-$tt.jsonl"
  if python3 "$(dirname "${BASH_SOURCE[0]}")/series_compare.py" "$TMP/got-$tt.jsonl" "$TMP/want-$tt.jsonl" >"$TMP/cmp" 2>&1; then
    pass "reshard 3->5 nodes, tenant $t: same series and timestamps, values to 12 digits ($(cat "$TMP/cmp"))"
  else
    fail "reshard 3->5 nodes, tenant $t: new exports differ from the old ones" "$(head -c 800 "$TMP/cmp")"
  fi
  # Each series (its "metric" object) on exactly one new node.
  dups=$(for f in "$TMP"/got-"$tt"-*.jsonl; do jq -c .metric "$f"; done | sort | uniq -d | wc -l)
  [ "$dups" = 0 ] && pass "reshard tenant $t: every series on exactly one new node" || fail "reshard tenant $t: $dups series on several nodes"
done
for i in 0 1 2 3 4; do [ -d "$TMP/new-$i" ] && { "$X" verify "$TMP/new-$i" >/dev/null || ok=0; }; done
[ "$ok" = 1 ] && pass "reshard: every step succeeded and every new node verifies clean" || fail "reshard: a step failed"

# ---- Block level: tsdb-route --from-storage (blocks copied unchanged, index written per node) ----
SRC=("$FIX/route/storage/node-0" "$FIX/route/storage/node-1" "$FIX/route/storage/node-2")
FROM=(); for s in "${SRC[@]}"; do FROM+=(--from-storage "$s"); done
HERE_RS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
expect_exit 0 "--from-storage 3 -> 5 nodes" "$R" "${FROM[@]}" --storage-node "$NEW" --out-dir "$TMP/bl"
# The counts the summary must give, from the real server's exports of the three nodes.
SRC_SERIES=$(cat "$FIX"/route/export/node-*.jsonl | wc -l)
SRC_ROWS=$(cat "$FIX"/route/export/node-*.jsonl | jq '.timestamps | length' | paste -sd+ | bc)
[ "$SRC_SERIES" -gt 0 ] && [ "$SRC_ROWS" -gt 0 ] || fail "route fixture exports are empty"
grep -q "$SRC_SERIES series read, $SRC_ROWS rows" "$TMP/stderr" && pass "--from-storage summary counts every series and row ($SRC_SERIES, $SRC_ROWS)" \
  || fail "--from-storage summary (want $SRC_SERIES series, $SRC_ROWS rows)" "$(head -c 400 "$TMP/stderr")"
n=$(ls -d "$TMP"/bl/node-* 2>/dev/null | wc -l)
[ "$n" = 5 ] && pass "--from-storage writes one directory per node, named like the text mode's files" || fail "--from-storage: $n node dirs"
[ -d "$TMP/bl/node-3_10.0.0.4_8400" ] && pass "--from-storage: node-3_10.0.0.4_8400" || fail "--from-storage: node dir names" "$(ls "$TMP/bl")"
for d in "$TMP"/bl/node-*; do verify_clean "--from-storage $(basename "$d") verifies clean" "$d"; done
# The exports over all new nodes equal the real vmstorage exports over all old nodes, byte for byte.
for tt in 0-0 42-7; do
  cat "$FIX"/route/export/node-*.tenant-"$tt".jsonl | LC_ALL=C sort >"$TMP/real-$tt"
  for d in "$TMP"/bl/node-*; do "$X" export --tenant "${tt/-/:}" "$d"; done | LC_ALL=C sort >"$TMP/blk-$tt"
  [ -s "$TMP/blk-$tt" ] && same_file "--from-storage tenant ${tt/-/:}: exports over the new nodes == the real exports over the old" \
    "$TMP/blk-$tt" "$TMP/real-$tt" || fail "--from-storage tenant ${tt/-/:}: empty export"
done
# Each series on the node text routing (proven against the real vminsert by t_route.sh) sends it,
# for rows whose labels come sorted by name: the only order the stored name can tell.
RI="$FIX/route/input"
cat "$RI/batch-1.prom" "$RI/batch-2.prom" "$RI/batch-3.prom" "$RI/tenant-0-0.prom" | python3 "$HERE_RS/reshard_check.py" sort-labels >"$TMP/sorted-0.prom"
python3 "$HERE_RS/reshard_check.py" sort-labels <"$RI/tenant-42-7.prom" >"$TMP/sorted-42.prom"
"$R" --storage-node "$NEW" --out-dir "$TMP/txt-0" "$TMP/sorted-0.prom" 2>/dev/null
"$R" --storage-node "$NEW" --tenant 42:7 --out-dir "$TMP/txt-42" "$TMP/sorted-42.prom" 2>/dev/null
place_check() {  # NAME OUTDIR
  local name=$1 out=$2 exports=() d i
  rm -rf "$TMP/pc00" "$TMP/pc42"; mkdir -p "$TMP/pc00" "$TMP/pc42"
  for d in "$out"/node-*; do
    i=$(basename "$d" | sed 's/^node-\([0-9]*\)_.*/\1/')
    "$X" export --tenant 0:0 "$d" >"$TMP/pc00/node-$i.jsonl"
    "$X" export --tenant 42:7 "$d" >"$TMP/pc42/node-$i.jsonl"
    exports+=("0:0=$TMP/pc00/node-$i.jsonl" "42:7=$TMP/pc42/node-$i.jsonl")
  done
  if python3 "$HERE_RS/reshard_check.py" compare "0:0=$TMP/txt-0" "42:7=$TMP/txt-42" -- "${exports[@]}" >"$TMP/pc.out" 2>&1; then
    pass "$name ($(tail -1 "$TMP/pc.out"))"
  else
    fail "$name" "$(head -c 800 "$TMP/pc.out")"
  fi
}
place_check "--from-storage: every series on the node text routing of the same series picks" "$TMP/bl"

# Replication: -replicationFactor=2 puts each series on its node and the next one.
expect_exit 0 "--from-storage --replication-factor 2" "$R" "${FROM[@]}" --storage-node "$NEW" --replication-factor 2 --out-dir "$TMP/rf2"
copies=$(for d in "$TMP"/rf2/node-*; do "$X" export "$d" | jq -c .metric; done | sort | uniq -c | awk '{print $1}' | sort -u | tr '\n' ' ')
[ "$copies" = "2 " ] && pass "--replication-factor 2: every series on exactly two new nodes" || fail "--replication-factor 2: copies per series: $copies"

# Back from five nodes to three: the same series on the same nodes as a direct copy would give.
FROM5=(); for d in "$TMP"/bl/node-*; do FROM5+=(--from-storage "$d"); done
OLD=127.0.0.1:8400,127.0.0.1:8410,127.0.0.1:8420
expect_exit 0 "--from-storage 5 -> 3 nodes" "$R" "${FROM5[@]}" --storage-node "$OLD" --out-dir "$TMP/back"
expect_exit 0 "--from-storage 3 -> 3 nodes (same list)" "$R" "${FROM[@]}" --storage-node "$OLD" --out-dir "$TMP/same"
ok3=1
for i in 0 1 2; do
  "$X" export "$TMP"/back/node-"$i"_* | LC_ALL=C sort >"$TMP/back-$i"; "$X" export "$TMP"/same/node-"$i"_* | LC_ALL=C sort >"$TMP/same-$i"
  [ -s "$TMP/back-$i" ] && cmp -s "$TMP/back-$i" "$TMP/same-$i" || ok3=0
done
[ "$ok3" = 1 ] && pass "3 -> 5 -> 3 ends where 3 -> 3 does, node by node" || fail "3 -> 5 -> 3 differs from 3 -> 3"

# One tenant, one set of series.
expect_exit 0 "--from-storage --tenant 42:7" "$R" "${FROM[@]}" --storage-node "$NEW" --tenant 42:7 --out-dir "$TMP/t42"
got=$(for d in "$TMP"/t42/node-*; do "$X" export "$d"; done | wc -l)
only=$(for d in "$TMP"/t42/node-*; do "$X" export --tenant 0:0 "$d"; done | wc -l)
[ "$got" = 3 ] && [ "$only" = 0 ] && pass "--tenant 42:7 moves that tenant's 3 series only" || fail "--tenant 42:7: $got series, $only of 0:0"
expect_exit 0 "--from-storage --match" "$R" "${FROM[@]}" --storage-node "$NEW" --match '{__name__=~"go_.*"}' --out-dir "$TMP/go"
bad=$(for d in "$TMP"/go/node-*; do "$X" export "$d"; done | jq -r .metric.__name__ | grep -vc '^go_')
want=$(grep -c '"__name__":"go_' "$TMP/real-0-0")
got=$(for d in "$TMP"/go/node-*; do "$X" export "$d"; done | wc -l)
[ "$bad" = 0 ] && [ "$got" = "$want" ] && pass "--match moves the $want matching series only" || fail "--match: $got series ($bad others), want $want"

# A series on several source nodes: merged into one series (one TSID, index items once).
expect_exit 0 "--from-storage of one node given twice" "$R" --from-storage "${SRC[0]}" --from-storage "${SRC[0]}" --storage-node a:1 --out-dir "$TMP/twice"
grep -q "merged into one" "$TMP/stderr" && pass "the same series from two sources is merged" || fail "merge across sources" "$(head -c 300 "$TMP/stderr")"
verify_clean "merged series verify clean" "$TMP"/twice/node-0_a_1
grep -q "blocks dropped as exact copies" "$TMP/stderr" && pass "identical blocks of the two sources are written once" || fail "duplicate blocks not reported"
export_same "merged: the same series and samples as the one source" "$TMP"/twice/node-0_a_1 "" <("$X" export "${SRC[0]}" | LC_ALL=C sort)

# MetricIDs are unique per node only: two nodes that gave the same MetricID to different series
# (forced here with --metric-id-base) end on one node with one of them renumbered, found by its
# new MetricID in the index, its blocks moved to their new place in TSID order.
printf 'clash_a{x="1"} 1 1700000000000\nclash_a{x="1"} 2 1700000060000\nshared{x="s"} 5 1700000000000\n' >"$TMP/ca.prom"
printf 'clash_b{x="2"} 3 1700000000000\nclash_b{x="2"} 4 1700000060000\nshared{x="s"} 6 1700000120000\n' >"$TMP/cb.prom"
"$I" -s "$TMP/ca" --retention 100y --metric-id-base 5000 "$TMP/ca.prom" 2>/dev/null
"$I" -s "$TMP/cb" --retention 100y --metric-id-base 5000 "$TMP/cb.prom" 2>/dev/null
expect_exit 0 "--from-storage of two nodes with clashing MetricIDs" "$R" --from-storage "$TMP/ca" --from-storage "$TMP/cb" --storage-node one:1 --out-dir "$TMP/clash" --json
jq -e '.renumbered_series >= 1 and .merged_series == 1 and .renumbered_blocks >= 1' "$TMP/stdout" >/dev/null \
  && pass "clash: a series renumbered, the shared one merged ($(jq -c '{renumbered_series, merged_series, renumbered_blocks}' "$TMP/stdout"))" \
  || fail "clash: JSON summary" "$(cat "$TMP/stdout")"
verify_clean "clash: the node verifies clean" "$TMP"/clash/node-0_one_1
{ "$X" export "$TMP/ca"; "$X" export "$TMP/cb"; } | python3 -c '
import json, sys
m = {}
for l in sys.stdin:
    o = json.loads(l); k = json.dumps(o["metric"], sort_keys=True)
    a = m.setdefault(k, {}); a.update(zip(o["timestamps"], o["values"]))
for k, a in sorted(m.items()):
    ts = sorted(a); print(json.dumps({"metric": json.loads(k), "ts": ts, "v": [a[t] for t in ts]}, sort_keys=True))' >"$TMP/clash-want"
"$X" export "$TMP"/clash/node-0_one_1 | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l); print(json.dumps({"metric": o["metric"], "ts": o["timestamps"], "v": o["values"]}, sort_keys=True))' | LC_ALL=C sort >"$TMP/clash-got"
LC_ALL=C sort -o "$TMP/clash-want" "$TMP/clash-want"
[ "$(wc -l <"$TMP/clash-got")" = 3 ] && same_file "clash: three series with every sample of both nodes" "$TMP/clash-got" "$TMP/clash-want" \
  || fail "clash: $(wc -l <"$TMP/clash-got") series" "$(cat "$TMP/clash-got")"
# /api/v1/series as the server answers it: tag rows (ns 1, ns 6) -> MetricID -> name (ns 3).
n=$("$X" series --match '{__name__="clash_b"}' --start 2023-11-14 "$TMP"/clash/node-0_one_1 2>/dev/null | grep -c clash_b)
[ "$n" = 1 ] && pass "clash: the renumbered series is found through the per-day index" || fail "clash: clash_b found $n times"

# v1.148 (per-partition indexes, series deleted in a partition): 1 -> 3 nodes, same flavour out.
S148="$LOCAL/vm-cluster-1.148/multi/storage-final"
expect_exit 0 "--from-storage v1.148 cluster 1 -> 3 nodes" "$R" --from-storage "$S148" --storage-node a:1,b:2,c:3 --out-dir "$TMP/v148"
[ -d "$TMP"/v148/node-0_a_1/data/indexdb ] && pass "v1.148 source: the new nodes have per-partition indexes" || fail "v1.148: no data/indexdb"
for t in 0:0 42:7; do
  "$X" export --tenant "$t" "$S148" | LC_ALL=C sort >"$TMP/w148"
  for d in "$TMP"/v148/node-*; do "$X" export --tenant "$t" "$d"; done | LC_ALL=C sort >"$TMP/g148"
  [ -s "$TMP/w148" ] && same_file "v1.148 tenant $t: exports equal (deleted series stay deleted)" "$TMP/g148" "$TMP/w148"
done
for d in "$TMP"/v148/node-*; do verify_clean "v1.148 $(basename "$d") verifies clean" "$d"; done
# Replicas as the v1.136+ vminsert places them (its -storageNode list sorted), known from the
# sources' layout without --target: each series on the two nodes text routing for v1.148 picks.
MI="$LOCAL/vm-cluster-1.148/multi/input"
RING=a:1,c:3,b:2,d:4   # not a rotation of its sorted order: the replicas differ between the rings
expect_exit 0 "v1.148 source, --replication-factor 2" "$R" --from-storage "$S148" --storage-node "$RING" --replication-factor 2 --out-dir "$TMP/v148rf"
# (the fixture's meta/steps.log: the batches went to tenant 0:0, both tiny files to 42:7)
cat "$MI"/batch-*.prom | python3 "$HERE_RS/reshard_check.py" sort-labels >"$TMP/m00.prom"
cat "$MI/tiny-tenant-0-0.prom" "$MI/tiny-tenant-42-7.prom" | python3 "$HERE_RS/reshard_check.py" sort-labels >"$TMP/m42.prom"
"$R" --target v1.148-cluster --storage-node "$RING" --replication-factor 2 --out-dir "$TMP/mt00" "$TMP/m00.prom" 2>/dev/null
"$R" --target v1.148-cluster --storage-node "$RING" --replication-factor 2 --tenant 42:7 --out-dir "$TMP/mt42" "$TMP/m42.prom" 2>/dev/null
rm -rf "$TMP/rx00" "$TMP/rx42"; mkdir -p "$TMP/rx00" "$TMP/rx42"; exports=()
for d in "$TMP"/v148rf/node-*; do
  i=$(basename "$d" | sed 's/^node-\([0-9]*\)_.*/\1/')
  "$X" export --tenant 0:0 "$d" >"$TMP/rx00/node-$i.jsonl"; "$X" export --tenant 42:7 "$d" >"$TMP/rx42/node-$i.jsonl"
  exports+=("0:0=$TMP/rx00/node-$i.jsonl" "42:7=$TMP/rx42/node-$i.jsonl")
done
if python3 "$HERE_RS/reshard_check.py" compare-subset "0:0=$TMP/mt00" "42:7=$TMP/mt42" -- "${exports[@]}" >"$TMP/rx.out" 2>&1; then
  pass "v1.148 replicas on the nodes the v1.148 vminsert picks ($(tail -1 "$TMP/rx.out"))"
else
  fail "v1.148 replicas" "$(head -c 600 "$TMP/rx.out")"
fi
copies=$(cat "$TMP"/rx00/*.jsonl "$TMP"/rx42/*.jsonl | jq -c .metric | sort | uniq -c | awk '{print $1}' | sort -u | tr '\n' ' ')
[ "$copies" = "2 " ] && pass "v1.148 --replication-factor 2: every series on two nodes" || fail "v1.148 copies per series: $copies"

# Sources written by a real cluster with -replicationFactor=2 (tests/fixtures/vm-cluster-1.93-rf2):
# each series on two nodes, its copies cut into different blocks. --dedup-interval 1ms merges them
# as the server's merge with -dedup.minScrapeInterval=1ms does: the result serves exactly what
# vmselect -dedup.minScrapeInterval=1ms served from the replicated nodes.
RF2="$LOCAL/vm-cluster-1.93-rf2"
FROMRF=(); for i in 0 1 2; do FROMRF+=(--from-storage "$RF2/storage/node-$i"); done
expect_exit 0 "--from-storage of replicated sources, --dedup-interval 1ms" "$R" "${FROMRF[@]}" --storage-node a:1,b:2 --dedup-interval 1ms --out-dir "$TMP/rf2d"
grep -q "samples dropped by the dedup interval" "$TMP/stderr" && pass "--dedup-interval: the dropped copies are counted" \
  || fail "--dedup-interval summary" "$(head -c 400 "$TMP/stderr")"
for d in "$TMP"/rf2d/node-*; do verify_clean "--dedup-interval $(basename "$d") verifies clean" "$d"; done
for tt in 0-0 42-7; do
  for d in "$TMP"/rf2d/node-*; do "$X" export --tenant "${tt/-/:}" "$d"; done | LC_ALL=C sort >"$TMP/rf2d-$tt"
  zcat "$RF2/export/dedup-1ms.tenant-$tt.jsonl.gz" >"$TMP/rf2real-$tt"
  [ -s "$TMP/rf2d-$tt" ] && same_file "--dedup-interval 1ms tenant ${tt/-/:}: export == the real vmselect -dedup.minScrapeInterval=1ms export of the replicated nodes" \
    "$TMP/rf2d-$tt" "$TMP/rf2real-$tt" || fail "--dedup-interval tenant ${tt/-/:}: empty export"
done
# Without it every copy's samples are kept (exact copies of a block once), and the summary says how to drop them.
expect_exit 0 "--from-storage of replicated sources, no dedup" "$R" "${FROMRF[@]}" --storage-node a:1,b:2 --out-dir "$TMP/rf2p"
grep -q "dedup-interval 1ms drops them" "$TMP/stderr" && pass "replicated sources without --dedup-interval: the summary points to it" \
  || fail "no hint for replicated sources" "$(head -c 400 "$TMP/stderr")"
n_plain=$(for d in "$TMP"/rf2p/node-*; do "$X" export "$d"; done | jq '.timestamps|length' | paste -sd+ | bc)
n_dedup=$(cat "$TMP"/rf2d-*-* | jq '.timestamps|length' | paste -sd+ | bc)
n_server=$(zcat "$RF2"/export/plain.tenant-*.jsonl.gz | jq '.timestamps|length' | paste -sd+ | bc)
[ "$n_plain" -gt "$n_dedup" ] && [ "$n_plain" -le "$n_server" ] \
  && pass "no dedup: $n_plain samples, between the deduplicated $n_dedup and the $n_server vmselect serves without dedup" \
  || fail "no dedup: $n_plain samples (dedup $n_dedup, server $n_server)"
# The server's own merge with the same interval, run later on that output, ends where --dedup-interval does.
for d in "$TMP"/rf2p/node-*; do "$BIN/tsdb-merge" -q --force --dedup-interval 1ms "$d" >/dev/null 2>&1; done
for d in "$TMP"/rf2p/node-*; do "$X" export --tenant 0:0 "$d"; done | LC_ALL=C sort >"$TMP/rf2p-merged"
same_file "no dedup, then tsdb-merge --force --dedup-interval 1ms: the same as --dedup-interval 1ms" "$TMP/rf2p-merged" "$TMP/rf2d-0-0"
expect_exit 0 "-dedup.minScrapeInterval=1ms is the server's name for --dedup-interval" "$R" "${FROMRF[@]}" --storage-node a:1,b:2 -dedup.minScrapeInterval=1ms --out-dir "$TMP/rf2alias"
cmp -s <(for d in "$TMP"/rf2alias/node-*; do "$X" export --tenant 0:0 "$d"; done | LC_ALL=C sort) "$TMP/rf2d-0-0" \
  && pass "-dedup.minScrapeInterval=1ms: the same result" || fail "-dedup.minScrapeInterval=1ms differs"
expect_exit 2 "--dedup-interval applies to --from-storage only" "$R" --storage-node a:1 --dedup-interval 1ms --out-dir "$TMP/txtdd" "$TMP/sorted-42.prom"
expect_exit 2 "--dedup-interval must be a duration" "$R" "${FROMRF[@]}" --storage-node a:1 --dedup-interval soon --out-dir "$TMP/baddd"

# What the real servers served from the same reshards (tests/fixtures/record-reshard-on-server.sh).
VERD="$LOCAL/server-verdicts/reshard.tsv"
for c in "v1.93-route-3to5:$TMP/bl" "v1.148-multi-1to3:$TMP/v148" "v1.93-rf2-3to2-dedup:$TMP/rf2d"; do
  name=${c%%:*} out=${c#*:}
  for t in 0:0 42:7; do
    want=$(awk -F'\t' -v c="$name" -v t="$t" '$1 == c && $2 == t { print $3 " " $4 }' "$VERD")
    for d in "$out"/node-*; do "$X" export --tenant "$t" "$d"; done | LC_ALL=C sort >"$TMP/vexp"
    got="$(wc -l <"$TMP/vexp") $(sha256sum <"$TMP/vexp" | cut -d' ' -f1)"
    [ -n "$want" ] && [ "$got" = "$want" ] && pass "$name tenant $t: the same series and samples the real cluster served from it" \
      || fail "$name tenant $t: got $got, the real server served $want"
  done
done

# Refusals: OUT in use, a running server, wrong inputs.
expect_exit 2 "--from-storage into a non-empty --out-dir is refused" "$R" "${FROM[@]}" --storage-node "$NEW" --out-dir "$TMP/bl"
expect_exit 0 "--force replaces an earlier run's node directories" "$R" "${FROM[@]}" --storage-node a:1,b:2 --out-dir "$TMP/bl" --force
n=$(ls "$TMP/bl" | wc -l); [ "$n" = 2 ] && pass "--force: only the new run's nodes remain" || fail "--force: $n entries"
mkdir -p "$TMP/foreign" && echo x >"$TMP/foreign/notes.txt"
expect_exit 2 "--force does not replace a directory we did not write" "$R" "${FROM[@]}" --storage-node a:1 --out-dir "$TMP/foreign" --force
[ -f "$TMP/foreign/notes.txt" ] && pass "the foreign directory is untouched" || fail "the foreign directory was changed"
cp -r "${SRC[0]}" "$TMP/locked"
( exec 9>"$TMP/locked/flock.lock"; flock -n 9; sleep 5 ) &
lockpid=$!; sleep 0.3
expect_exit 2 "a source a running server holds is refused" "$R" --from-storage "$TMP/locked" --storage-node a:1 --out-dir "$TMP/l-out"
grep -q "stop the node" "$TMP/stderr" && pass "the refusal says to stop the node" || fail "locked source message" "$(cat "$TMP/stderr")"
kill "$lockpid" 2>/dev/null; wait "$lockpid" 2>/dev/null
[ ! -e "$TMP/l-out" ] && pass "nothing written after a refusal" || fail "a refused run left $TMP/l-out"
expect_exit 2 "a single-node source is refused" "$R" --from-storage "$SHARED/vm-single-1.93/tiny/storage" --storage-node a:1 --out-dir "$TMP/s-out"
expect_exit 2 "a missing source is a usage error" "$R" --from-storage "$TMP/nope" --storage-node a:1 --out-dir "$TMP/m-out"
expect_exit 2 "text-only options are refused with --from-storage" "$R" "${FROM[@]}" --storage-node a:1 --out-dir "$TMP/x-out" --format wire
expect_exit 2 "FILEs and --from-storage together are refused" "$R" "${FROM[@]}" --storage-node a:1 --out-dir "$TMP/x-out" "$TMP/sorted-0.prom"
expect_exit 2 "--from-storage without --out-dir is refused" "$R" "${FROM[@]}" --storage-node a:1
expect_exit 2 "--match without --from-storage is refused" "$R" --storage-node a:1 --stats --match up "$TMP/sorted-0.prom"

# A damaged source part: exit 1, the file named, nothing written. Every part of a damaged node is
# tried (index.bin cut short, values.bin cut short): no damage passes silently.
cp -r "${SRC[1]}" "$TMP/dmg-src"
part=$(ls -d "$TMP"/dmg-src/data/small/*/*/ | head -1); part=${part%/}
for spec in "index.bin:truncate:10" "values.bin:truncate:3"; do
  rm -rf "$TMP/dmg" "$TMP/dmg-out"; cp -r "$TMP/dmg-src" "$TMP/dmg"
  python3 "$HERE_RS/mutate.py" "$TMP/dmg" "${part#"$TMP"/dmg-src/}/$spec"
  expect_exit 1 "a damaged source ($spec) is a data error" "$R" --from-storage "${SRC[0]}" --from-storage "$TMP/dmg" --storage-node a:1,b:2 --out-dir "$TMP/dmg-out"
  f=${spec%%:*}
  grep -q "$f" "$TMP/stderr" && pass "the message names $f" || fail "damaged source: message" "$(cat "$TMP/stderr")"
  [ ! -e "$TMP/dmg-out" ] && [ ! -e "$TMP/.dmg-out.tsdb-route-tmp" ] && pass "nothing is left after a damaged source ($spec)" || fail "a failed run left files"
done

# kill -9 at random moments (the commits stretched): OUT is complete or absent, never half there;
# a rerun removes the leftover temporary tree and completes.
landed=0 okk=0
for i in 1 2 3 4 5 6; do
  rm -rf "$TMP/k-out"
  VMT_IMPORT_COMMIT_DELAY_MS=40 "$R" "${FROM[@]}" --storage-node "$NEW" --out-dir "$TMP/k-out" >/dev/null 2>&1 &
  pid=$!
  ms=$(( 100 + RANDOM % 500 )); sleep "0.$(printf '%03d' "$ms")"
  kill -9 "$pid" 2>/dev/null && landed=$((landed + 1))
  wait "$pid" 2>/dev/null
  if [ ! -e "$TMP/k-out" ]; then okk=$((okk + 1))
  else
    c=$(for d in "$TMP"/k-out/node-*; do "$X" export "$d"; done | wc -l)
    [ "$c" = "$SRC_SERIES" ] && okk=$((okk + 1)) || fail "kill -9 round $i: OUT is there but holds $c series"
  fi
done
[ "$okk" = 6 ] && pass "kill -9: OUT complete or absent in 6 rounds" || fail "kill -9: $okk of 6 rounds clean"
[ "$landed" -ge 4 ] && pass "kill -9: $landed of 6 kills landed in a running reshard" || fail "kill -9: only $landed of 6 kills landed"
rm -rf "$TMP/k-out"
expect_exit 0 "a run after the kills completes" "$R" "${FROM[@]}" --storage-node "$NEW" --out-dir "$TMP/k-out"
[ ! -e "$TMP/.k-out.tsdb-route-tmp" ] && pass "the rerun removed the killed runs' temporary tree" || fail "a temporary tree is left"
