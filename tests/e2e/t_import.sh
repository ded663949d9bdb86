# tsdb-import end to end: the fixtures' inputs imported into empty directories must export exactly
# what the real server exported, verify clean, match the server's parts block by block and item by
# item (MetricIDs mapped through names), append with TSIDs reused, be byte-reproducible with the
# seeds, handle every bad-input class of prometheus-text.md §12, refuse a locked directory, and
# survive kill -9 at any moment with the old or the new content.
IMP="$BIN/tsdb-import"
INS="$BIN/tsdb-inspect"
HERE_IMPORT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
R100="--retention 100y"

# ---- tiny: both tenants into one directory --------------------------------------------------------
T="$FIX/tiny"
check "tiny: import tenant 0:0" "$IMP" -s "$TMP/tiny" $R100 "$T/input/tenant-0-0.prom"
grep -q '^tsdb-import: samples: parsed=200 nan=1 too_old=0 too_new=0 accepted=199 written=199$' "$TMP/stderr" \
  && pass "tiny: summary counts the NaN drop" || fail "tiny: summary counts the NaN drop" "$(cat "$TMP/stderr")"
check "tiny: import tenant 42:7" "$IMP" -s "$TMP/tiny" $R100 --tenant 42:7 "$T/input/tenant-42-7.prom"
export_same "tiny: export 0:0 == server" "$TMP/tiny" 0:0 "$T/export/tenant-0-0.jsonl"
export_same "tiny: export 42:7 == server" "$TMP/tiny" 42:7 "$T/export/tenant-42-7.jsonl"
verify_clean "tiny: verify" "$TMP/tiny"
for d in data/small/snapshots data/big/snapshots indexdb/snapshots snapshots flock.lock data/big/2023_10; do
  [ -e "$TMP/tiny/$d" ] && pass "tiny: created $d" || fail "tiny: created $d"
done
[ "$(od -An -tx1 "$TMP/tiny/metadata/minTimestampForCompositeIndex" | tr -d ' \n')" = 0000000000000000 ] \
  && pass "tiny: minTimestampForCompositeIndex is 0" || fail "tiny: minTimestampForCompositeIndex is 0"
[ "$(ls -d "$TMP"/tiny/indexdb/[0-9A-F]* | wc -l)" = 3 ] && pass "tiny: three generations" || fail "tiny: three generations"

# stdin, gzip and zstd input give the same directory content.
gzip -c "$T/input/tenant-0-0.prom" >"$TMP/t0.prom.gz"
zstd -q -c "$T/input/tenant-0-0.prom" >"$TMP/t0.prom.zst"
for f in gz zst; do
  check "tiny: .$f input" "$IMP" -s "$TMP/tiny-$f" $R100 "$TMP/t0.prom.$f"
  export_same "tiny: .$f export == server" "$TMP/tiny-$f" 0:0 "$T/export/tenant-0-0.jsonl"
done
if "$IMP" -s "$TMP/tiny-stdin" $R100 - <"$T/input/tenant-0-0.prom" 2>"$TMP/stderr"; then pass "tiny: stdin"; else fail "tiny: stdin"; fi
export_same "tiny: stdin export == server" "$TMP/tiny-stdin" 0:0 "$T/export/tenant-0-0.jsonl"

# ---- node: one run, and three appending runs ----------------------------------------------------
N="$FIX/node"
check "node: import 3 batches in one run" "$IMP" -s "$TMP/node1" $R100 "$N/input/batch-1.prom" "$N/input/batch-2.prom" "$N/input/batch-3.prom"
export_same "node: one run export == server" "$TMP/node1" 0:0 "$N/export/tenant-0-0.jsonl"
verify_clean "node: one run verify" "$TMP/node1"
for i in 1 2 3; do
  check "node: append batch-$i" "$IMP" -s "$TMP/node3" $R100 "$N/input/batch-$i.prom"
  cp "$TMP/stderr" "$TMP/node3-$i.err"
done
grep -q '^tsdb-import: series: total=507 new=507 curr=0 prev=0 ' "$TMP/node3-1.err" && pass "node: batch-1 creates 507 series" || fail "node: batch-1 creates 507 series" "$(cat "$TMP/node3-1.err")"
for i in 2 3; do
  grep -q '^tsdb-import: series: total=507 new=0 curr=507 prev=0 ' "$TMP/node3-$i.err" && pass "node: batch-$i reuses the 507 TSIDs" \
    || fail "node: batch-$i reuses the 507 TSIDs" "$(cat "$TMP/node3-$i.err")"
  grep -q '^tsdb-import: indexdb: items=0 parts=0' "$TMP/node3-$i.err" && pass "node: batch-$i adds no index items" || fail "node: batch-$i adds no index items"
