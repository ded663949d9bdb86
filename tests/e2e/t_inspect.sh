# tsdb-inspect on the server-written fixtures: exports equal the server's own /api/v1/export,
# verify is clean, every subcommand runs, usage errors exit 2.
I="$BIN/tsdb-inspect"

# export == the fixture's export file, byte for byte after LC_ALL=C sort, for every directory and tenant.
export_case() {  # name dir tenant expected
  if "$I" export --tenant "$3" "$FIX/$2" >"$TMP/out" 2>"$TMP/err"; then
    LC_ALL=C sort "$TMP/out" >"$TMP/sorted"
    same_file "export $1 tenant $3" "$TMP/sorted" "$FIX/$4"
  else
    fail "export $1 tenant $3" "exit $?: $(cat "$TMP/err")"
  fi
}
export_case tiny tiny/storage 0:0 tiny/export/tenant-0-0.jsonl
export_case tiny tiny/storage 42:7 tiny/export/tenant-42-7.jsonl
export_case node-before node/storage-before-merge 0:0 node/export/tenant-0-0.jsonl
export_case node-after node/storage-after-merge 0:0 node/export/tenant-0-0.jsonl
for n in 0 1 2; do
  export_case "route-$n" "route/storage/node-$n" 0:0 "route/export/node-$n.tenant-0-0.jsonl"
  export_case "route-$n" "route/storage/node-$n" 42:7 "route/export/node-$n.tenant-42-7.jsonl"
done

# verify: clean on every fixture directory (missing empty dirs tolerated), exit 0, summary line.
for d in tiny/storage node/storage-before-merge node/storage-after-merge route/storage/node-0 route/storage/node-1 route/storage/node-2; do
  expect_exit 0 "verify $d" "$I" verify "$FIX/$d"
  if grep -q ': 0 problems$' "$TMP/stdout"; then pass "verify $d summary"; else fail "verify $d summary" "$(tail -3 "$TMP/stdout")"; fi
done
expect_exit 0 "verify --json" "$I" verify --json "$FIX/tiny/storage"
if tail -1 "$TMP/stdout" | jq -e '.type == "summary" and .problems == 0 and .rows == 259' >/dev/null; then pass "verify --json summary"; else fail "verify --json summary" "$(tail -1 "$TMP/stdout")"; fi
DP=$(ls -d "$FIX"/tiny/storage/data/small/2023_10/*/ | head -1)
IP=$(ls -d "$FIX"/tiny/storage/indexdb/18EA2420BC13A01A/*/ | head -1)
expect_exit 0 "verify one data part" "$I" verify "$DP"
expect_exit 0 "verify one indexdb part" "$I" verify "$IP"

# dates: the per-day MetricID counts equal the number of series with samples that day in the
# server's export (each fixture series has one MetricID).
"$I" dates --json --tenant 0:0 "$FIX/tiny/storage" >"$TMP/dates" 2>"$TMP/err"
python3 - "$TMP/dates" "$FIX/tiny/export/tenant-0-0.jsonl" >"$TMP/cmp" 2>&1 <<'PY'
import json, sys, collections
got = {d["date"]: d["metric_ids_count"] for d in map(json.loads, open(sys.argv[1]))}
want = collections.Counter()
import datetime
for line in open(sys.argv[2]):
    s = json.loads(line)
    for day in {datetime.datetime.utcfromtimestamp(t / 1000).strftime("%Y-%m-%d") for t in s["timestamps"]}:
        want[day] += 1
print("ok" if got == dict(want) else f"got {got} want {dict(want)}")
PY
if grep -qx ok "$TMP/cmp"; then pass "dates counts == series per day in export"; else fail "dates counts" "$(cat "$TMP/cmp")"; fi

# The other dumps run and produce parseable JSON lines.
for args in "parts" "index" "index --ns 5 --tenant 42:7 --date 2023-11-01" "index --ns 3" "dates --ids"; do
  expect_exit 0 "$args --json" "$I" $args --json "$FIX/tiny/storage"
  if [ -s "$TMP/stdout" ] && jq -c . "$TMP/stdout" >/dev/null 2>&1; then pass "$args --json parses"; else fail "$args --json parses"; fi
