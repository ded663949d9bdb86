# Every storage flavour written by a real server: single-node v1.93.7 ($SHARED/vm-single-1.93) and
# the per-partition index of v1.136.0 / v1.148.0, single and cluster, plus v1.93 directories upgraded
# in place by v1.148.0 ($LOCAL, tests/fixtures/README.md). Exports equal the servers' own, verify is
# clean, the flavour is detected and reported, --target conflicts are usage errors, imports and
# merges of single-node v1.93 give the server's blocks and index items, merges of v1.148
# directories give the server's force-merged blocks.
I="$BIN/tsdb-inspect"
IMP="$BIN/tsdb-import"
M="$BIN/tsdb-merge"
HERE_FLAVOURS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
S1="$SHARED/vm-single-1.93"
R100="--retention 100y"
blocks_norm() {  # PART: decoded blocks without offsets, sizes and the zstd-vs-plain choice
  "$I" blocks --rows --json "$1" | jq -c 'del(.timestamps_block_offset, .timestamps_block_size,
    .values_block_offset, .values_block_size) | .timestamps_marshal_type |= sub("^ZSTD"; "")
    | .values_marshal_type |= sub("^ZSTD"; "")'
}
flavour_is() {  # name dir want-flavour-string
  local got
  got=$("$I" parts --json "$2" | jq -r 'select(.type == "flavour") | .flavour')
  [ "$got" = "$3" ] && pass "$1" || fail "$1" "got \"$got\", want \"$3\""
}

# ---- single-node v1.93.7 ---------------------------------------------------------------------------
for d in node tiny; do
  export_same "single 1.93 $d: export before merge == server" "$S1/$d/storage-before-merge" "" "$S1/$d/export/before-merge.jsonl"
  export_same "single 1.93 $d: export after merge == server" "$S1/$d/storage-after-merge" "" "$S1/$d/export/all.jsonl"
  verify_clean "single 1.93 $d: verify before merge" "$S1/$d/storage-before-merge"
  verify_clean "single 1.93 $d: verify after merge" "$S1/$d/storage-after-merge"
done
flavour_is "single 1.93: detected" "$S1/node/storage-after-merge" "v1.93 single-node"
flavour_is "cluster 1.93: detected" "$FIX/tiny/storage" "v1.93 cluster"
DP=$(ls -d "$S1"/tiny/storage-after-merge/data/small/2023_10/*/ | head -1)
expect_exit 0 "single 1.93: verify one data part" "$I" verify "$DP"
expect_exit 0 "single 1.93: blocks of one data part" "$I" blocks --rows --json "$DP"
if [ "$(jq -s 'map(.tsid.metric_id) | length' "$TMP/stdout")" -gt 0 ]; then pass "single 1.93: blocks decode"; else fail "single 1.93: blocks decode"; fi
IP=$(ls -d "$S1"/tiny/storage-after-merge/indexdb/*/[0-9A-F]*/ | head -1)
expect_exit 0 "single 1.93: verify one index part" "$I" verify "$IP"
# ns 5 items have no tenant: dates per day == series per day of the export (11 series, both days)
"$I" dates --json "$S1/tiny/storage-after-merge" >"$TMP/dates"
if [ "$(jq -s -c 'map([.date, .metric_ids_count])' "$TMP/dates")" = '[["2023-10-31",11],["2023-11-01",11]]' ]; then
  pass "single 1.93: dates"; else fail "single 1.93: dates" "$(cat "$TMP/dates")"; fi

# --target: conflicts and unsupported releases are usage errors naming both sides.
expect_exit 2 "--target cluster on a single-node dir" "$I" export --target v1.93.7-cluster "$S1/tiny/storage-after-merge"
grep -q 'single-node storage.*cluster release' "$TMP/stderr" && pass "conflict message names both" || fail "conflict message" "$(cat "$TMP/stderr")"
expect_exit 2 "--target single on a cluster dir" "$I" verify --target 1.93 "$FIX/tiny/storage"
expect_exit 2 "--target v1.100.0 unsupported" "$I" parts --target v1.100.0 "$FIX/tiny/storage"
grep -q 'supported: v1.93.x, v1.136.x, v1.148.x' "$TMP/stderr" && pass "unsupported release lists the supported ones" || fail "unsupported list" "$(cat "$TMP/stderr")"
expect_exit 2 "--target garbage" "$I" parts --target latest "$FIX/tiny/storage"
expect_exit 0 "--target matching" "$I" export --target v1.93.7 "$S1/tiny/storage-after-merge"
expect_exit 2 "route: single-node target refused" "$BIN/tsdb-route" --target v1.148.0 --stats --storage-node a:8400 /dev/null