done
export_same "node: appended export == server" "$TMP/node3" 0:0 "$N/export/tenant-0-0.jsonl"
verify_clean "node: appended verify" "$TMP/node3"
# (grep, not jq: jq rounds 64-bit integers to doubles)
"$INS" index --json --ns 2 "$TMP/node3" | grep -oE '"metric_ids":\["[0-9]+' | grep -oE '[0-9]+$' | sort -u >"$TMP/ids-index"
for p in "$TMP"/node3/data/small/2023_11/[0-9A-F]*/; do "$INS" blocks --json "$p" | grep -oE '"metric_id":"[0-9]+' | grep -oE '[0-9]+$'; done | sort -u >"$TMP/ids-data"
want_ids=$(wc -l <"$N/export/tenant-0-0.jsonl")   # one MetricID per series the server exports
[ "$want_ids" -gt 0 ] && [ "$(wc -l <"$TMP/ids-data")" = "$want_ids" ] && cmp -s "$TMP/ids-index" "$TMP/ids-data" \
  && pass "node: the 3 parts use the same $want_ids MetricIDs, one per series of the server's export" \
  || fail "node: the 3 parts use the same MetricIDs" "$(wc -l <"$TMP/ids-data") ids in data, $want_ids series exported"
# Block-level and index-level equality with the server's parts (one per batch, as here).
if python3 "$HERE_IMPORT/import_compare.py" "$INS" "$TMP/node3" "$N/storage-before-merge" >"$TMP/cmp" 2>&1; then
  pass "node: blocks and index items == server's (MetricIDs mapped)"
else
  fail "node: blocks and index items == server's (MetricIDs mapped)" "$(cat "$TMP/cmp")"
fi

# ---- route: each node's rows (split by tsdb-route) imported per node -------------------------------
if [ -x "$BIN/tsdb-route" ]; then
  RF="$FIX/route"
  NODES=127.0.0.1:8400,127.0.0.1:8410,127.0.0.1:8420
  "$BIN/tsdb-route" --storage-node $NODES --out-dir "$TMP/r0" "$RF/input/batch-1.prom" "$RF/input/batch-2.prom" \
    "$RF/input/batch-3.prom" "$RF/input/tenant-0-0.prom" 2>"$TMP/route.err" \
    && "$BIN/tsdb-route" --storage-node $NODES --tenant 42:7 --out-dir "$TMP/r42" "$RF/input/tenant-42-7.prom" 2>>"$TMP/route.err" \
    && pass "route: split per node" || fail "route: split per node" "$(cat "$TMP/route.err")"
  for i in 0 1 2; do
    "$IMP" -s "$TMP/route-$i" $R100 "$TMP"/r0/node-"$i"_*.prom 2>"$TMP/imp.err" \
      && "$IMP" -s "$TMP/route-$i" $R100 --tenant 42:7 "$TMP"/r42/node-"$i"_*.prom 2>>"$TMP/imp.err" \
      && pass "route: import node $i" || fail "route: import node $i" "$(cat "$TMP/imp.err")"
    export_same "route: node $i export 0:0 == server" "$TMP/route-$i" 0:0 "$RF/export/node-$i.tenant-0-0.jsonl"
    export_same "route: node $i export 42:7 == server" "$TMP/route-$i" 42:7 "$RF/export/node-$i.tenant-42-7.jsonl"
    verify_clean "route: node $i verify" "$TMP/route-$i"
  done
else
  fail "tsdb-route is built (the route-fixture import cases need it)"
fi

# ---- determinism: same seeds, same bytes -----------------------------------------------------------
for run in a b; do
  D="$TMP/det-$run"
  # Every run must succeed: two failed runs would compare equal too.
  "$IMP" -s "$D" $R100 --metric-id-base 1000 --part-name-seed 77 "$T/input/tenant-0-0.prom" 2>/dev/null \
    || fail "determinism: run $run, tenant 0:0 import failed"
  "$IMP" -s "$D" $R100 --metric-id-base 1000 --part-name-seed 77 --tenant 42:7 "$T/input/tenant-42-7.prom" 2>/dev/null \
    || fail "determinism: run $run, tenant 42:7 import failed"
  "$IMP" -s "$D" $R100 --metric-id-base 1000 --part-name-seed 77 "$N/input/batch-1.prom" "$N/input/batch-2.prom" 2>/dev/null \
    || fail "determinism: run $run, node import failed"
done
[ -n "$("$BIN/tsdb-inspect" export "$TMP/det-a" 2>/dev/null | head -1)" ] || fail "determinism: the seeded runs wrote no samples"
if diff -r "$TMP/det-a" "$TMP/det-b" >"$TMP/diff" 2>&1; then pass "determinism: diff -r of two seeded runs is empty"; else fail "determinism: diff -r" "$(head -5 "$TMP/diff")"; fi
[ "$(ls "$TMP/det-a/indexdb" | tr '\n' ' ')" = "000000000000004E 000000000000004F 0000000000000050 snapshots " ] \
  && [ -d "$TMP/det-a/data/small/2023_10/0000000000000052" ] \
  && pass "determinism: names follow --part-name-seed" || fail "determinism: names follow --part-name-seed" "$(ls "$TMP/det-a/indexdb" "$TMP/det-a/data/small/2023_10")"
