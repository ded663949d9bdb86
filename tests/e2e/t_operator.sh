# Operator-grade rules (issue 10): a directory that is not a storage directory is a usage error in
# every tool; a directory a running server holds is read with a warning.
I="$BIN/tsdb-inspect"
mkdir -p "$TMP/notstorage/sub" && echo hello >"$TMP/notstorage/file.txt"
for sub in parts export verify dates index; do
  expect_exit 2 "$sub on a directory that is not a storage directory" "$I" $sub "$TMP/notstorage"
  grep -q 'not a VictoriaMetrics storage directory' "$TMP/stderr" && pass "$sub: says why" || fail "$sub: says why" "$(cat "$TMP/stderr")"
done
expect_exit 2 "merge on a directory that is not a storage directory" "$BIN/tsdb-merge" --dry-run "$TMP/notstorage"
expect_exit 2 "import refuses a non-empty directory that is not a storage directory" \
  "$BIN/tsdb-import" -s "$TMP/notstorage" --retention 100y "$FIX/tiny/input/tenant-0-0.prom"
[ ! -e "$TMP/notstorage/data" ] && [ ! -e "$TMP/notstorage/flock.lock" ] && pass "import: nothing created there" || fail "import: created files"
mkdir -p "$TMP/empty"
check "import into an empty directory" "$BIN/tsdb-import" -s "$TMP/empty" --retention 100y "$FIX/tiny/input/tenant-0-0.prom"

# A held flock.lock: reading works, with a warning naming the lock.
fixture_copy tiny/storage "$TMP/held"
flock -o "$TMP/held/flock.lock" sleep 5 &
holder=$!
for _ in $(seq 50); do flock -n "$TMP/held/flock.lock" true 2>/dev/null || break; sleep 0.05; done
expect_exit 0 "export of a locked directory" "$I" export "$TMP/held"
grep -q 'flock.lock is held' "$TMP/stderr" && pass "export warns that a server holds the directory" || fail "lock warning" "$(cat "$TMP/stderr")"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
expect_exit 0 "export of the released directory" "$I" export "$TMP/held"
[ ! -s "$TMP/stderr" ] && pass "no warning once released" || fail "no warning once released" "$(cat "$TMP/stderr")"

# JSON: 64-bit IDs are strings, so jq keeps them apart (as numbers, jq rounds them to doubles).
"$I" index --json --ns 2 "$FIX/node/storage-after-merge" >"$TMP/ns2.json"
n_jq=$(jq -r '.metric_ids[0]' "$TMP/ns2.json" | sort -u | wc -l)
n_lines=$(wc -l <"$TMP/ns2.json")
if [ "$n_jq" = "$n_lines" ] && [ "$n_lines" -gt 100 ] && jq -e '(.metric_ids[0] | type) == "string" and (.tsid.metric_group_id | type) == "string"' "$TMP/ns2.json" >/dev/null; then
  pass "index --json: $n_lines MetricIDs stay distinct through jq (strings)"; else fail "index --json IDs" "$n_jq distinct of $n_lines"; fi
