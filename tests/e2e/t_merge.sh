# tsdb-merge: the server's own force merge of the node fixture reproduced (decoded blocks, metadata,
# export), --dry-run writes nothing, the policy and disk bounds, small/big destinations, dedup and
# retention with known survivors (inputs built with tsdb-import), partitions in parallel, the lock,
# usage errors. The kill -9 loop is t_merge_crash.sh.
M="$BIN/tsdb-merge"
I="$BIN/tsdb-inspect"
NODE="$FIX/node"
AFTER_PART="$NODE/storage-after-merge/data/small/2023_11/18EA24302710624C"

# Blocks of a part as JSON lines without offsets and sizes (zstd bytes are not normative), with
# ZSTD* marshal types folded into their plain twins (the zstd-vs-plain choice depends on the zstd
# build's compressed size, encoding.md §4.2).
blocks_norm() {
  "$I" blocks --rows --json "$1" | jq -c 'del(.timestamps_block_offset, .timestamps_block_size,
    .values_block_offset, .values_block_size) | .timestamps_marshal_type |= sub("^ZSTD"; "")
    | .values_marshal_type |= sub("^ZSTD"; "")'
}
tree_sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum; find . | LC_ALL=C sort); }
export_sorted() { "$I" export "$1" | LC_ALL=C sort; }
only_part() {  # DIR PARTITION -> the path of its single part (small or big)
  local pj="$1/data/small/$2/parts.json"
  local s b
  s=$(jq -r '.Small[]' "$pj"); b=$(jq -r '.Big[]' "$pj")
  if [ -n "$s" ]; then echo "$1/data/small/$2/$s"; else echo "$1/data/big/$2/$b"; fi
}

# ---- the fixture's force merge ----------------------------------------------------------------
D="$TMP/node"
fixture_copy node/storage-before-merge "$D"
expect_exit 0 "force merge of node/storage-before-merge" "$M" --force "$D"
if grep -q '^2023_11: merge (force) 3 parts, 20280 rows, 34507 bytes -> small part [0-9A-F]\{16\}: 20280 rows, 507 blocks' "$TMP/stdout" \
   && grep -q '^summary: 1 merges, 0 drops in 1 partitions/tables; parts 3 -> 1; rows 20280 -> 20280' "$TMP/stdout"; then
  pass "force merge output lines"; else fail "force merge output lines" "$(cat "$TMP/stdout")"; fi
if [ "$(jq -c '[(.Small | length), (.Big | length)]' "$D/data/small/2023_11/parts.json")" = "[1,0]" ]; then
  pass "one small part after the force merge, as the server's"; else fail "one small part" "$(cat "$D/data/small/2023_11/parts.json")"; fi
P=$(only_part "$D" 2023_11)
blocks_norm "$P" >"$TMP/got.blocks"
blocks_norm "$AFTER_PART" >"$TMP/want.blocks"
same_file "decoded blocks equal storage-after-merge's" "$TMP/got.blocks" "$TMP/want.blocks"
same_file "metadata.json equals storage-after-merge's" "$P/metadata.json" "$AFTER_PART/metadata.json"
export_sorted "$D" >"$TMP/export"
same_file "export after merge equals the server's export" "$TMP/export" "$NODE/export/tenant-0-0.jsonl"
expect_exit 0 "verify after merge" "$I" verify "$D"
if grep -q ': 0 problems$' "$TMP/stdout"; then pass "verify after merge: 0 problems"; else fail "verify after merge" "$(tail -3 "$TMP/stdout")"; fi
if [ -z "$(find "$D" -name '*.must-remove.*' -o -name 'tsdb-merge.tmp.*')" ] && [ "$(ls "$D/data/small/2023_11" | wc -l)" = 2 ]; then
  pass "sources removed, no leftovers"; else fail "sources removed" "$(ls -la "$D/data/small/2023_11")"; fi