# import: a new single-node directory, appended batches, then the server's force merge.
for i in 1 2 3; do check "single import: batch-$i" "$IMP" --target v1.93.7 -s "$TMP/sn" $R100 "$S1/node/input/batch-$i.prom"; done
export_same "single import: export == server" "$TMP/sn" "" "$S1/node/export/all.jsonl"
verify_clean "single import: verify" "$TMP/sn"
flavour_is "single import: written as single-node" "$TMP/sn" "v1.93 single-node"
check "single import: force merge" "$M" --force "$TMP/sn"
if python3 "$HERE_FLAVOURS/import_compare.py" "$I" "$TMP/sn" "$S1/node/storage-after-merge" >"$TMP/cmp" 2>&1; then
  pass "single import+merge: blocks and index items == server's"; else fail "single import+merge == server" "$(cat "$TMP/cmp")"; fi
# The flavour is detected when appending: no --target needed, a wrong one refused.
check "single import: append without --target" "$IMP" -s "$TMP/sn" $R100 --dry-run "$S1/node/input/batch-1.prom"
expect_exit 2 "single import: --tenant refused" "$IMP" -s "$TMP/sn" $R100 --tenant 42:7 "$S1/node/input/batch-1.prom"
expect_exit 2 "single import: cluster --target refused" "$IMP" --target v1.93.7-cluster -s "$TMP/sn" $R100 "$S1/node/input/batch-1.prom"
# tiny: both files into the one namespace; overlapping blocks of one series merge as the server's.
for f in tenant-0-0 tenant-42-7; do check "single tiny import: $f" "$IMP" --target v1.93 -s "$TMP/st" $R100 "$S1/tiny/input/$f.prom"; done
export_same "single tiny import: export == server (before merge)" "$TMP/st" "" "$S1/tiny/export/before-merge.jsonl"
check "single tiny: force merge" "$M" --force "$TMP/st"
export_same "single tiny: export after merge == server" "$TMP/st" "" "$S1/tiny/export/all.jsonl"
if python3 "$HERE_FLAVOURS/import_compare.py" "$I" "$TMP/st" "$S1/tiny/storage-after-merge" >"$TMP/cmp" 2>&1; then
  pass "single tiny import+merge: blocks and index items == server's"; else fail "single tiny import+merge == server" "$(cat "$TMP/cmp")"; fi
# The server's own single-node parts, force-merged by us: the server's merged blocks.
fixture_dir_copy() { mkdir -p "$2" && cp -r "$1/." "$2/" && chmod -R u+w "$2"; }
fixture_dir_copy "$S1/tiny/storage-before-merge" "$TMP/stm"
check "single 1.93 tiny: force merge of the server's parts" "$M" --force "$TMP/stm"
for p in 2023_10 2023_11; do
  got=$(jq -r '.Small[0]' "$TMP/stm/data/small/$p/parts.json"); want=$(jq -r '.Small[0]' "$S1/tiny/storage-after-merge/data/small/$p/parts.json")
  blocks_norm "$TMP/stm/data/small/$p/$got" >"$TMP/got.b"; blocks_norm "$S1/tiny/storage-after-merge/data/small/$p/$want" >"$TMP/want.b"
  same_file "single 1.93 tiny $p: merged blocks == server's" "$TMP/got.b" "$TMP/want.b"
done