P=$(ls -d "$FIX"/node/storage-after-merge/data/small/2023_11/*/ | head -1)
"$I" blocks --json "$P" | jq -e '(.tsid.metric_id | type) == "string"' >/dev/null && pass "blocks --json: metric_id is a string" || fail "blocks --json: metric_id type"
"$I" dates --json --ids "$FIX/tiny/storage" | jq -e '(.metric_ids[0] | type) == "string"' >/dev/null && pass "dates --json --ids: strings" || fail "dates --json: id type"

# The server's flag spellings: its own names are aliases; other single-dash long flags and
# "-s=dir" are usage errors that create nothing.
check "import -storageDataPath=DIR -retentionPeriod=100y" "$BIN/tsdb-import" -storageDataPath="$TMP/vmstyle" -retentionPeriod=100y "$FIX/tiny/input/tenant-0-0.prom"
[ -d "$TMP/vmstyle/data" ] && pass "-storageDataPath= names the directory" || fail "-storageDataPath=" "$(ls "$TMP")"
expect_exit 0 "merge -storageDataPath DIR" "$BIN/tsdb-merge" --dry-run -storageDataPath "$TMP/vmstyle"
( cd "$TMP" && "$BIN/tsdb-import" -s="$TMP/eqdir" "$FIX/tiny/input/tenant-0-0.prom" >/dev/null 2>"$TMP/eq.err"; echo $? >"$TMP/eq.rc" )
[ "$(cat "$TMP/eq.rc")" = 2 ] && grep -q 'write -s ' "$TMP/eq.err" && [ -z "$(ls -d "$TMP"/=* "$TMP/eqdir" 2>/dev/null)" ] \
  && pass "-s=dir refused, nothing created" || fail "-s=dir" "rc $(cat "$TMP/eq.rc"): $(cat "$TMP/eq.err")"
expect_exit 2 "unknown single-dash long flag" "$BIN/tsdb-import" -storageDataPat="$TMP/typo" "$FIX/tiny/input/tenant-0-0.prom"
grep -q 'two dashes' "$TMP/stderr" && [ ! -e "$TMP/typo" ] && pass "says to use two dashes" || fail "two dashes" "$(cat "$TMP/stderr")"

# Labels past --max-labels-per-timeseries are dropped as vminsert drops them, and said so.
{ printf 'm{'; for k in $(seq 10 44); do printf 'l%d="v",' "$k"; done; printf 'z="a"} 1 1700000000000\n'
  printf 'm{'; for k in $(seq 10 44); do printf 'l%d="v",' "$k"; done; printf 'z="b"} 2 1700000000000\n'; } >"$TMP/labels.prom"
check "import: 36 labels, default limit" "$BIN/tsdb-import" -s "$TMP/lab30" --retention 100y "$TMP/labels.prom"
grep -q 'series: total=1 ' "$TMP/stderr" && grep -q 'warning: 2 rows had labels past --max-labels-per-timeseries=30' "$TMP/stderr" \
  && pass "import: labels past 30 dropped, with a warning" || fail "import: label warning" "$(cat "$TMP/stderr")"
check "import: --max-labels-per-timeseries 40" "$BIN/tsdb-import" -s "$TMP/lab40" --retention 100y --max-labels-per-timeseries 40 "$TMP/labels.prom"
grep -q 'series: total=2 ' "$TMP/stderr" && ! grep -q warning "$TMP/stderr" && pass "import: raised limit keeps the series apart" || fail "import: raised limit" "$(cat "$TMP/stderr")"

# tsdb-route --out-dir: a non-empty directory is refused (an earlier run's files would be imported
# again); --force clears our own node-* files first.
R="$BIN/tsdb-route"
check "route into an empty directory" "$R" --storage-node a:8400,b:8400 --out-dir "$TMP/shards" "$FIX/tiny/input/tenant-0-0.prom"
expect_exit 2 "route into the same directory again: refused" "$R" --storage-node a:8400,b:8400 --out-dir "$TMP/shards" "$FIX/tiny/input/tenant-0-0.prom"
grep -q 'is not empty' "$TMP/stderr" && pass "route: says the directory is not empty" || fail "route: non-empty message" "$(cat "$TMP/stderr")"
check "route --force into it" "$R" --force --storage-node a:8400 --out-dir "$TMP/shards" "$FIX/tiny/input/tenant-0-0.prom"
[ "$(ls "$TMP/shards" | wc -l)" = 1 ] && pass "route --force: only this run's file is left" || fail "route --force" "$(ls "$TMP/shards")"

# tsdb-import: nothing imported from an input with lines is exit 1; an empty input is exit 0.
printf 'garbage line one\n{{{ not prometheus\n' >"$TMP/bad.prom"
expect_exit 1 "import of nothing but bad lines: exit 1" "$BIN/tsdb-import" -s "$TMP/badimp" --retention 100y "$TMP/bad.prom"
grep -q 'nothing was imported: no line could be parsed' "$TMP/stderr" && pass "bad lines: says nothing was imported" || fail "bad lines message" "$(cat "$TMP/stderr")"
: >"$TMP/empty.prom"
expect_exit 0 "import of an empty input: exit 0" "$BIN/tsdb-import" -s "$TMP/emptyimp" --retention 100y "$TMP/empty.prom"
grep -q 'nothing to import' "$TMP/stderr" && pass "empty input: a note" || fail "empty input note" "$(cat "$TMP/stderr")"
python3 -c 'import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)' "$BIN/tsdb-import" -s "$TMP/tty" >"$TMP/tty.out" 2>&1 </dev/null
if grep -q 'stdin is a terminal' "$TMP/tty.out" && [ ! -e "$TMP/tty" ]; then pass "import refuses a terminal as stdin"; else fail "tty stdin" "$(cat "$TMP/tty.out")"; fi

# tsdb-merge --dry-run says when there is nothing to merge; index steps count items, not rows.
fixture_copy node/storage-after-merge "$TMP/nomerge"
expect_exit 0 "merge --dry-run with nothing to do" "$BIN/tsdb-merge" --dry-run "$TMP/nomerge"
grep -q '^plan: nothing to merge in ' "$TMP/stdout" && pass "merge --dry-run: says nothing to merge" || fail "nothing to merge" "$(cat "$TMP/stdout")"
expect_exit 0 "merge --force --indexdb --json" "$BIN/tsdb-merge" --force --indexdb --json "$TMP/nomerge"
jq -se '[.[] | select(.type == "merge" and (.table | startswith("indexdb/")))] | length > 0 and all(has("items_in") and (has("rows_in") | not) and (.inputs[0] | has("items")))' "$TMP/stdout" >/dev/null \
  && pass "merge --json: index steps say items" || fail "index steps items" "$(cat "$TMP/stdout")"

# Errors that help (issue 10 item 18).
expect_exit 2 "blocks on a storage directory" "$I" blocks "$FIX/tiny/storage"
grep -q 'is a storage directory; metaindex and blocks take one part directory' "$TMP/stderr" && pass "blocks: says what it expected" || fail "blocks message" "$(cat "$TMP/stderr")"
expect_exit 2 "metaindex on a partition directory" "$I" metaindex "$FIX/tiny/storage/data/small/2023_10"
grep -q 'not a part directory' "$TMP/stderr" && pass "metaindex: says it is not a part" || fail "metaindex message" "$(cat "$TMP/stderr")"
expect_exit 2 "unknown command" "$I" bogus "$FIX/tiny/storage"
grep -q '^commands: parts metaindex blocks index dates export verify' "$TMP/stderr" && pass "unknown command: lists the commands" || fail "command list" "$(cat "$TMP/stderr")"
expect_exit 2 "index --ns with a bad name" "$I" index --ns foo "$FIX/tiny/storage"
grep -q '5 date->metricID' "$TMP/stderr" && pass "--ns: lists the names" || fail "--ns names" "$(cat "$TMP/stderr")"

# Times as the server reads them: a number from 2^32 on is milliseconds (issue 10 item 10).
"$I" export --start 1698800000 "$FIX/tiny/storage" >"$TMP/t-s.jsonl"
"$I" export --start 1698800000000 "$FIX/tiny/storage" >"$TMP/t-ms.jsonl"
"$I" export "$FIX/tiny/storage" >"$TMP/t-all.jsonl"
if [ -s "$TMP/t-s.jsonl" ] && cmp -s "$TMP/t-s.jsonl" "$TMP/t-ms.jsonl" && ! cmp -s "$TMP/t-s.jsonl" "$TMP/t-all.jsonl"; then
  pass "export --start: seconds and milliseconds name the same instant"; else fail "export --start ms"; fi
check "import --default-timestamp in seconds" "$BIN/tsdb-import" -s "$TMP/dts" --retention 100y --default-timestamp 1700000000 <(echo 'no_ts_metric 1')
"$I" export "$TMP/dts" | grep -q '"timestamps":\[1700000000000\]' && pass "--default-timestamp 1700000000 is seconds" || fail "--default-timestamp seconds" "$("$I" export "$TMP/dts")"

# export --format prom | tsdb-import keeps every stored value exactly, round after round (issue 10
# item 2): 40 values per series (blocks with a common scale), of one magnitude per series or mixed
# over 50 orders of magnitude (blocks whose scale was raised, truncating mantissas), and edge values.
python3 - "$TMP/rt0.prom" <<'PY'
import random, sys
random.seed(7)
edge = [0.1, 0.2, 0.30000000000000004, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 123456789012345678,
        0.000123456789, 9.590218786709123e-12, 1/3, 2/3, 1e15 + 0.3, -2.5e-7]
with open(sys.argv[1], "w") as f:
    for s in range(200):
        k = random.randint(-20, 20)
        for j in range(40):
            if s < 120:
                v = random.uniform(-1, 1) * 10 ** (k + random.randint(0, 2))
            else:
                v = random.uniform(-1e6, 1e6) if random.random() < 0.5 else random.random() * 10 ** random.randint(-25, 25)
            f.write('rt{s="%d"} %r %d\n' % (s, v, 1700000000000 + j * 15000))
    for i, v in enumerate(edge):
        f.write('rt_edge{i="%d"} %r 1700000000000\n' % (i, v))
PY
blocks_of() { for p in "$1"/data/small/*/[0-9A-F]*/; do "$I" blocks --rows --json "$p" | jq -c '[.tsid.metric_group_id, .timestamps, .mantissas, .scale]'; done | sort; }
prev="$TMP/rt0.prom"
for round in 1 2 3; do
  "$BIN/tsdb-import" -s "$TMP/rt$round" --retention 100y --metric-id-base 1000 "$prev" 2>/dev/null
  "$I" export --format prom "$TMP/rt$round" >"$TMP/rt$round.prom"
  blocks_of "$TMP/rt$round" >"$TMP/rt$round.blocks"
  prev="$TMP/rt$round.prom"