# A second --force re-merges the single part (§10) into identical content.
expect_exit 0 "force merge of a single part" "$M" --force --json "$D"
if jq -se '.[0].type == "merge" and (.[0].inputs | length) == 1 and .[-1].type == "summary"' "$TMP/stdout" >/dev/null; then
  pass "--json lines"; else fail "--json lines" "$(cat "$TMP/stdout")"; fi
blocks_norm "$(only_part "$D" 2023_11)" >"$TMP/got2.blocks"
same_file "re-merged single part has the same blocks" "$TMP/got2.blocks" "$TMP/want.blocks"

# ---- --dry-run and the policy ------------------------------------------------------------------
D2="$TMP/dry"
fixture_copy node/storage-before-merge "$D2"
tree_sums "$D2" >"$TMP/sums.before"
expect_exit 0 "--dry-run --force --json" "$M" --dry-run --force --json "$D2"
if jq -se 'length == 2 and .[1].type == "plan_summary" and .[1].steps == 1 and .[0].type == "plan" and .[0].output == "small" and .[0].estimated_bytes == 34507
           and ([.[0].inputs[].rows] | add) == 20280' "$TMP/stdout" >/dev/null; then
  pass "dry-run plan: 3 parts -> small, 34507 bytes"; else fail "dry-run plan" "$(cat "$TMP/stdout")"; fi
expect_exit 0 "--dry-run text" "$M" --dry-run --force --indexdb "$D2"
if grep -q '^2023_11: merge (force) 3 parts, 20280 rows, 34507 bytes -> small part, estimated 34507 bytes$' "$TMP/stdout" \
   && [ "$(grep -c '^  small 18EA2430271062' "$TMP/stdout")" = 3 ]; then pass "dry-run text plan"; else fail "dry-run text plan" "$(cat "$TMP/stdout")"; fi
# Policy: 3 similar parts score 3 < 7.5, nothing to merge.
expect_exit 0 "policy pass on 3 parts" "$M" "$D2"
if grep -q '^summary: 0 merges, 0 drops' "$TMP/stdout"; then pass "policy: 3 parts are not merged"; else fail "policy 3 parts" "$(cat "$TMP/stdout")"; fi
rm -f "$D2/flock.lock"
tree_sums "$D2" >"$TMP/sums.after"
same_file "--dry-run and an empty policy pass change nothing" "$TMP/sums.before" "$TMP/sums.after"
# --max-disk below the parts' size: the force merge is skipped (exit 3), nothing changes.
expect_exit 3 "force merge skipped without disk space" "$M" --force --max-disk 1000 "$D2"
if grep -q 'force merge skipped' "$TMP/stderr"; then pass "skip warning"; else fail "skip warning" "$(cat "$TMP/stderr")"; fi
rm -f "$D2/flock.lock"
tree_sums "$D2" >"$TMP/sums.after"
same_file "skipped force merge changes nothing" "$TMP/sums.before" "$TMP/sums.after"
# Little free space makes the output big: maxSmallPartSize <= free/4 = 25000 < 34507.
expect_exit 0 "force merge into a big part" "$M" --force --max-disk 100000 "$D2"
if [ "$(jq -c '[(.Small | length), (.Big | length)]' "$D2/data/small/2023_11/parts.json")" = "[0,1]" ] && grep -q -- '-> big part' "$TMP/stdout"; then
  pass "output goes to data/big when the inputs exceed maxSmallPartSize"; else fail "big destination" "$(cat "$TMP/stdout")"; fi
export_sorted "$D2" >"$TMP/export2"
same_file "export after a big merge" "$TMP/export2" "$NODE/export/tenant-0-0.jsonl"
expect_exit 0 "verify after a big merge" "$I" verify "$D2"

# ---- dedup and retention with known survivors (inputs via tsdb-import) ------------------------
if [ -x "$BIN/tsdb-import" ]; then
  python3 - "$TMP" <<'PY'