fixture_dir_copy "$S1/node/storage-before-merge" "$TMP/snm"
check "single 1.93 node: force merge of the server's parts" "$M" --force "$TMP/snm"
got=$(jq -r '.Small[0]' "$TMP/snm/data/small/2023_11/parts.json"); want=$(jq -r '.Small[0]' "$S1/node/storage-after-merge/data/small/2023_11/parts.json")
blocks_norm "$TMP/snm/data/small/2023_11/$got" >"$TMP/got.b"; blocks_norm "$S1/node/storage-after-merge/data/small/2023_11/$want" >"$TMP/want.b"
same_file "single 1.93 node: merged blocks == server's" "$TMP/got.b" "$TMP/want.b"
same_file "single 1.93 node: metadata.json == server's" "$TMP/snm/data/small/2023_11/$got/metadata.json" "$S1/node/storage-after-merge/data/small/2023_11/$want/metadata.json"

# ---- per-partition index: v1.136.0 and v1.148.0 -----------------------------------------------------
for v in vm-single-1.148 vm-single-1.136; do
  export_same "$v: export before merge == server" "$LOCAL/$v/multi/storage-before-merge" "" "$LOCAL/$v/multi/export/before-merge.jsonl"
  export_same "$v: export after merge and delete == server" "$LOCAL/$v/multi/storage-final" "" "$LOCAL/$v/multi/export/after-delete.jsonl"
  verify_clean "$v: verify before merge" "$LOCAL/$v/multi/storage-before-merge"
  verify_clean "$v: verify final" "$LOCAL/$v/multi/storage-final"
  flavour_is "$v: detected" "$LOCAL/$v/multi/storage-final" "v1.133+ single-node"