done
# One block per series of the generated input (each has fewer than 8192 samples).
rt_series=$(cut -d' ' -f1 "$TMP/rt0.prom" | sort -u | wc -l); rt_values=$(wc -l <"$TMP/rt0.prom")
rt_stored=$(jq -s 'map(.[1] | length) | add' "$TMP/rt1.blocks")
if [ "$(wc -l <"$TMP/rt1.blocks")" = "$rt_series" ] && [ "$rt_stored" = "$rt_values" ] && cmp -s "$TMP/rt1.blocks" "$TMP/rt2.blocks" && cmp -s "$TMP/rt2.blocks" "$TMP/rt3.blocks" && cmp -s "$TMP/rt1.prom" "$TMP/rt3.prom"; then
  pass "export --format prom | import: $rt_values stored values in $rt_series blocks unchanged over 3 rounds"
else fail "prom round trip" "$(wc -l <"$TMP/rt1.blocks") blocks; $(diff "$TMP/rt1.blocks" "$TMP/rt2.blocks" | head -3)"; fi

# tsdb-import --json: one summary object on stdout, as the man page's jq recipe reads it; -q: none.
"$BIN/tsdb-import" -s "$TMP/jsonsum" --retention 100y --json "$FIX/tiny/input/tenant-0-0.prom" >"$TMP/sum.json" 2>"$TMP/sum.err"
# The samples the real server kept of the same input (its export: the plain NaN is dropped at
# ingestion), and the UTC months of the input's timestamps.
in_samples=$(jq -s 'map(.timestamps | length) | add' "$FIX/tiny/export/tenant-0-0.jsonl")
in_months=$(grep -v '^#\|^$' "$FIX/tiny/input/tenant-0-0.prom" | awk '{ print int($NF / 1000) }' | sort -u |
  while read -r s; do date -u -d "@$s" +%Y_%m; done | sort -u | paste -sd,)
