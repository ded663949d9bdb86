# tsdb-inspect series / labels / label-values / analyze (issue 13) and export --match selectors.
I="$BIN/tsdb-inspect"
HERE_E2E="$(dirname "${BASH_SOURCE[0]}")"
TINY="$SHARED/vm-single-1.93/tiny/storage-after-merge"

# The real server's answers (v1.93.7 single-node and cluster) to the same requests.
if python3 "$HERE_E2E/server_api.py" "$I" "$SHARED" "$LOCAL/server-api/answers" >"$TMP/api.out" 2>"$TMP/api.err"; then
  pass "query: $(tail -1 "$TMP/api.out")"
else
  fail "query: server api answers" "$(tail -1 "$TMP/api.out"); $(head -5 "$TMP/api.err")"
fi
cat "$TMP/api.out" >&2
# The v1.136/v1.148 servers' answers and exports: per-partition indexes, upgrades, deletes.
if python3 "$HERE_E2E/flavour_queries.py" "$I" "$LOCAL" >"$TMP/fl.out" 2>"$TMP/fl.err"; then
  pass "query: $(tail -1 "$TMP/fl.out")"
else
  fail "query: flavour fixtures" "$(tail -1 "$TMP/fl.out"); $(head -5 "$TMP/fl.err")"
fi

# series over --mem-limit: sorted runs under $TMPDIR (the same output, checked against every server
# answer by server_api.py), removed at the end; where none can be written, an I/O error naming it.
NODE1="$SHARED/vm-single-1.93/node/storage-after-merge"
mkdir -p "$TMP/runs"
if TMPDIR="$TMP/runs" "$I" series --mem-limit 64KiB "$NODE1" >"$TMP/ml.txt" && "$I" series "$NODE1" >"$TMP/ml-all.txt" &&
   cmp -s "$TMP/ml.txt" "$TMP/ml-all.txt" && [ -s "$TMP/ml.txt" ] && [ -z "$(ls -A "$TMP/runs")" ]; then
  pass "query: series over --mem-limit, runs removed"
else
  fail "query: series over --mem-limit, runs removed" "$(ls -A "$TMP/runs")"
fi
TMPDIR="$TMP/no-such-dir" "$I" series --mem-limit 64KiB "$NODE1" >/dev/null 2>"$TMP/err"; rc=$?
if [ $rc = 3 ] && grep -q "$TMP/no-such-dir" "$TMP/err"; then pass "query: series runs where none can be written: exit 3"
else fail "query: series runs where none can be written: exit 3" "exit $rc: $(cat "$TMP/err")"; fi
"$I" series --mem-limit 1KiB "$NODE1" >/dev/null 2>"$TMP/err"; rc=$?
[ $rc = 2 ] && grep -q 'at least 64KiB' "$TMP/err" && pass "query: series --mem-limit below 64KiB refused" ||
  fail "query: series --mem-limit below 64KiB refused" "exit $rc: $(cat "$TMP/err")"

# A selector the server refuses is a usage error naming the offset; a malformed one too.
for bad in '{}' 'up{' 'rate(up[5m])' '{job=~"("}' '{job="x"} or up' '{"up"}' ''; do
  "$I" series --match "$bad" "$TINY" >/dev/null 2>"$TMP/err"; rc=$?
  if [ $rc = 2 ] && grep -q 'selector' "$TMP/err"; then pass "query: refuses --match '$bad'"
  else fail "query: refuses --match '$bad'" "exit $rc: $(cat "$TMP/err")"; fi
done
"$I" series --match 'up{job=~"("}' "$TINY" 2>&1 >/dev/null | grep -q 'offset 3: invalid regexp' &&
  pass "query: regexp error names its offset" || fail "query: regexp error names its offset"

# export --match takes selectors (OR-ed) and keeps exactly the series this filter keeps.
"$I" export "$TINY" | LC_ALL=C sort >"$TMP/all.jsonl"
"$I" export --match '{__name__=~"tiny_(temperature|constant).+",sensor!="cpu"}' --match tiny_no_labels "$TINY" |
  LC_ALL=C sort >"$TMP/sel.jsonl"
python3 - "$TMP/all.jsonl" >"$TMP/want.jsonl" <<'PY'
import json, re, sys
for line in open(sys.argv[1], encoding='utf-8'):
    m = json.loads(line)['metric']
    n = m.get('__name__', '')
    if (re.fullmatch('tiny_(temperature|constant).+', n) and m.get('sensor', '') != 'cpu') or n == 'tiny_no_labels':
        sys.stdout.write(line)