done
C148="$LOCAL/vm-cluster-1.148/multi"
for t in 0_0:0:0 42_7:42:7; do
  n=${t%%:*}; tn=${t#*:}
  export_same "cluster 1.148 $tn: export before merge == server" "$C148/storage-before-merge" "$tn" "$C148/export/$n-before-merge.jsonl"
  export_same "cluster 1.148 $tn: export after delete == server" "$C148/storage-final" "$tn" "$C148/export/$n-after-delete.jsonl"
done
verify_clean "cluster 1.148: verify final" "$C148/storage-final"
flavour_is "cluster 1.148: detected" "$C148/storage-final" "v1.133+ cluster"
for f in single cluster; do
  U="$LOCAL/vm-$f-1.148/upgraded"
  tn=""; [ $f = cluster ] && tn=0:0
  export_same "upgraded $f: export == server (legacy and per-partition indexes)" "$U/storage" "$tn" "$U/export/all.jsonl"
  verify_clean "upgraded $f: verify" "$U/storage"
  "$I" index --json --ns 3 "$U/storage" >"$TMP/ns3"
  # The legacy names are those of the v1.93 directory that was upgraded (the single-node server
  # registered 4 of its 507 series twice); the new samples of 2023-11-02 brought 97 series.
  legacy=$("$I" index --json --ns 3 "$SHARED/vm-$f-1.93/node/storage-after-merge" | wc -l)
  # The distinct series of the input sent on 2023-11-02 (name and labels, without value and timestamp).
  fresh=$(grep -v '^#' "$U/input/batch-3-2023-11-02.prom" | sed 's/ [^ ]* [^ ]*$//' | sort -u | wc -l)
  if [ "$fresh" -gt 0 ] && [ "$(jq -s '[.[] | select(.legacy == true)] | length' "$TMP/ns3")" = "$legacy" ] && [ "$(jq -s '[.[] | select(.partition == "2023_11")] | length' "$TMP/ns3")" = "$fresh" ]; then
    pass "upgraded $f: index says which names are legacy ($legacy) and which in data/indexdb/2023_11 ($fresh)"
  else fail "upgraded $f: index legacy/partition" "$(jq -s -c 'group_by(.index) | map([.[0].index, length])' "$TMP/ns3")"; fi
done
"$I" dates "$LOCAL/vm-single-1.148/upgraded/storage" >"$TMP/dates"
if grep -q '^indexdb/[0-9A-F]* (legacy) *0:0 *2023-11-01 *511' "$TMP/dates" && grep -q '^data/indexdb/2023_11 *0:0 *2023-11-02 *97' "$TMP/dates"; then
  pass "dates: per index, legacy marked"; else fail "dates: per index" "$(cat "$TMP/dates")"; fi
expect_exit 2 "--target v1.93.7 on a per-partition dir" "$I" export --target v1.93.7 "$LOCAL/vm-single-1.148/multi/storage-final"
expect_exit 0 "--target v1.136.0 on a v1.148 dir (same layout)" "$I" verify --target v1.136.0 "$LOCAL/vm-single-1.148/multi/storage-final"

# tsdb-import --target v1.148: a new directory of each tenancy from the fixtures' inputs, one run per
# file as the servers got them; and the upgraded-in-place case (a v1.93 directory given v1.148).
for f in single cluster; do
  V="$LOCAL/vm-$f-1.148/multi"
  tg=v1.148.0; [ $f = cluster ] && tg=v1.148.0-cluster
  for in_file in "$V"/input/*.prom; do
    tn=""; [ $f = cluster ] && { tn="--tenant 0:0"; case "$(basename "$in_file")" in tiny*) tn="--tenant 42:7";; esac; }
    check "import $tg: $(basename "$in_file")" "$IMP" --target $tg $tn -s "$TMP/new-$f" $R100 "$in_file"
  done
  flavour_is "import $tg: per-partition layout" "$TMP/new-$f" "v1.133+ $([ $f = cluster ] && echo cluster || echo single-node)"
  [ ! -e "$TMP/new-$f/indexdb" ] && [ -f "$TMP/new-$f/data/indexdb/2025_10/parts.json" ] && pass "import $tg: data/indexdb/P, no indexdb/" \
    || fail "import $tg: layout" "$(ls "$TMP/new-$f" "$TMP/new-$f/data")"
  if [ $f = single ]; then
    export_same "import $tg: export == server" "$TMP/new-$f" "" "$V/export/all.jsonl"
  else
    export_same "import $tg: export 0:0 == server" "$TMP/new-$f" 0:0 "$V/export/0_0-all.jsonl"
    export_same "import $tg: export 42:7 == server" "$TMP/new-$f" 42:7 "$V/export/42_7-all.jsonl"
  fi
  verify_clean "import $tg: verify" "$TMP/new-$f"
  if python3 "$HERE_FLAVOURS/import_compare.py" "$I" "$TMP/new-$f" "$V/storage-before-merge" >"$TMP/cmp" 2>&1; then
    pass "import $tg: blocks and index items == server's"; else fail "import $tg == server" "$(cat "$TMP/cmp")"; fi
  U="$LOCAL/vm-$f-1.148/upgraded"
  fixture_dir_copy "$SHARED/vm-$f-1.93/node/storage-after-merge" "$TMP/up-$f"
  tn=""; [ $f = cluster ] && tn="--tenant 0:0"
  for in_file in "$U"/input/*.prom; do check "upgrade $tg: $(basename "$in_file")" "$IMP" --target $tg $tn -s "$TMP/up-$f" $R100 "$in_file"; done
  export_same "upgrade $tg: export == server" "$TMP/up-$f" "${tn#--tenant }" "$U/export/all.jsonl"
  verify_clean "upgrade $tg: verify" "$TMP/up-$f"
  if python3 "$HERE_FLAVOURS/import_compare.py" "$I" "$TMP/up-$f" "$U/storage" >"$TMP/cmp" 2>&1; then
    pass "upgrade $tg: blocks and index items == server's"; else fail "upgrade $tg == server" "$(cat "$TMP/cmp")"; fi
done
# Appending to the new directory: series of a month already there keep their MetricIDs.
check "import v1.148: append batch-1 again" "$IMP" -s "$TMP/new-single" $R100 "$LOCAL/vm-single-1.148/multi/input/batch-1.prom"
grep -q 'series: total=97 new=0 curr=97 ' "$TMP/stderr" && pass "append: the 97 series found in data/indexdb/2025_10" || fail "append: series found" "$(cat "$TMP/stderr")"
grep -q 'indexdb: items=0 parts=0\|^tsdb-import: indexdb' "$TMP/stderr" && ! grep -q '^tsdb-import: indexdb data' "$TMP/stderr" && pass "append: no index items needed" \
  || fail "append: no index items" "$(cat "$TMP/stderr")"
verify_clean "append: verify" "$TMP/new-single"

# tsdb-merge on v1.148: the force merge gives the server's blocks (storage-final's data parts are
# its force-merged parts; the delete after it only added index items).
for v in vm-single-1.148 vm-cluster-1.148 vm-single-1.136; do
  D="$TMP/$v"
  fixture_dir_copy "$LOCAL/$v/multi/storage-before-merge" "$D"
  check "$v: force merge with --indexdb" "$M" --force --indexdb "$D"
  for p in 2023_10 2023_11 2025_10 2025_11 2025_12; do
    got=$(jq -r '.Small[0]' "$D/data/small/$p/parts.json"); want=$(jq -r '.Small[0]' "$LOCAL/$v/multi/storage-final/data/small/$p/parts.json")
    blocks_norm "$D/data/small/$p/$got" >"$TMP/got.b"; blocks_norm "$LOCAL/$v/multi/storage-final/data/small/$p/$want" >"$TMP/want.b"
    same_file "$v $p: merged blocks == server's force merge" "$TMP/got.b" "$TMP/want.b"
  done
  verify_clean "$v: verify after merge" "$D"
  if [ -z "$(find "$D" -name '*.must-remove.*' -o -name '.delete-this-dir' -o -name 'tsdb-merge.tmp.*')" ]; then
    pass "$v: sources removed, no markers left"; else fail "$v: leftovers" "$(find "$D" -name '*.must-remove.*' -o -name '.delete-this-dir')"; fi
done
export_same "vm-single-1.148: export after our merge == server" "$TMP/vm-single-1.148" "" "$LOCAL/vm-single-1.148/multi/export/all.jsonl"

# tsdb-route --target v1.148-cluster: series over the v1.136+ limits are dropped (v1.93.7 cuts
# them); replicas follow the sorted addresses (checked live against vminsert v1.148.0: the same
# node for every row, see the issue note).
{ printf 'over{'; for k in $(seq 1 45); do printf 'l%d="v",' "$k"; done; printf 'z="v"} 1 1\n'; echo 'ok_series{a="1"} 1 1'; } >"$TMP/ol.prom"
expect_exit 0 "route v1.148: over-limit series" "$BIN/tsdb-route" --target v1.148.0-cluster --storage-node a:8400,b:8400 --stats "$TMP/ol.prom"
grep -q 'rows 1 (copies 1), series 1, bad lines 1' "$TMP/stdout" && grep -q 'series dropped' "$TMP/stderr" && pass "route v1.148: the 46-label series dropped" \
  || fail "route v1.148: dropped" "$(cat "$TMP/stdout" "$TMP/stderr")"
expect_exit 0 "route v1.93: over-limit series kept" "$BIN/tsdb-route" --storage-node a:8400,b:8400 --stats "$TMP/ol.prom"
grep -q 'rows 2 (copies 2), series 2, bad lines 0' "$TMP/stdout" && pass "route v1.93: labels cut, series kept" || fail "route v1.93: kept" "$(cat "$TMP/stdout")"
"$BIN/tsdb-route" --storage-node a:8400,c:8400,b:8400 --replication-factor 2 --out-dir "$TMP/r93" "$S1/node/input/batch-1.prom" 2>/dev/null
"$BIN/tsdb-route" --target v1.148-cluster --storage-node a:8400,c:8400,b:8400 --replication-factor 2 --out-dir "$TMP/r148" "$S1/node/input/batch-1.prom" 2>/dev/null
if ! cmp -s "$TMP"/r93/node-1_* "$TMP"/r148/node-1_* && [ "$(cat "$TMP"/r148/* | wc -l)" = "$(cat "$TMP"/r93/* | wc -l)" ]; then
  pass "route v1.148: replicas placed differently from v1.93 with unsorted -storageNode"; else fail "route v1.148: replica order" "$(ls "$TMP/r93" "$TMP/r148")"; fi