if [ "$(jq .samples_accepted "$TMP/sum.json")" = "$in_samples" ] && [ "$(jq -r '.partitions | map(.name) | join(",")' "$TMP/sum.json")" = "$in_months" ] \
   && jq -e '.first_metric_id | type == "string"' "$TMP/sum.json" >/dev/null && ! grep -q 'samples:' "$TMP/sum.err"; then
  pass "import --json: one summary object ($in_samples samples, partitions $in_months)"; else fail "import --json" "$(cat "$TMP/sum.json" "$TMP/sum.err")"; fi
"$BIN/tsdb-import" -s "$TMP/quiet" --retention 100y -q "$FIX/tiny/input/tenant-0-0.prom" >"$TMP/q.out" 2>"$TMP/q.err"
[ ! -s "$TMP/q.out" ] && [ ! -s "$TMP/q.err" ] && pass "import -q: silent" || fail "import -q" "$(cat "$TMP/q.out" "$TMP/q.err")"

# Left-over temporary files of an interrupted write: verify notes them, the next writer removes them.
fixture_copy tiny/storage "$TMP/tmpleft"
echo '{}' >"$TMP/tmpleft/data/small/2023_10/parts.json.tmp.77"
expect_exit 0 "verify with a left-over parts.json.tmp" "$I" verify "$TMP/tmpleft"
grep -q 'parts.json.tmp.77: temporary file of an interrupted write' "$TMP/stdout" && pass "verify notes the temporary file" || fail "verify tmp note" "$(cat "$TMP/stdout")"
check "merge after an interrupted write" "$BIN/tsdb-merge" --force "$TMP/tmpleft"
[ ! -e "$TMP/tmpleft/data/small/2023_10/parts.json.tmp.77" ] && pass "the next writer removed it" || fail "tmp file left"