"$INS" index --json --ns 3 "$TMP/det-a" | grep -oE '"metric_ids":\["[0-9]+' | grep -oE '[0-9]+$' | sort -n | head -1 >"$TMP/first-id"
[ "$(cat "$TMP/first-id")" = 1001 ] && pass "determinism: MetricIDs follow --metric-id-base" || fail "determinism: MetricIDs follow --metric-id-base" "$(cat "$TMP/first-id")"

# ---- options ---------------------------------------------------------------------------------------
check "--extra-label" "$IMP" -s "$TMP/extra" $R100 --extra-label dc=eu1 --extra-label code=999 --extra-label empty= "$T/input/tenant-42-7.prom"
"$INS" export --tenant 0:0 "$TMP/extra" | jq -c '.metric' | sort -u >"$TMP/extra.names"
if [ "$(wc -l <"$TMP/extra.names")" = 3 ] && ! grep -v '"dc":"eu1"' "$TMP/extra.names" | grep -q . && ! grep -q empty "$TMP/extra.names" \
   && grep -q '"code":"999"' "$TMP/extra.names"; then pass "--extra-label adds the labels (empty values skipped)"; else fail "--extra-label" "$(cat "$TMP/extra.names")"; fi
check "--dedup-interval" "$IMP" -s "$TMP/dedup" $R100 --dedup-interval 30s "$N/input/batch-1.prom"
grep -q '"MinDedupInterval":30000' "$TMP"/dedup/data/small/2023_11/*/metadata.json && pass "--dedup-interval: MinDedupInterval=30000" || fail "--dedup-interval: MinDedupInterval"
grep -q '^tsdb-import: samples: .* accepted=7098 written=4056$' "$TMP/stderr" && pass "--dedup-interval: 14 samples at 15 s -> 8 per series" || fail "--dedup-interval: rows" "$(grep samples "$TMP/stderr")"
expect_exit 1 "default retention (31 days) drops 2023 data: nothing imported is exit 1" "$IMP" -s "$TMP/ret" "$T/input/tenant-42-7.prom"
grep -q 'nothing was imported: every sample is outside' "$TMP/stderr" && pass "default retention: says why nothing was imported" || fail "nothing imported message" "$(cat "$TMP/stderr")"
grep -q 'too_old=60 too_new=0 accepted=0 written=0' "$TMP/stderr" && pass "default retention: counted as too_old" || fail "default retention" "$(cat "$TMP/stderr")"
check "--dry-run" "$IMP" -s "$TMP/dry" $R100 --dry-run "$T/input/tenant-0-0.prom"
[ ! -e "$TMP/dry" ] && grep -q 'dry_run=1' "$TMP/stderr" && grep -q '^tsdb-import: partition 2023_10: samples=99$' "$TMP/stderr" \
  && pass "--dry-run writes nothing and reports" || fail "--dry-run" "$(cat "$TMP/stderr")"
check "--precision-bits 8" "$IMP" -s "$TMP/pb" $R100 --precision-bits 8 "$T/input/tenant-42-7.prom"
P=$(ls -d "$TMP"/pb/data/small/2023_11/[0-9A-F]*/ | head -1)
[ "$("$INS" blocks --json "$P" | jq -r '.precision_bits' | sort -u)" = 8 ] && pass "--precision-bits: blocks have PrecisionBits 8" || fail "--precision-bits"
check "--default-timestamp" "$IMP" -s "$TMP/dts" $R100 --default-timestamp 1700000000000 <(printf 'no_ts 1\nzero_ts 2 0\n')
[ "$("$INS" export "$TMP/dts" | jq -c '.timestamps' | sort -u)" = "[1700000000000]" ] && pass "--default-timestamp used for missing and 0 timestamps" || fail "--default-timestamp"

