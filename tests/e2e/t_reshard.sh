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