# SIGINT: before the commit nothing is written; during the commit, the commit is completed
# (issue 10 item 4).
mkfifo "$TMP/in.fifo"
"$BIN/tsdb-import" -s "$TMP/int1" --retention 100y - <"$TMP/in.fifo" >"$TMP/int1.out" 2>"$TMP/int1.err" &
imp=$!
exec 7>"$TMP/in.fifo"
head -50 "$FIX/tiny/input/tenant-0-0.prom" >&7
sleep 0.5
kill -INT "$imp" 2>/dev/null
sleep 0.2
tail -n +51 "$FIX/tiny/input/tenant-0-0.prom" >&7
exec 7>&-
wait "$imp"; rc=$?
if [ "$rc" != 0 ] && grep -q 'interrupted (SIGINT or SIGTERM) before the commit: nothing was written' "$TMP/int1.err" \
   && [ -z "$(ls "$TMP"/int1/data/small/*/ 2>/dev/null | grep -v parts.json)" ]; then
  pass "SIGINT before the commit: exit non-zero, nothing written"; else fail "SIGINT before commit" "rc $rc: $(cat "$TMP/int1.err")"; fi
VMT_IMPORT_COMMIT_DELAY_MS=1500 "$BIN/tsdb-import" -s "$TMP/int2" --retention 100y "$FIX/tiny/input/tenant-0-0.prom" >"$TMP/int2.out" 2>"$TMP/int2.err" &
imp=$!
sleep 2
kill -INT "$imp" 2>/dev/null
wait "$imp"; rc=$?
if [ "$rc" = 0 ] && grep -q 'interrupted during the commit: the commit was completed' "$TMP/int2.err"; then
  pass "SIGINT during the commit: the commit completes"; else fail "SIGINT during commit" "rc $rc: $(cat "$TMP/int2.err")"; fi
export_same "SIGINT during the commit: every sample there" "$TMP/int2" 0:0 "$FIX/tiny/export/tenant-0-0.jsonl"

# Bad input, the same rules in tsdb-import and tsdb-route (issue 10 items 7 and 17): binary input is
# refused at its first NUL byte, compressed or not; a line that is all bad means nothing was done
# (exit 1); bad-line messages quote the line escaped and capped.
printf 'up{job="a"} 1 1700000000000\n\x01\x02\x00garbage\n' >"$TMP/nul.prom"
gzip -c "$TMP/nul.prom" >"$TMP/nul.prom.gz"
for f in nul.prom nul.prom.gz; do
  expect_exit 1 "binary input refused by tsdb-import ($f)" "$BIN/tsdb-import" -s "$TMP/bin-$f" --retention 100y "$TMP/$f"
  grep -q "$f: offset 30: byte 0x00: this is binary data, not text" "$TMP/stderr" \
    && pass "tsdb-import names the offset of the NUL ($f)" || fail "tsdb-import binary message ($f)" "$(head -c 300 "$TMP/stderr")"
  expect_exit 1 "binary input refused by tsdb-route ($f)" "$BIN/tsdb-route" --storage-node a:1,b:2 --out-dir "$TMP/rb-$f" "$TMP/$f"
  grep -q "$f: offset 30: byte 0x00" "$TMP/stderr" && pass "tsdb-route names the offset of the NUL ($f)" \
    || fail "tsdb-route binary message ($f)" "$(head -c 300 "$TMP/stderr")"