# ---- bad input: prometheus-text.md §12, line by line -----------------------------------------------
printf '%s\n' \
  'r01 1' 'r02{bar="baz"} 1 1700000000000' 'r03{bar="baz"} 1 1700000000' 'r04 1 2147483647' 'r04b 1 2147483648' \
  'r05 1 0' 'r06 1 -1' 'r07 1 1.5' 'r07b 1 1700000000.123' 'r08 1 1700000000000.9' 'r09 1 Inf' \
  'r10 1 +1700000000' 'r11 1 2 3' 'r12{a="b",} 1' 'r13{ } 1' 'r14 {a="b"} 1' 'r15{ a = "b" } 1' 'r16{a="b"}1' \
  '{__name__="foo"} 1' 'r18{__name__="bar18"} 1' 'r19{a="x\"y\\z\nw"} 1' 'r20{a="x\ty"} 1' 'r21{a="b\\"} 1' \
  'r22{a="b\"} 1' 'r23{a="x"y"} 1' 'r24{a="1",a="2"} 1' 'r25{a=""} 1' 'r26{="x"} 1' 'r27{a b="c"} 1' \
  'r28{,a="b"} 1' 'r29{a}b="c"} 1' 'r30{a="b" c="d"} 1' "r31{a='b'} 1" 'r32{"quoted"} 1' 'r33 bar{a="b"} 1' \
  'r34.bar-baz:qux/ü 1' 'r35# 1' 'r36 NaN' 'r37 -Inf' 'r38 0x1F' 'r39 +1' 'r40 -5.' 'r41 .5' 'r42 1e400' \
  'r43 12345678901234567890' 'r44 1 # comment' 'r45{a="b"} 1 2 # c' 'r46' 'r47{a="b"}' '   r48 1' \
  "$(printf 'r49\t1\t123')" "$(printf 'r50{a="b"} 1\r')" '# HELP foo x' 'r52_bucket{le="+Inf"} 3' \
  'r53 1 # {trace_id="abc"} 2 123' 'r54{a="b"} 1 # {trace_id="abc"} 2 123' 'r55 1 # {' 'r56{a="#"} 1' '' >"$TMP/bad.prom"
expect_exit 0 "bad lines are skipped: exit 0" "$IMP" -s "$TMP/bad" $R100 --default-timestamp 1600000000000 "$TMP/bad.prom"
grep -oE '^[^ ]*bad\.prom:[0-9]+:' "$TMP/stderr" | sed 's/.*bad\.prom://; s/://' | tr '\n' ' ' >"$TMP/badlines"
[ "$(cat "$TMP/badlines")" = "12 13 19 24 25 32 33 34 40 41 48 49 57 " ] && pass "bad lines reported as file:line" || fail "bad lines reported as file:line" "$(cat "$TMP/badlines") / $(head -3 "$TMP/stderr")"
grep -q 'bad.prom:24: .*missing closing quote\|bad.prom:24: .*closing' "$TMP/stderr" && pass "bad line message is VM's reason" || fail "bad line message" "$(grep 'bad.prom:24' "$TMP/stderr")"
grep -q '^tsdb-import: input: files=1 .* lines=59 skipped=2 bad=13$' "$TMP/stderr" && pass "bad lines counted in the summary" || fail "bad lines counted" "$(grep input: "$TMP/stderr")"
grep -q 'nan=1 too_old=2 too_new=1' "$TMP/stderr" && pass "NaN and impossible timestamps dropped" || fail "NaN and timestamps dropped" "$(grep samples: "$TMP/stderr")"
"$INS" export "$TMP/bad" >"$TMP/bad.jsonl"
python3 - "$TMP/bad.jsonl" >"$TMP/badcheck" 2>&1 <<'PY'
import json, sys
D = 1600000000000
got = {}
for line in open(sys.argv[1]):
    s = json.loads(line)
    m = dict(s["metric"]); name = m.pop("__name__", "")
    got[(name, tuple(sorted(m.items())))] = (s["values"], s["timestamps"])
want = {
    ("r01", ()): ([1], [D]), ("r02", (("bar", "baz"),)): ([1], [1700000000000]),
    ("r03", (("bar", "baz"),)): ([1], [1700000000000]),  # r04: 2147483647 s is 2038: too new
    ("r04b", ()): ([1], [2147483648]), ("r05", ()): ([1], [D]), ("r07", ()): ([1], [1500]),
    ("r07b", ()): ([1], [1700000000123]), ("r08", ()): ([1], [1700000000000]),
    ("r12", (("a", "b"),)): ([1], [D]), ("r13", ()): ([1], [D]), ("r14", (("a", "b"),)): ([1], [D]),
    ("r15", (("a", "b"),)): ([1], [D]), ("r16", (("a", "b"),)): ([1], [D]), ("bar18", ()): ([1], [D]),
    ("r19", (("a", 'x"y\\z\nw'),)): ([1], [D]), ("r20", (("a", "x\\ty"),)): ([1], [D]),
    ("r21", (("a", "b\\"),)): ([1], [D]), ("r24", (("a", "2"),)): ([1], [D]), ("r25", ()): ([1], [D]),
    ("r26", ()): ([1], [D]), ("r27", (("a b", "c"),)): ([1], [D]), ("r28", ((",a", "b"),)): ([1], [D]),
    ("r29", (("a}b", "c"),)): ([1], [D]), ("r33 bar", (("a", "b"),)): ([1], [D]),
    ("r34.bar-baz:qux/ü", ()): ([1], [D]), ("r35#", ()): ([1], [D]), ("r37", ()): (["-Infinity"], [D]),
    ("r40", ()): ([5], [D]), ("r41", ()): ([0.5], [D]), ("r42", ()): (["Infinity"], [D]),
    ("r43", ()): ([12345678901234567000], [D]), ("r44", ()): ([1], [D]), ("r45", (("a", "b"),)): ([1], [2000]),
    ("r48", ()): ([1], [D]), ("r49", ()): ([1], [123000]), ("r50", (("a", "b"),)): ([1], [D]),
    ("r52_bucket", (("le", "+Inf"),)): ([3], [D]), ("r53 1 #", (("trace_id", "abc"),)): ([2], [123000]),
    ("r54", (("a", "b"),)): ([1], [D]), ("r56", (("a", "#"),)): ([1], [D]),
}
bad = 0
for k, v in want.items():
    if got.get(k) != v:
        bad += 1; print("want", k, v, "got", got.get(k))