done
"$I" index --ns 5 --json --tenant 42:7 --date 2023-11-01 "$FIX/tiny/storage" >"$TMP/ns5"
if [ "$(wc -l <"$TMP/ns5")" = 3 ]; then pass "index ns 5 filter: 3 series of 42:7 on 2023-11-01"; else fail "index ns 5 filter" "$(wc -l <"$TMP/ns5") lines"; fi
for sub in metaindex blocks "blocks --rows"; do
  expect_exit 0 "$sub data part" "$I" $sub "$DP"
  expect_exit 0 "$sub indexdb part" "$I" $sub "$IP"
  expect_exit 0 "$sub --json data part" "$I" $sub --json "$DP"
done
"$I" blocks --rows --json "$DP" | jq -s 'map(.rows_count) | add' >"$TMP/rows"
DP_ROWS=$(jq .RowsCount "$DP/metadata.json")
if [ "${DP_ROWS:-0}" -gt 0 ] && [ "$(cat "$TMP/rows")" = "$DP_ROWS" ]; then pass "blocks --rows: $DP_ROWS rows as metadata.json says"
else fail "blocks rows" "$(cat "$TMP/rows") of metadata.json's ${DP_ROWS:-?}"; fi

# export --format prom, --match, --start/--end.
expect_exit 0 "export prom" "$I" export --format prom --tenant 42:7 "$FIX/tiny/storage"
want_lines=$(grep -v '^#' "$FIX/tiny/input/tenant-42-7.prom" | grep -c .)   # one line per sample sent
if [ "${want_lines:-0}" -gt 0 ] && [ "$(wc -l <"$TMP/stdout")" = "$want_lines" ] && grep -q '^tiny_tenant_only{env="prod",team="blue"} 100 1698760800500$' "$TMP/stdout"; then
  pass "export prom lines"; else fail "export prom lines" "$(head -3 "$TMP/stdout")"; fi
expect_exit 0 "export --match" "$I" export --match tiny_no_labels "$FIX/tiny/storage"
if [ "$(wc -l <"$TMP/stdout")" = 2 ]; then pass "export --match: one series per tenant"; else fail "export --match" "$(cat "$TMP/stdout")"; fi
expect_exit 0 "export --start/--end" "$I" export --tenant 42:7 --match tiny_no_labels --start 2023-11-01T00:00:00Z --end 1698800400000ms "$FIX/tiny/storage"
if jq -e '.values == [-10,-11]' "$TMP/stdout" >/dev/null; then pass "export time range is inclusive"; else fail "export time range" "$(cat "$TMP/stdout")"; fi

# Usage and environment errors.
expect_exit 2 "bad tenant is a usage error" "$I" export --tenant x "$FIX/tiny/storage"
expect_exit 2 "unknown subcommand" "$I" frobnicate "$FIX/tiny/storage"
expect_exit 2 "no arguments" "$I"
expect_exit 2 "bad namespace" "$I" index --ns 9 "$FIX/tiny/storage"
expect_exit 2 "missing directory" "$I" verify "$TMP/does-not-exist"
if grep -q "does-not-exist" "$TMP/stderr" "$TMP/stdout"; then pass "missing directory is named"; else fail "missing directory is named"; fi
expect_exit 0 "--help" "$I" --help
expect_exit 0 "-o file" "$I" parts -o "$TMP/parts.txt" "$FIX/tiny/storage"
if [ -s "$TMP/parts.txt" ]; then pass "-o writes the file"; else fail "-o writes the file"; fi

# blocks --rows (text): each row under its own header: ms, RFC3339 of the same instant, the value.
"$I" blocks --rows "$DP" >"$TMP/brows" 2>/dev/null
bad=$(awk '/^  ROW  TIMESTAMP/ { inrows = 1; next } inrows && NF == 0 { inrows = 0 } inrows {
  cmd = "date -u -d @" int($2 / 1000) " +%Y-%m-%dT%H:%M:%S"; cmd | getline t; close(cmd)
  if (index($3, t) != 1) bad++ } END { print bad + 0 }' "$TMP/brows")
nrows=$(grep -c '^  [0-9]' "$TMP/brows")
[ "$bad" = 0 ] && [ "$nrows" = "$DP_ROWS" ] && pass "blocks --rows: $DP_ROWS rows, each timestamp beside its own RFC3339 time" ||
  fail "blocks --rows text" "$bad misplaced of $nrows rows"