done
printf 'a{b="\xff\xfe 1\n' >"$TMP/allbad.prom"
expect_exit 1 "tsdb-route: every line bad, nothing routed: exit 1" "$BIN/tsdb-route" --storage-node a:1,b:2 --out-dir "$TMP/rab" "$TMP/allbad.prom"
grep -q 'nothing was routed' "$TMP/stderr" && grep -qF '"\"\xff\xfe 1"' "$TMP/stderr" \
  && pass "tsdb-route: the bad line is quoted with invalid UTF-8 escaped" || fail "tsdb-route bad-line text" "$(head -c 300 "$TMP/stderr")"
expect_exit 1 "tsdb-import: every line bad, nothing imported: exit 1" "$BIN/tsdb-import" -s "$TMP/iab" --retention 100y "$TMP/allbad.prom"
grep -qF 'allbad.prom:1: cannot unmarshal tags: missing closing quote for tag value "\"\xff\xfe 1"' "$TMP/stderr" \
  && pass "tsdb-import: the bad line is quoted with invalid UTF-8 escaped" || fail "tsdb-import bad-line text" "$(head -c 300 "$TMP/stderr")"
python3 -c "print('x{a=\"' + 'v' * 5000)" >"$TMP/long.prom"
expect_exit 1 "tsdb-import: a 5000-byte bad line" "$BIN/tsdb-import" -s "$TMP/ilong" --retention 100y "$TMP/long.prom"
n=$(grep 'long.prom:1:' "$TMP/stderr" | wc -c)
[ "$n" -lt 700 ] && grep -q '... (' "$TMP/stderr" && pass "tsdb-import: a long bad line's message is capped ($n bytes)" \
  || fail "tsdb-import: long bad-line message" "$n bytes"

# --max-bad-lines (issue 10 item 7): a file that is mostly not exposition ends the import with
# nothing written; a few bad lines are skipped as before; only the first 100 are shown.
{ for i in $(seq 1000); do echo "up{a=\"$i\"} 1 1700000000000"; done; for i in $(seq 150); do echo "bad line $i {"; done; } >"$TMP/manybad.prom"
expect_exit 1 "--max-bad-lines: 150 of 1150 lines bad (default 1%): exit 1" "$BIN/tsdb-import" -s "$TMP/mb" --retention 100y "$TMP/manybad.prom"
grep -q '150 of 1150 lines were bad (13.04%, more than --max-bad-lines allows)' "$TMP/stderr" && grep -q '50 more bad lines not shown' "$TMP/stderr" \
  && [ "$(grep -c 'manybad.prom:' "$TMP/stderr")" = 100 ] && pass "--max-bad-lines: the share is reported, 100 bad lines shown" \
  || fail "--max-bad-lines message" "$(tail -3 "$TMP/stderr")"
[ -z "$("$BIN/tsdb-inspect" export "$TMP/mb" 2>/dev/null)" ] && pass "--max-bad-lines: nothing was written" || fail "--max-bad-lines wrote samples"
expect_exit 0 "--max-bad-lines 20%: the same file imports" "$BIN/tsdb-import" -s "$TMP/mb2" --retention 100y --max-bad-lines 20% "$TMP/manybad.prom"
expect_exit 1 "--max-bad-lines 5: the sixth bad line ends it" "$BIN/tsdb-import" -s "$TMP/mb3" --retention 100y --max-bad-lines 5 "$TMP/manybad.prom"
expect_exit 2 "--max-bad-lines x: a usage error" "$BIN/tsdb-import" -s "$TMP/mb4" --max-bad-lines x "$TMP/manybad.prom"