for k in got:
    if k not in want:
        bad += 1; print("unexpected", k, got[k])
print("ok" if bad == 0 else "%d differences" % bad)
PY
grep -qx ok "$TMP/badcheck" && pass "§12 table: stored series, values and timestamps as the server stores them" || fail "§12 table" "$(cat "$TMP/badcheck")"
expect_exit 1 "--strict: exit 1 at the first bad line" "$IMP" -s "$TMP/strict" $R100 --strict "$TMP/bad.prom"
grep -q 'bad.prom:12:' "$TMP/stderr" && ! grep -q 'bad.prom:13:' "$TMP/stderr" && grep -q 'nothing was written' "$TMP/stderr" \
  && pass "--strict: names the first bad line only" || fail "--strict message" "$(cat "$TMP/stderr")"
[ -z "$(ls "$TMP/strict/data/small" | grep -v snapshots)" ] && pass "--strict: nothing written" || fail "--strict: nothing written" "$(ls -R "$TMP/strict/data")"
# A value longer than 65535 bytes under a raised --max-label-value-len wraps its u16 length in the
# raw name (metricname-tsid.md §2.2), which then does not decode: vmstorage skips such a row, so the
# line is a bad line, reported by number; the other lines are imported.
{ printf 'ok_metric 1 1600000000000\nwide{v="'; head -c 70000 /dev/zero | tr '\0' 'v'; printf '"} 2 1600000000000\nok_metric 3 1600000000001\n'; } >"$TMP/wide.prom"
expect_exit 0 "a raw name that does not decode is a bad line: exit 0" "$IMP" -s "$TMP/wide" $R100 --max-label-value-len 100000 "$TMP/wide.prom"
grep -q 'wide.prom:2: .*does not decode' "$TMP/stderr" && grep -q 'samples: .*accepted=2' "$TMP/stderr" \
  && pass "a raw name that does not decode: line 2 reported, the other two rows kept" || fail "a raw name that does not decode" "$(head -c 600 "$TMP/stderr")"
head -c 300000 /dev/zero | tr '\0' 'a' >"$TMP/long.prom"; printf ' 1\n' >>"$TMP/long.prom"
expect_exit 2 "a missing input file: exit 2 (as in every tool)" "$IMP" -s "$TMP/missing" $R100 "$TMP/no-such-file.prom"
grep -q 'no-such-file.prom' "$TMP/stderr" && [ ! -e "$TMP/missing" ] && pass "a missing input file is named; DIR not created" || fail "a missing input file" "$(cat "$TMP/stderr")"
expect_exit 1 "a line over 256 KiB: exit 1" "$IMP" -s "$TMP/long" $R100 "$T/input/tenant-42-7.prom" "$TMP/long.prom"
grep -q 'long.prom' "$TMP/stderr" && pass "too long line names the file" || fail "too long line names the file" "$(cat "$TMP/stderr")"
[ -z "$(ls "$TMP/long/data/small" | grep -v snapshots)" ] && pass "input error: nothing written" || fail "input error: nothing written"
head -c 1000 "$TMP/t0.prom.gz" >"$TMP/trunc.gz"
expect_exit 1 "truncated gzip: exit 1" "$IMP" -s "$TMP/trunc" $R100 "$TMP/trunc.gz"

# ---- usage errors (exit 2) ---------------------------------------------------------------------------
expect_exit 2 "usage: missing -s" "$IMP" "$T/input/tenant-42-7.prom"
expect_exit 2 "usage: bad --tenant" "$IMP" -s "$TMP/u" --tenant x "$T/input/tenant-42-7.prom"
expect_exit 2 "usage: --extra-label without =" "$IMP" -s "$TMP/u" --extra-label foo "$T/input/tenant-42-7.prom"
grep -q 'name=value' "$TMP/stderr" && pass "usage: --extra-label message" || fail "usage: --extra-label message" "$(cat "$TMP/stderr")"
expect_exit 2 "usage: bad --mem-limit" "$IMP" -s "$TMP/u" --mem-limit lots "$T/input/tenant-42-7.prom"
expect_exit 2 "usage: --precision-bits 0" "$IMP" -s "$TMP/u" --precision-bits 0 "$T/input/tenant-42-7.prom"
expect_exit 2 "usage: bad --retention" "$IMP" -s "$TMP/u" --retention 1x "$T/input/tenant-42-7.prom"
expect_exit 2 "usage: --retention below a day" "$IMP" -s "$TMP/u" --retention 1h "$T/input/tenant-42-7.prom"
expect_exit 0 "--help" "$IMP" --help