import json, sys, time
tmp = sys.argv[1]
T0 = 1699574400000            # 2023-11-10T00:00:00Z
H = 3600000
def line(name, ts, v): return f'{name}{{job="t"}} {v} {ts}\n'
# dedup: series a and b, every 5 s for 10 minutes, split in two imports; duplicates at 120 s (file 2
# bigger) and 150 s (file 2 smaller) of series a.
f1, f2, rows = [], [], {"dd_a": [], "dd_b": []}
for k in range(120):
    ts = T0 + 5000 * k
    for name, v in (("dd_a", k * 1.5), ("dd_b", 1000 - k)):
        (f1 if k < 60 else f2).append(line(name, ts, v)); rows[name].append((ts, v))
for ts, v in ((T0 + 120000, 999.0), (T0 + 150000, -5.0)):
    f2.append(line("dd_a", ts, v)); rows["dd_a"].append((ts, v))
open(f"{tmp}/dd1.prom", "w").writelines(f1); open(f"{tmp}/dd2.prom", "w").writelines(f2)
d = 30000
want = {}
for name, rs in rows.items():
    b = {}
    for ts, v in rs:
        k = (ts + d - 1) // d
        if k not in b or ts > b[k][0] or (ts == b[k][0] and v > b[k][1]): b[k] = (ts, v)
    want[name] = sorted(b.values())
json.dump(want, open(f"{tmp}/dd.want.json", "w"))
# retention: deadline lands in [12:30, 13:30) of 2023-11-10 (computed by the shell as whole hours);
# no sample lies in [12:00, 14:00).
def rng(a, b, step=60000): return range(T0 + a * H, T0 + b * H, step)
r1 = [line("rt_a", t, 1) for t in rng(6, 12)] + [line("rt_b", t, 2) for t in rng(0, 6)] + \
     [line("rt_c", t, 3) for t in list(rng(6, 12)) + list(rng(14, 16))]
r2 = [line("rt_a", t, 4) for t in rng(14, 18)] + [line("rt_d", t, 5) for t in rng(14, 15)]
r3 = [line("rt_e", t, 6) for t in rng(0, 1)]
open(f"{tmp}/rt1.prom", "w").writelines(r1); open(f"{tmp}/rt2.prom", "w").writelines(r2)
open(f"{tmp}/rt3.prom", "w").writelines(r3)
want = {"rt_a": [t for t in rng(14, 18)], "rt_c": list(rng(6, 12)) + list(rng(14, 16)), "rt_d": list(rng(14, 15))}
json.dump(want, open(f"{tmp}/rt.want.json", "w"))
PY
  DD="$TMP/dedup"
  for f in dd1 dd2; do "$BIN/tsdb-import" -s "$DD" --retention 100y "$TMP/$f.prom" >/dev/null 2>&1 || fail "import $f"; done
  expect_exit 0 "force merge with --dedup-interval 30s" "$M" --force --dedup-interval 30s "$DD"
  "$I" export "$DD" >"$TMP/dd.export"
  if python3 - "$TMP/dd.export" "$TMP/dd.want.json" <<'PY'
import json, sys
got = {}
for l in open(sys.argv[1]):
    s = json.loads(l); got[s["metric"]["__name__"]] = [list(p) for p in zip(s["timestamps"], s["values"])]