# One rule for every tool (issue 10 item 17): a path that names nothing is a usage error, exit 2.
for cmd in "tsdb-import -s $TMP/t1 --dry-run $TMP/nope.prom" "tsdb-import --from prometheus -s $TMP/t2 $TMP/nope" \
           "tsdb-route --storage-node a:1 --out-dir $TMP/t3 $TMP/nope.prom" "tsdb-inspect parts $TMP/nope" \
           "tsdb-inspect verify $TMP/nope" "tsdb-inspect export $TMP/nope" "tsdb-inspect analyze $TMP/nope" \
           "tsdb-inspect blocks $TMP/nope" "tsdb-inspect series $TMP/nope" "tsdb-merge $TMP/nope"; do
  # shellcheck disable=SC2086
  expect_exit 2 "a missing path is exit 2 everywhere: ${cmd%% $TMP*}" "$BIN"/$cmd
done

# One value syntax for every tool (issue 10 item 17): wherever a flag takes a duration, a size, a
# time or a tenant, the same bad value is a usage error (exit 2) whose message quotes it and says
# what that kind of value may be, and the same good forms are accepted. Commands run dry or on
# scratch copies; an accepted value must exit 0.
printf 'up{job="a"} 1\n' >"$TMP/one.prom"  # no timestamp: the run's start, inside any retention
cp -r "$FIX/tiny/storage" "$TMP/tab-dir"; chmod -R u+w "$TMP/tab-dir"
RS="$FIX/route/storage/node-0"
n_out=0
value_table() {  # KIND WHAT BAD... -- GOOD... -- CMD-with-@  (@ is replaced by the value)
  local kind=$1 what=$2; shift 2
  local bad=() good=() v cmd line
  while [ "$1" != -- ]; do bad+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do good+=("$1"); shift; done; shift
  for cmd in "$@"; do
    for v in "${bad[@]}"; do
      n_out=$((n_out + 1)); line=${cmd//@OUT/$TMP/tab-out-$n_out}
      # shellcheck disable=SC2086
      "$BIN"/${line//@/$v} >"$TMP/tab.out" 2>"$TMP/tab.err"; rc=$?
      if [ "$rc" = 2 ] && grep -qF "invalid $what \"$v\"" "$TMP/tab.err"; then pass "$kind $v refused: ${line%% *} ${line#* }"
      else fail "$kind $v: ${line//@/$v}" "rc $rc: $(head -c 300 "$TMP/tab.err")"; fi
    done
    for v in "${good[@]}"; do
      n_out=$((n_out + 1)); line=${cmd//@OUT/$TMP/tab-out-$n_out}
      # shellcheck disable=SC2086
      "$BIN"/${line//@/$v} >"$TMP/tab.out" 2>"$TMP/tab.err"; rc=$?
      [ "$rc" = 0 ] && pass "$kind $v accepted: ${line%% *}" || fail "$kind $v: ${line//@/$v}" "rc $rc: $(head -c 300 "$TMP/tab.err")"
    done
  done
}
value_table duration duration soon 5x 1h- -- 36h 1d12h 1w 1y 90d -- \
  "tsdb-import -s @OUT --dry-run --retention @ $TMP/one.prom" \
  "tsdb-import -s @OUT --dry-run --dedup-interval @ $TMP/one.prom" \
  "tsdb-merge --dry-run --retention @ $TMP/tab-dir" \
  "tsdb-merge --dry-run --dedup-interval @ $TMP/tab-dir" \
  "tsdb-route --from-storage $RS --storage-node a:1 --dedup-interval @ --out-dir @OUT"
value_table size size lots 12XB -5MiB -- 64MiB 1GB 512MB 1.5GiB -- \
  "tsdb-import -s @OUT --dry-run --mem-limit @ $TMP/one.prom" \
  "tsdb-route --from-storage $RS --storage-node a:1 --mem-limit @ --out-dir @OUT" \
  "tsdb-merge --dry-run --max-disk @ $TMP/tab-dir"
value_table time time yesterday 2023-13-01 12:61 -- 2023-11-01 2023-11-01T00:00:00Z 1698796800 1698796800000ms -1h now -- \
  "tsdb-inspect export --start @ $TMP/tab-dir" \
  "tsdb-inspect series --end @ $TMP/tab-dir" \
  "tsdb-merge --dry-run --now @ $TMP/tab-dir" \
  "tsdb-import -s @OUT --dry-run --from prometheus --start @ $LOCAL/prom-2.42/blocks"
value_table tenant tenant x 1:2:3 -1 -- 0 42:7 -- \
  "tsdb-import -s @OUT --dry-run --tenant @ $TMP/one.prom" \
  "tsdb-route --storage-node a:1 --tenant @ --out-dir @OUT $TMP/one.prom" \
  "tsdb-inspect export --tenant @ $TMP/tab-dir" \
  "tsdb-merge --dry-run --delete up --tenant @ $TMP/tab-dir"
# --retention 0 means the same in every tool: refused, as vmstorage refuses -retentionPeriod=0.
for cmd in "tsdb-import -s $TMP/r0 --dry-run --retention 0 $TMP/one.prom" "tsdb-merge --dry-run --retention 0 $TMP/tab-dir"; do
  # shellcheck disable=SC2086
  expect_exit 2 "--retention 0 refused as the server refuses it: ${cmd%% *}" "$BIN"/$cmd
  grep -q "shorter than one day" "$TMP/stderr" || fail "--retention 0 message: ${cmd%% *}" "$(cat "$TMP/stderr")"
done

# Progress on a terminal (script(1) gives the tool one): one wording in every tool, bytes in MiB,
# "<done> of <total>" with a percentage and an ETA wherever the total is known.
if command -v script >/dev/null; then
  PIN="$FIX/route/input/batch-1.prom"
  tty_run() { script -qec "$*" /dev/null 2>&1 | tr '\r' '\n' >"$TMP/tty.out"; }
  tty_run "$BIN/tsdb-import -s $TMP/ptty --retention 100y $PIN"
  grep -aqE 'tsdb-import: [0-9.]+ MiB of [0-9.]+ MiB read, [0-9]+ lines, [0-9]+ samples, [0-9]+ series \([0-9]+%' "$TMP/tty.out" \
    && pass "progress: tsdb-import, MiB of MiB read and a percentage" || fail "tsdb-import progress" "$(head -c 400 "$TMP/tty.out")"
  tty_run "$BIN/tsdb-route --storage-node a:1,b:2 --out-dir $TMP/rtty $PIN"
  grep -aqE 'tsdb-route: [0-9.]+ MiB of [0-9.]+ MiB read, [0-9]+ rows \([0-9]+%' "$TMP/tty.out" \
    && pass "progress: tsdb-route, the same wording" || fail "tsdb-route progress" "$(head -c 400 "$TMP/tty.out")"
  tty_run "$BIN/tsdb-route --from-storage $FIX/route/storage/node-0 --storage-node a:1 --out-dir $TMP/rstty"
  grep -aqE 'tsdb-route: [0-9]+ of [0-9]+ node partitions copied \([0-9]+%' "$TMP/tty.out" \
    && pass "progress: tsdb-route --from-storage, a percentage" || fail "reshard progress" "$(head -c 400 "$TMP/tty.out")"
  tty_run "$BIN/tsdb-inspect export $FIX/route/storage/node-0 >/dev/null"
  grep -aqE 'tsdb-inspect export: [0-9]+ of [0-9]+ blocks read \([0-9]+%' "$TMP/tty.out" \
    && pass "progress: tsdb-inspect export, blocks of blocks" || fail "export progress" "$(head -c 400 "$TMP/tty.out")"
  tty_run "$BIN/tsdb-import -s $TMP/ptty2 --retention 100y $PIN >/dev/null 2>&1"
  [ ! -s "$TMP/tty.out" ] && pass "progress: nothing when stderr is not a terminal" || fail "progress off a terminal" "$(head -c 200 "$TMP/tty.out")"
fi