# ---- a locked directory is refused (exit 3) ----------------------------------------------------------
mkdir -p "$TMP/locked" && : >"$TMP/locked/flock.lock"
flock -o "$TMP/locked/flock.lock" sleep 5 &
LOCK_PID=$!
for _ in $(seq 50); do flock -n "$TMP/locked/flock.lock" true 2>/dev/null || break; sleep 0.05; done
expect_exit 3 "locked directory: exit 3" "$IMP" -s "$TMP/locked" $R100 "$T/input/tenant-42-7.prom"
grep -q 'flock.lock' "$TMP/stderr" && grep -qi 'lock' "$TMP/stderr" && pass "locked directory: message names the lock" || fail "locked directory: message" "$(cat "$TMP/stderr")"
kill "$LOCK_PID" 2>/dev/null; wait "$LOCK_PID" 2>/dev/null
[ ! -e "$TMP/locked/data" ] && pass "locked directory: untouched" || fail "locked directory: untouched"

# ---- kill -9 at random moments: the old or the new content, always verifiable -----------------------
python3 "$FIX/../../bench/gen-prom.py" --series 3000 --points 40 --start-ms 1698800000000 --step-ms 15000 --seed 3 >"$TMP/big.prom"
"$IMP" -s "$TMP/base" $R100 "$T/input/tenant-0-0.prom" 2>/dev/null
cp -r "$TMP/base" "$TMP/full"
start=$(date +%s%N)
"$IMP" -s "$TMP/full" $R100 "$TMP/big.prom" 2>/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
"$INS" export --tenant 0:0 "$TMP/base" | LC_ALL=C sort >"$TMP/old.jsonl"
"$INS" export --tenant 0:0 "$TMP/full" | LC_ALL=C sort >"$TMP/new.jsonl"
# Delays drawn in advance (a python start-up inside the loop would outlast the import). Runs 6-10
# stretch each commit step by 150 ms (VMT_IMPORT_COMMIT_DELAY_MS) and aim at the commit.
read -r -a delays <<<"$(python3 -c "import random; print(' '.join(['%.3f' % random.uniform(0, $full_ms / 1000) for _ in range(5)] + ['%.3f' % random.uniform(max(0, $full_ms / 1000 - 0.1), $full_ms / 1000 + 0.6) for _ in range(5)]))")"
kills=0; olds=0; news=0; kbad=""
for i in $(seq 10); do
  rm -rf "$TMP/k" && cp -r "$TMP/base" "$TMP/k"
  delay=0; [ "$i" -gt 5 ] && delay=150
  VMT_IMPORT_COMMIT_DELAY_MS=$delay "$IMP" -s "$TMP/k" $R100 "$TMP/big.prom" 2>/dev/null &
  pid=$!
  sleep "${delays[$((i - 1))]}"
  kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null
  "$INS" verify "$TMP/k" >"$TMP/kv" 2>&1 || kbad="$kbad verify#$i($(grep -v '^note' "$TMP/kv" | head -2))"
  "$INS" export --tenant 0:0 "$TMP/k" | LC_ALL=C sort >"$TMP/k.jsonl"
  if cmp -s "$TMP/k.jsonl" "$TMP/old.jsonl"; then olds=$((olds + 1)); elif cmp -s "$TMP/k.jsonl" "$TMP/new.jsonl"; then news=$((news + 1)); else kbad="$kbad export#$i"; fi
done
[ -z "$kbad" ] && pass "kill -9 loop: verify clean, old ($olds) or new ($news) content after $kills kills" || fail "kill -9 loop" "$kbad"
# The next import cleans the leftovers of a killed one and works.
check "after kill -9: the next import runs" "$IMP" -s "$TMP/k" $R100 --tenant 42:7 "$T/input/tenant-42-7.prom"
[ -z "$(find "$TMP/k" -name 'tsdb-import.tmp.*')" ] && pass "after kill -9: temporary directories removed" || fail "after kill -9: temporary directories removed" "$(find "$TMP/k" -name 'tsdb-import.tmp.*')"
verify_clean "after kill -9: verify" "$TMP/k"

# ---- --mem-limit: early parts, same content -------------------------------------------------------------
check "--mem-limit 2MiB on 120k samples" "$IMP" -s "$TMP/ml" $R100 --mem-limit 2MiB "$TMP/big.prom"
grep -qE 'early_flushes=[1-9][0-9]* early_merges=[1-9]' "$TMP/stderr" && grep -qE 'partition 2023_11: .* parts=1 ' "$TMP/stderr" \
  && pass "--mem-limit: parts written early, then merged into one" || fail "--mem-limit: parts written early" "$(cat "$TMP/stderr")"