want = {k: [list(p) for p in v] for k, v in json.load(open(sys.argv[2])).items()}
sys.exit(0 if got == want else print("got", got, "\nwant", want) or 1)
PY
  then pass "dedup keeps the latest sample per 30 s, the max value on equal timestamps"; else fail "dedup survivors"; fi
  P=$(only_part "$DD" 2023_11)
  if jq -e '.MinDedupInterval == 30000' "$P/metadata.json" >/dev/null; then pass "MinDedupInterval recorded"; else fail "MinDedupInterval" "$(cat "$P/metadata.json")"; fi
  # --final: nothing to do once every part has MinDedupInterval >= the interval.
  expect_exit 0 "--final after dedup" "$M" --final --dedup-interval 30s --json "$DD"
  if jq -se '.[-1].merges == 0' "$TMP/stdout" >/dev/null; then pass "--final skips a deduplicated partition"; else fail "--final skip" "$(cat "$TMP/stdout")"; fi
  expect_exit 0 "--final with a larger interval" "$M" --final --dedup-interval 1m --json "$DD"
  if jq -se '.[0].reason == "final-dedup" and .[-1].merges == 1' "$TMP/stdout" >/dev/null; then pass "--final merges a partition with a smaller MinDedupInterval"; else fail "--final merge" "$(cat "$TMP/stdout")"; fi

  RT="$TMP/retention"
  for f in rt1 rt2 rt3; do "$BIN/tsdb-import" -s "$RT" --retention 100y "$TMP/$f.prom" >/dev/null 2>&1 || fail "import $f"; done
  hours=$(( ( $(date +%s) * 1000 - 1699619400000 ) / 3600000 ))   # now - 2023-11-10T12:30Z, whole hours
  expect_exit 0 "force merge with --retention" "$M" --force --retention "${hours}h" --json "$RT"
  if jq -se '(map(select(.type == "drop")) | length) == 1 and .[-1].dropped_retention > 0' "$TMP/stdout" >/dev/null; then
    pass "a part entirely out of retention is dropped"; else fail "retention drop" "$(cat "$TMP/stdout")"; fi
  "$I" export "$RT" >"$TMP/rt.export"
  if python3 - "$TMP/rt.export" "$TMP/rt.want.json" <<'PY'
import json, sys
got = {}
for l in open(sys.argv[1]):
    s = json.loads(l); got[s["metric"]["__name__"]] = s["timestamps"]
want = json.load(open(sys.argv[2]))
sys.exit(0 if got == want else print("got", {k: (len(v), v[:2]) for k, v in got.items()}, "\nwant", {k: (len(v), v[:2]) for k, v in want.items()}) or 1)
PY
  then pass "retention: old blocks and merged rows dropped, a verbatim block keeps its rows"; else fail "retention survivors"; fi
  expect_exit 0 "verify after retention" "$I" verify "$RT"

  # Partitions in parallel: data in two months, --jobs 2.
  JB="$TMP/jobs"
  for k in 0 1 2; do
    python3 "$FIX/../../bench/gen-prom.py" --series 50 --points 20 --start-ms $((1701388200000 + k * 1200000)) \
      --step-ms 60000 --seed 1 >"$TMP/j$k.prom"
    "$BIN/tsdb-import" -s "$JB" --retention 100y "$TMP/j$k.prom" >/dev/null 2>&1 || fail "import j$k"
  done
  export_sorted "$JB" >"$TMP/jb.before"
  expect_exit 0 "force merge --jobs 2 over two partitions" "$M" --force --jobs 2 --indexdb "$JB"
  if [ "$(grep -c '^2023_1[12]: merge (force)' "$TMP/stdout")" = 2 ] && grep -q '^indexdb/' "$TMP/stdout"; then
    pass "both partitions and the indexdb merged"; else fail "jobs merges" "$(cat "$TMP/stdout")"; fi
  export_sorted "$JB" >"$TMP/jb.after"
  same_file "export unchanged by merging partitions in parallel" "$TMP/jb.before" "$TMP/jb.after"
  expect_exit 0 "verify after --jobs 2" "$I" verify "$JB"
else
  fail "tsdb-import is not built: dedup/retention e2e cases need it"
fi

# ---- lock, usage ---------------------------------------------------------------------------------
D3="$TMP/locked"
fixture_copy node/storage-before-merge "$D3"
flock "$D3/flock.lock" sleep 5 &
locker=$!
sleep 0.3
expect_exit 3 "a held flock.lock is exit 3" "$M" --force "$D3"
if grep -q 'locked' "$TMP/stderr"; then pass "lock message"; else fail "lock message" "$(cat "$TMP/stderr")"; fi
kill "$locker" 2>/dev/null; wait "$locker" 2>/dev/null
expect_exit 2 "--final needs --dedup-interval" "$M" --final "$D3"
expect_exit 2 "--force and --final exclude each other" "$M" --force --final --dedup-interval 1m "$D3"
expect_exit 2 "--retention below one day" "$M" --retention 2h "$D3"
expect_exit 2 "bad --max-disk" "$M" --max-disk lots "$D3"
expect_exit 2 "no DIR" "$M"
expect_exit 2 "missing DIR" "$M" "$TMP/nope"