PY
[ -s "$TMP/want.jsonl" ] && same_file "query: export --match selectors" "$TMP/sel.jsonl" "$TMP/want.jsonl"

# Several nodes: each series once, the split per node, and nothing shared in the route fixture.
R="$SHARED/vm-cluster-1.93/route/storage"
"$I" analyze --json --per-node --tenant 0:0 "$R/node-0" "$R/node-1" "$R/node-2" >"$TMP/an.json"
# The same node twice: every series on two nodes, still counted once.
"$I" analyze --json --per-node --tenant 0:0 "$R/node-0" "$R/node-0" >"$TMP/twice.json"
python3 - "$TMP/an.json" "$TMP/twice.json" <<'PY' && pass "query: analyze counts a series once across nodes" || fail "query: analyze across nodes"
import json, sys
a, t = (json.load(open(p)) for p in sys.argv[1:3])
assert a['totalSeries'] == 517 and a['seriesOnSeveralNodes'] == 0, a['totalSeries']
assert sum(n['series'] for n in a['nodes']) == 517
assert t['totalSeries'] == t['nodes'][0]['series'] == t['nodes'][1]['series'] == t['seriesOnSeveralNodes'], t
assert t['totalMetricIDs'] == 2 * t['totalSeries']
ex = t['seriesOnSeveralNodesExamples']
assert len(ex) == 10 and all(len(e['dirs']) == 2 and e['metric'].get('__name__') for e in ex), ex
assert a['seriesOnSeveralNodesExamples'] == []
PY
# Text report: the sections an operator reads.
"$I" analyze --top 3 --focus-label device "$SHARED/vm-single-1.93/node/storage-after-merge" >"$TMP/an.txt"
grep -q '^series: 507 (MetricIDs: 511' "$TMP/an.txt" && grep -q '^Top values of device by series' "$TMP/an.txt" &&
  grep -q '^Series by day' "$TMP/an.txt" && pass "query: analyze text report" || fail "query: analyze text report" "$(head -3 "$TMP/an.txt")"

# Series by day with churn over eight days (series starting and ending on every day, gaps): the
# day sweeps' steady and new-series paths, halves combined; the truth is counted from the input.
python3 - >"$TMP/churn.prom" <<'PY'
import random
random.seed(5)
for i in range(3000):
    d0 = random.randint(0, 7); d1 = random.randint(d0, 7)
    for d in range(d0, d1 + 1):
        if random.random() < 0.8:
            print('churn_%d{i="%d",job="j%d"} %d %d' % (i % 7, i, i % 13, i, 1714521600000 + d * 86400000 + i))
PY
"$BIN/tsdb-import" -s "$TMP/churn" --retention 100y "$TMP/churn.prom" 2>/dev/null
for args in "" "--match churn_3" "--start 2024-05-03 --end 2024-05-07"; do
  "$I" analyze --json $args "$TMP/churn" >"$TMP/churn.json" || fail "query: analyze days with churn ($args)"
  python3 - "$TMP/churn.prom" "$TMP/churn.json" "$args" <<'PY' && pass "query: analyze days with churn ($args)" || fail "query: analyze days with churn ($args)"
import json, re, sys
from collections import Counter, defaultdict
args = sys.argv[3].split()
lo, hi = 0, 99
if '--start' in args:
    lo = int(args[args.index('--start') + 1][-2:]) - 1
    hi = int(args[args.index('--end') + 1][-2:]) - 2  # --end is exclusive of its own day start
days = defaultdict(set)
for line in open(sys.argv[1]):
    name, rest = line.split('{', 1)
    if '--match' in args and name != args[args.index('--match') + 1]:
        continue
    d = (int(line.split()[-1]) - 1714521600000) // 86400000
    if lo <= d <= hi:
        days[line.split(' ')[0]].add(d)
per_day, first, last = Counter(), Counter(), Counter()
for ds in days.values():
    for d in ds:
        per_day[d] += 1
    first[min(ds)] += 1
    last[max(ds)] += 1
want = [{'date': '2024-05-%02d' % (d + 1), 'series': per_day[d], 'firstSeen': first[d], 'lastSeen': last[d]}
        for d in sorted(per_day)]
got = json.load(open(sys.argv[2]))
assert got['totalSeries'] == len(days), (got['totalSeries'], len(days))
assert got['seriesCountByDay'] == want, (got['seriesCountByDay'], want)
PY
done