verify_clean "--mem-limit: verify" "$TMP/ml"
"$INS" export --tenant 0:0 "$TMP/ml" | LC_ALL=C sort >"$TMP/ml.jsonl"
"$IMP" -s "$TMP/ml2" $R100 "$TMP/big.prom" 2>/dev/null
"$INS" export --tenant 0:0 "$TMP/ml2" | LC_ALL=C sort >"$TMP/ml2.jsonl"
same_file "--mem-limit: same export as without" "$TMP/ml.jsonl" "$TMP/ml2.jsonl"

# The same input with the same seeds gives the same directory, byte for byte, whatever --mem-limit
# (issue: speed and memory): at 1MiB the import writes ~20 parts early and sorts its index items in
# runs; at 1GiB it writes one part and one in-memory index stream.
GENP="$FIX/../../bench/gen-prom.py"
python3 "$GENP" --series 5000 --points 20 --start-ms 1714521600000 --step-ms 15000 --seed 7 >"$TMP/ml.prom"
"$BIN/tsdb-import" -s "$TMP/ml-small" --retention 100y --metric-id-base 1000 --part-name-seed 5000 --mem-limit 1MiB \
  "$TMP/ml.prom" 2>"$TMP/ml-small.err" || fail "--mem-limit 1MiB import failed" "$(tail -3 "$TMP/ml-small.err")"
"$BIN/tsdb-import" -s "$TMP/ml-large" --retention 100y --metric-id-base 1000 --part-name-seed 5000 --mem-limit 1GiB \
  "$TMP/ml.prom" 2>"$TMP/ml-large.err" || fail "--mem-limit 1GiB import failed" "$(tail -3 "$TMP/ml-large.err")"
early=$(grep -o 'early_flushes=[0-9]*' "$TMP/ml-small.err" | cut -d= -f2)
runs=$(grep -o 'runs=[0-9]*' "$TMP/ml-small.err" | cut -d= -f2)
[ "${early:-0}" -gt 1 ] && [ "${runs:-0}" -gt 1 ] && pass "--mem-limit 1MiB wrote $early parts early and $runs index runs" \
  || fail "--mem-limit 1MiB: early_flushes=$early runs=$runs (the test needs both)"
if diff -r "$TMP/ml-small" "$TMP/ml-large" >"$TMP/ml.diff" 2>&1; then
  pass "the same directory, byte for byte, at --mem-limit 1MiB and 1GiB"
else
  fail "--mem-limit changes the directory" "$(head -c 400 "$TMP/ml.diff")"
fi

# More than 64 parts written early (merged in rounds of at most 64 into one part), and a month whose
# rows were all flushed early in one part (renamed as the single flush would have been): the same
# directory as without flushes. Both differed before (chunks of 15 merged like a force merge, several
# parts; an interim part name left in the directory).
python3 "$GENP" --series 2000 --points 400 --start-ms 1714521600000 --step-ms 15000 --seed 8 >"$TMP/rounds.prom"
python3 - "$TMP/twomonth.prom" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(3000):  # 2024-04-30, then three thousand series every 15 s of 2024-05-01
        f.write(f'm_a{{instance="host-{i:05d}",job="node",path="/a/long/label/value/{i}"}} {i} 1714435200000\n')
    for p in range(50):
        for i in range(3000):
            f.write(f'm_b{{instance="host-{i:05d}",job="node",path="/a/long/label/value/{i}"}} {i + p} {1714521600000 + p * 15000}\n')
PY
for case in rounds twomonth; do
  for lim in 1MiB 1GiB; do
    "$BIN/tsdb-import" -s "$TMP/$case-$lim" --retention 100y --metric-id-base 1000 --part-name-seed 77 --mem-limit $lim \
      "$TMP/$case.prom" 2>"$TMP/$case-$lim.err" || fail "$case: --mem-limit $lim import failed" "$(tail -3 "$TMP/$case-$lim.err")"
  done
  early=$(grep -o 'early_flushes=[0-9]*' "$TMP/$case-1MiB.err" | cut -d= -f2)
  if diff -r "$TMP/$case-1MiB" "$TMP/$case-1GiB" >"$TMP/$case.diff" 2>&1; then
    pass "$case: the same directory at --mem-limit 1MiB ($early parts written early) and 1GiB"
  else
    fail "$case: --mem-limit changes the directory" "$(head -c 400 "$TMP/$case.diff")"
  fi
done
[ "$(grep -o 'early_flushes=[0-9]*' "$TMP/rounds-1MiB.err" | cut -d= -f2)" -gt 64 ] && grep -qE 'partition 2024_05: .* parts=1 ' "$TMP/rounds-1MiB.err" \
  && pass "rounds: more than 64 early parts end as one part" || fail "rounds: early parts" "$(grep -E 'time:|partition' "$TMP/rounds-1MiB.err")"
grep -qE 'partition 2024_04: samples=3000 .* parts=1 ' "$TMP/twomonth-1MiB.err" \
  && pass "twomonth: the early-flushed month has one part" || fail "twomonth: parts" "$(grep partition "$TMP/twomonth-1MiB.err")"