# -q: nothing on stdout, the merge still done (issue: operator-grade, item 16).
cp -r "$SHARED/vm-single-1.93/node/storage-before-merge" "$TMP/quiet"
"$BIN/tsdb-merge" -q --force "$TMP/quiet" >"$TMP/quiet.out" 2>"$TMP/quiet.err"
qcode=$?
qparts=$("$BIN/tsdb-inspect" parts --json "$TMP/quiet" 2>/dev/null | grep -c '"kind":"small"\|"kind":"big"')
[ "$qcode" = 0 ] && [ ! -s "$TMP/quiet.out" ] && [ "$qparts" = 1 ] && pass "tsdb-merge -q: silent on stdout, exit 0, partition merged" ||
  fail "tsdb-merge -q" "exit $qcode, stdout $(head -c 200 "$TMP/quiet.out"), data parts $qparts"

# ---- retention trimming overlapping blocks (tests/fixtures/vm-cluster-1.93-merge-retention) -------
# A real v1.93.7-cluster force merge with -retentionPeriod=1d whose deadline cut the first rows of
# three overlapping blocks of one series: its second block starts before its first. tsdb-merge at
# the server's time (--now) writes the same decoded blocks, says so, and both parts read back with
# verify's warning (a problem only with --strict).
MR="$LOCAL/vm-cluster-1.93-merge-retention"
R="$TMP/mret"
cp -r "$MR/storage-before-merge" "$R"
expect_exit 0 "merge with retention: exit 0" "$M" --force --json --retention 1d --now "$(cat "$MR/input/now.txt")" "$R"
if jq -se 'map(select(.type == "merge")) | length == 1 and (.[0] | .blocks_out_of_order == 1 and
     .dropped_retention == 3 and .rows_out == 8194)' "$TMP/stdout" >/dev/null; then
  pass "merge with retention: 3 rows dropped, 1 block out of order, as the server's part"
else
  fail "merge with retention: step" "$(head -c 600 "$TMP/stdout")"
fi
SP=$(only_part "$MR/storage-after-merge" 2026_12)
blocks_norm "$(only_part "$R" 2026_12)" >"$TMP/mret.got"
blocks_norm "$SP" >"$TMP/mret.want"
same_file "merge with retention: decoded blocks equal the real server's" "$TMP/mret.got" "$TMP/mret.want"
if [ "$(jq -s '[.[0].min_timestamp > .[1].min_timestamp, length] | tostring' "$TMP/mret.want")" = '"[true,2]"' ]; then
  pass "the server's merged part: its second block starts before its first"
else
  fail "the server's merged part shape" "$(cat "$TMP/mret.want" | head -c 300)"
fi
for d in "$MR/storage-after-merge" "$R"; do
  expect_exit 0 "verify $(basename "$d"): a warning, exit 0" "$BIN/tsdb-inspect" verify "$d"
  grep -q 'warning: .*MinTimestamp=[0-9]* is smaller than MinTimestamp=[0-9]* of the previous block of the same series' \
    "$TMP/stdout" && pass "verify $(basename "$d"): names the block" || fail "verify $(basename "$d") warning" "$(head -c 400 "$TMP/stdout")"
  expect_exit 1 "verify --strict $(basename "$d"): a problem" "$BIN/tsdb-inspect" verify --strict "$d"
done
export_same "export of the server's merged part equals ours" "$MR/storage-after-merge" "" \
  <("$BIN/tsdb-inspect" export "$R" | LC_ALL=C sort)