# Series over their share of --mem-limit (half of it, at least 16 MiB) are spilled: settled, their
# samples and index items written, their names and TSIDs kept in sorted runs on disk, and looked up
# there when they come back (series_spill.h). 120k series twice over: the same directory as without a
# spill, for the generation and the per-partition layouts, and appending the same file again (every
# series found) too.
python3 "$GENP" --series 120000 --points 2 --start-ms 1714521600000 --step-ms 15000 --seed 9 >"$TMP/spill.prom"
for target in v1.93.7-cluster v1.148.0; do
  for lim in 1MiB 4GiB; do
    for pass in 1 2; do
      "$BIN/tsdb-import" -s "$TMP/spill-$target-$lim" --target "$target" --retention 100y --metric-id-base 1000 \
        --part-name-seed 99 --mem-limit $lim "$TMP/spill.prom" 2>"$TMP/spill-$lim-$pass.err" \
        || fail "$target: --mem-limit $lim import $pass failed" "$(tail -3 "$TMP/spill-$lim-$pass.err")"
    done
  done
  spills=$(grep -o 'series_spills=[0-9]*' "$TMP/spill-1MiB-1.err" | cut -d= -f2)
  [ "${spills:-0}" -ge 2 ] && [ "$(grep -o 'series_spills=[0-9]*' "$TMP/spill-4GiB-1.err")" = series_spills=0 ] \
    && grep -q 'series: total=120000 new=120000 ' "$TMP/spill-1MiB-1.err" && grep -q 'series: total=120000 new=0 curr=120000 ' "$TMP/spill-1MiB-2.err" \
    && pass "$target: 120k series spilled $spills times at --mem-limit 1MiB, none at 4GiB; each counted once" \
    || fail "$target: series spills" "$(grep -hE 'series:|time:' "$TMP"/spill-*.err)"
  if diff -r "$TMP/spill-$target-1MiB" "$TMP/spill-$target-4GiB" >"$TMP/spill.diff" 2>&1; then
    pass "$target: spilled series give the same directory, byte for byte (import and append)"
  else
    fail "$target: spilled series change the directory" "$(head -c 400 "$TMP/spill.diff")"
  fi
  verify_clean "$target: the spilled import verifies clean" "$TMP/spill-$target-1MiB"
done
rm -rf "$TMP"/spill-*

# A series indexed on other days only keeps its TSID on append (as a server with a warm tsid cache):
# one MetricID per series in the index, for both index layouts; a deleted one is not brought back.
printf 'od{a="1"} 1 1700000000000\nod{a="2"} 1 1700000000000\n' >"$TMP/od1.prom"
printf 'od{a="1"} 2 1702800000000\nod{a="3"} 2 1702800000000\n' >"$TMP/od2.prom"   # a month later
for target in v1.93.7-cluster v1.148.0; do
  D="$TMP/od-$target"
  "$BIN/tsdb-import" -s "$D" --target "$target" --retention 100y "$TMP/od1.prom" 2>/dev/null
  "$BIN/tsdb-import" -s "$D" --target "$target" --retention 100y --json "$TMP/od2.prom" >"$TMP/od.json" 2>/dev/null
  found=$(jq -r .series_found_other_day "$TMP/od.json")
  ids=$("$BIN/tsdb-inspect" index --ns 3 --json "$D" 2>/dev/null | jq -r '.metric_ids[]' | sort -u | wc -l)
  [ "$found" = 1 ] && [ "$ids" = 3 ] && pass "$target: a series indexed a month earlier keeps its MetricID (3 series, 3 MetricIDs)" \
    || fail "$target: other-day series" "found_other_day=$found, distinct MetricIDs in ns 3: $ids"
  verify_clean "$target: the appended directory verifies clean" "$D"
  "$BIN/tsdb-inspect" series --match '{__name__="od"}' --start 2023-12-17 --end 2023-12-18 "$D" 2>/dev/null | jq -c 'del(.vm_account_id, .vm_project_id)' | LC_ALL=C sort >"$TMP/od.series"
  printf '%s\n' '{"__name__":"od","a":"1"}' '{"__name__":"od","a":"3"}' >"$TMP/od.want"
  same_file "$target: /api/v1/series of the new day lists the reused series" "$TMP/od.series" "$TMP/od.want"
done
D="$TMP/od-del"
"$BIN/tsdb-import" -s "$D" --retention 100y "$TMP/od1.prom" 2>/dev/null
"$BIN/tsdb-merge" --delete '{a="1"}' "$D" >/dev/null 2>&1
"$BIN/tsdb-import" -s "$D" --retention 100y --json "$TMP/od2.prom" >"$TMP/od.json" 2>/dev/null
[ "$(jq -r .series_found_other_day "$TMP/od.json")" = 0 ] && [ "$(jq -r .series_new "$TMP/od.json")" = 2 ] \
  && pass "a deleted series is not brought back by name: a new MetricID" || fail "deleted series reused" "$(cat "$TMP/od.json")"
