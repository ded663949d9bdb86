# tsdb-route against the route fixture: a real vminsert (v1.93.7-cluster) spread these inputs over
# -storageNode=127.0.0.1:8400,127.0.0.1:8410,127.0.0.1:8420 and each node exported what it got.
# Every series must land on the node whose export holds it; rows per node must equal vminsert's
# own vm_rpc_rows_pushed_total (fixture README); wire output, stats, bad lines, compression,
# rerouting, replication, usage errors and the man page are checked too.
R="$BIN/tsdb-route"
RF="$FIX/route"
NODES=127.0.0.1:8400,127.0.0.1:8410,127.0.0.1:8420
IN0=("$RF/input/batch-1.prom" "$RF/input/batch-2.prom" "$RF/input/batch-3.prom" "$RF/input/tenant-0-0.prom")
IN42=("$RF/input/tenant-42-7.prom")
HERE_ROUTE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# A Python model of what a vmstorage node stores from Prometheus text (prometheus-text.md §4,
# §10) and a decoder of the vminsert->vmstorage stream written from routing.md §8 alone.
cat >"$TMP/route_check.py" <<'PY'
import json, math, struct, sys

def lstrip(s): return s.lstrip(" \t")
def rstrip(s): return s.rstrip(" \t")

def unescape(v):
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            n = v[i + 1]
            out.append({"\\": "\\", '"': '"', "n": "\n"}.get(n, "\\" + n)); i += 2
        else:
            out.append(c); i += 1
    return "".join(out)

def parse_line(line):
    """(metric, [(k, v)], value_text, ts_text) or None for blank/comment lines; raises on bad lines."""
    if line.endswith("\r"): line = line[:-1]
    s = lstrip(line)
    if not s or s[0] == "#": return None
    tags = []
    n = s.find("{")
    if n >= 0:
        metric = rstrip(s[:n]); s = s[n + 1:]
        while True:
            s = lstrip(s)
            if s.startswith("}"): s = s[1:]; break
            eq = s.index("=")
            key = rstrip(s[:eq]); s = lstrip(s[eq + 1:])
            assert s.startswith('"')
            i, esc = 1, False
            while s[i] != '"':
                i += 2 if s[i] == "\\" else 1
            val = unescape(s[1:i]); s = lstrip(s[i + 1:])
            if key: tags.append((key, val))
            if s.startswith("}"): s = s[1:]; break
            assert s.startswith(","); s = s[1:]
        if s.startswith(" "): s = s[1:]
    else:
        i = min([p for p in (s.find(" "), s.find("\t")) if p >= 0])
        metric, s = s[:i], s[i + 1:]
    s = lstrip(s).split("#", 1)[0]
    parts = s.split()
    return metric, tags, parts[0], (parts[1] if len(parts) > 1 else None)

def series_of(labels):
    """What vmstorage stores for a label list [("" or "__name__", metric), ...]: name + last-wins tags."""
    name, tags = "", {}
    for k, v in labels:
        if v == "": continue
        if k in ("", "__name__"): name = v
        else: tags[k] = v
    return (name, tuple(sorted(tags.items())))

def is_nan(text):
    return text.lower().lstrip("+-") == "nan"

def prom_series(path):
    """series -> has a non-NaN sample (vmstorage drops NaN rows), and the row count."""
    out, rows = {}, 0
    for line in open(path, encoding="utf-8", newline="\n"):
        p = parse_line(line.rstrip("\n"))
        if p is None: continue
        rows += 1
        s = series_of([("", p[0])] + p[1])
        out[s] = out.get(s, False) or not is_nan(p[2])
    return out, rows

def wire_series(path):
    b = open(path, "rb").read()
    assert b[:11] == b"vminsert.02" and b[11] == 0 and b[12:14] == b"ok", "handshake"
    pos, out, rows, packets = 14, {}, 0, 0
    while pos < len(b):
        (size,) = struct.unpack(">Q", b[pos:pos + 8]); pos += 8
        assert size <= 100 << 20 and pos + size <= len(b), "packet size"
        end, packets = pos + size, packets + 1
        while pos < end:
            n, shift = 0, 0
            while True:
                c = b[pos]; pos += 1
                n |= (c & 0x7f) << shift; shift += 7
                if c < 0x80: break
            raw = b[pos:pos + n]; pos += n
            ts, vbits = struct.unpack(">qQ", b[pos:pos + 16]); pos += 16
            labels, q = [], 8
            while q < len(raw):
                (ln,) = struct.unpack(">H", raw[q:q + 2]); q += 2
                k = raw[q:q + ln].decode(); q += ln
                (lv,) = struct.unpack(">H", raw[q:q + 2]); q += 2
                v = raw[q:q + lv].decode(); q += lv
                labels.append((k, v))
            rows += 1
            s = series_of(labels)
            v = struct.unpack(">d", struct.pack(">Q", vbits))[0]
            out[s] = out.get(s, False) or not math.isnan(v)
        assert pos == end, "row crosses a packet end"
    return out, rows

def export_series(path):
    out = set()
    for line in open(path, encoding="utf-8"):
        m = json.loads(line)["metric"]
        out.add(series_of([(k, v) for k, v in m.items()]))
    return out

cmd = sys.argv[1]
if cmd == "compare":  # compare FORMAT DIR EXPORT0 EXPORT1 EXPORT2 -> per node: stored series == export
    fmt, d, exports = sys.argv[2], sys.argv[3], sys.argv[4:]
    import glob
    bad = 0
    for i, exp in enumerate(exports):
        (f,) = glob.glob(f"{d}/node-{i}_*.{fmt}")
        got, _ = (wire_series if fmt == "wire" else prom_series)(f)
        stored = {s for s, real in got.items() if real}
        want = export_series(exp)
        if stored != want:
            bad += 1
            print(f"node {i}: {len(stored - want)} series not in its export, {len(want - stored)} missing", file=sys.stderr)
            for s in list(stored ^ want)[:5]: print("  ", s, file=sys.stderr)
        else:
            print(f"node {i}: {len(want)} series")
    sys.exit(1 if bad else 0)
elif cmd == "rows":  # rows FORMAT FILE -> row count
    fmt, f = sys.argv[2], sys.argv[3]
    print((wire_series if fmt == "wire" else prom_series)(f)[1])
elif cmd == "disjoint":  # disjoint FILE... -> every series in exactly one file
    seen, dup = {}, 0
    for f in sys.argv[2:]:
        got, _ = prom_series(f)
        for s in got:
            if s in seen: dup += 1
            seen[s] = f
    print(len(seen), dup)
    sys.exit(1 if dup else 0)
PY

# --- placement equals the real vminsert's, per node and tenant --------------------------------
route_tenant() {  # tenant format outdir inputs...
  local t=$1 f=$2 d=$3; shift 3
  "$R" --storage-node "$NODES" --tenant "$t" --format "$f" --out-dir "$d" "$@" 2>"$TMP/route.err"
}
for fmt in prom wire; do
  if route_tenant 0:0 $fmt "$TMP/$fmt-0" "${IN0[@]}" && route_tenant 42:7 $fmt "$TMP/$fmt-42" "${IN42[@]}"; then
    pass "route fixture inputs ($fmt)"
  else
    fail "route fixture inputs ($fmt)" "$(head -c 600 "$TMP/route.err")"
  fi
  for t in 0-0 42-7; do
    d="$TMP/$fmt-${t%%-*}"
    check "fixture: every series on the node whose export holds it ($fmt, tenant $t)" \
      python3 "$TMP/route_check.py" compare $fmt "$d" "$RF"/export/node-{0,1,2}.tenant-$t.jsonl
  done
done
ls "$TMP/prom-0" >"$TMP/names"
if [ "$(cat "$TMP/names")" = "$(printf 'node-0_127.0.0.1_8400.prom\nnode-1_127.0.0.1_8410.prom\nnode-2_127.0.0.1_8420.prom')" ]; then
  pass "output files are named node-<i>_<address>.prom, no leftovers"
else
  fail "output files are named node-<i>_<address>.prom, no leftovers" "$(cat "$TMP/names")"
fi

# --- rows per node equal vminsert's vm_rpc_rows_pushed_total of the fixture README ----------------
"$R" --storage-node "$NODES" --stats --json "${IN0[@]}" >"$TMP/s0.json" 2>"$TMP/err" &&
  "$R" --storage-node "$NODES" --stats --json --tenant 42:7 "${IN42[@]}" >"$TMP/s42.json" 2>>"$TMP/err"
for i in 0 1 2; do
  port=$((8400 + 10 * i))
  want=$(sed -n "s/^vm_rpc_rows_pushed_total{name=\"vminsert\", addr=\"127.0.0.1:$port\"} \([0-9]*\)$/\1/p" "$RF/README.md")
  got=$(jq -s ".[0].nodes[$i].rows + .[1].nodes[$i].rows" "$TMP/s0.json" "$TMP/s42.json" 2>/dev/null)
  if [ -n "$want" ] && [ "$got" = "$want" ]; then pass "--stats rows of node $i = vminsert's pushed rows ($want)"; else fail "--stats rows of node $i = vminsert's pushed rows" "want '$want' got '$got' $(head -c 300 "$TMP/err")"; fi
  # series: one export line per series (no NaN-only series in this fixture's exports to subtract)
  want=$(cat "$RF/export/node-$i.tenant-0-0.jsonl" "$RF/export/node-$i.tenant-42-7.jsonl" | wc -l)
  got=$(jq -s ".[0].nodes[$i].series + .[1].nodes[$i].series" "$TMP/s0.json" "$TMP/s42.json" 2>/dev/null)
  [ "$got" = "$want" ] && pass "--stats series of node $i = export lines ($want)" || fail "--stats series of node $i = export lines" "want $want got $got"
done
if jq -e '.rows == ([.nodes[].rows] | add) and .bad_lines == 0 and .skew.rows >= 1' "$TMP/s0.json" >/dev/null; then
  pass "--stats --json totals add up"
else
  fail "--stats --json totals add up" "$(head -c 400 "$TMP/s0.json")"
fi
expect_exit 0 "--stats text report" "$R" --storage-node "$NODES" --stats "${IN0[@]}"
if grep -q '^total ' "$TMP/stdout" && grep -q '^skew (max/mean over available nodes): rows ' "$TMP/stdout"; then pass "--stats text has total and skew lines"; else fail "--stats text has total and skew lines" "$(cat "$TMP/stdout")"; fi

# --- wire rows per node = --stats rows; text and wire carry the same number of rows ---------------
for i in 0 1 2; do
  w=$(python3 "$TMP/route_check.py" rows wire "$(ls "$TMP"/wire-0/node-${i}_*.wire)" 2>&1)
  p=$(python3 "$TMP/route_check.py" rows prom "$(ls "$TMP"/prom-0/node-${i}_*.prom)" 2>&1)
  s=$(jq ".nodes[$i].rows" "$TMP/s0.json")
  [ "$w" = "$s" ] && [ "$p" = "$s" ] && pass "node $i: wire rows = prom rows = --stats rows ($s)" || fail "node $i: wire rows = prom rows = --stats rows" "wire $w prom $p stats $s"
done

# --- compressed input and stdin give the same files ------------------------------------------------
gzip -c "$RF/input/batch-2.prom" >"$TMP/b2.prom.gz"
zstd -q -c "$RF/input/batch-3.prom" >"$TMP/b3.zst"
"$R" --storage-node "$NODES" --out-dir "$TMP/z" "$RF/input/batch-1.prom" "$TMP/b2.prom.gz" "$TMP/b3.zst" "$RF/input/tenant-0-0.prom" 2>/dev/null
for i in 0 1 2; do same_file "gz + zst input: node $i file identical" "$TMP/z/$(basename "$(ls "$TMP"/prom-0/node-${i}_*)")" "$(ls "$TMP"/prom-0/node-${i}_*)"; done
cat "${IN42[@]}" | gzip -c | "$R" --storage-node "$NODES" --tenant 42:7 --out-dir "$TMP/stdin" 2>/dev/null
same_file "gzip on stdin: node 1 file identical" "$TMP/stdin/node-1_127.0.0.1_8410.prom" "$TMP/prom-42/node-1_127.0.0.1_8410.prom"
zstd -q -c "$RF/input/tenant-42-7.prom" | "$R" --storage-node "$NODES" --tenant 42:7 --out-dir "$TMP/stdin2" - 2>/dev/null
same_file "zstd on stdin (-): node 1 file identical" "$TMP/stdin2/node-1_127.0.0.1_8410.prom" "$TMP/prom-42/node-1_127.0.0.1_8410.prom"
expect_exit 0 "--threads 1 gives the same files" "$R" --storage-node "$NODES" --threads 1 --out-dir "$TMP/t1" "${IN0[@]}"
for i in 0 1 2; do same_file "--threads 1: node $i identical" "$TMP/t1/$(basename "$(ls "$TMP"/prom-0/node-${i}_*)")" "$(ls "$TMP"/prom-0/node-${i}_*)"; done

# --- --compress: the node files written as .gz / .zst decompress to the plain ones ----------------
for c in gzip zstd; do
  sfx=gz; [ "$c" = zstd ] && sfx=zst
  "$R" --storage-node "$NODES" --compress "$c" --out-dir "$TMP/c-$c" "${IN0[@]}" 2>/dev/null
  for i in 0 1 2; do
    plain=$(ls "$TMP"/prom-0/node-${i}_*)
    packed="$TMP/c-$c/$(basename "$plain").$sfx"
    if [ -f "$packed" ] && $c -dc "$packed" | cmp -s - "$plain"; then
      pass "--compress $c: node $i file is the plain one, compressed ($(stat -c %s "$packed") of $(stat -c %s "$plain") bytes)"
    else
      fail "--compress $c: node $i" "$(ls "$TMP/c-$c")"
    fi
  done
done
rm -rf "$TMP/c-imp"
"$BIN/tsdb-import" -s "$TMP/c-imp" --retention 100y -q "$TMP"/c-zstd/node-*.zst 2>/dev/null &&
  [ "$("$BIN/tsdb-inspect" export "$TMP/c-imp" | wc -l)" -gt 0 ] && pass "--compress zstd files import directly" ||
  fail "--compress zstd files do not import"
expect_exit 2 "--compress without --out-dir is a usage error" "$R" --storage-node "$NODES" --compress zstd --stats "${IN0[@]}"

# --- bad lines: reported with file:line and skipped; --strict stops at the first (exit 1) -----------
printf 'ok_metric{a="1"} 1 1700000000000\n# comment\nbroken{a="1"} x\nok_metric{a="2"} 2 1700000000000\nfoo{a="b" c="d"} 1\n' >"$TMP/bad.prom"
expect_exit 0 "bad lines are skipped (exit 0)" "$R" --storage-node "$NODES" --out-dir "$TMP/bad" "$TMP/bad.prom"
grep -q "bad.prom:3: cannot unmarshal Prometheus line: cannot parse value" "$TMP/stderr" && pass "bad line reported as FILE:3" || fail "bad line reported as FILE:3" "$(cat "$TMP/stderr")"
grep -q "bad.prom:5: " "$TMP/stderr" && pass "second bad line reported as FILE:5" || fail "second bad line reported as FILE:5" "$(cat "$TMP/stderr")"
grep -q "^tsdb-route: 2 rows from 1 input, 2 bad lines skipped" "$TMP/stderr" && pass "summary counts rows and bad lines" || fail "summary counts rows and bad lines" "$(cat "$TMP/stderr")"
[ "$(cat "$TMP"/bad/*.prom | wc -l)" = 2 ] && pass "only the good rows are written" || fail "only the good rows are written" "$(cat "$TMP"/bad/*.prom)"
expect_exit 1 "--strict: exit 1 at the first bad line" "$R" --storage-node "$NODES" --strict --out-dir "$TMP/strict" "$TMP/bad.prom"
grep -q "bad.prom:3: " "$TMP/stderr" && ! grep -q "bad.prom:5" "$TMP/stderr" && pass "--strict names FILE:3 only" || fail "--strict names FILE:3 only" "$(cat "$TMP/stderr")"
[ -z "$(ls -A "$TMP/strict" 2>/dev/null)" ] && pass "--strict leaves no output files" || fail "--strict leaves no output files" "$(ls "$TMP/strict")"
head -c 3000 /dev/urandom | gzip -c | head -c 1000 >"$TMP/trunc.gz"
expect_exit 1 "truncated gzip input: exit 1" "$R" --storage-node "$NODES" --stats "$TMP/trunc.gz"

# --- an unavailable node: its rows go where the list without it would send them -------------------
"$R" --storage-node "$NODES" --unavailable 127.0.0.1:8410 --out-dir "$TMP/down" "${IN0[@]}" 2>"$TMP/err"
"$R" --storage-node 127.0.0.1:8400,127.0.0.1:8420 --out-dir "$TMP/two" "${IN0[@]}" 2>>"$TMP/err"
same_file "--unavailable: node 0 = node 0 of the list without it" "$TMP/down/node-0_127.0.0.1_8400.prom" "$TMP/two/node-0_127.0.0.1_8400.prom"
same_file "--unavailable: node 2 = node 1 of the list without it" "$TMP/down/node-2_127.0.0.1_8420.prom" "$TMP/two/node-1_127.0.0.1_8420.prom"
[ ! -s "$TMP/down/node-1_127.0.0.1_8410.prom" ] && pass "--unavailable: the down node gets nothing" || fail "--unavailable: the down node gets nothing"
expect_exit 2 "--unavailable of an unknown address: exit 2" "$R" --storage-node "$NODES" --unavailable 127.0.0.1:9999 --stats "${IN42[@]}"
expect_exit 2 "every node unavailable: exit 2" "$R" --storage-node a,b --unavailable a --unavailable b --stats "${IN42[@]}"

# --- replication: each row on its node and the next one in list order ------------------------------
"$R" --storage-node "$NODES" --replication-factor 2 --out-dir "$TMP/rf2" "${IN0[@]}" 2>/dev/null
for i in 0 1 2; do
  j=$(( (i + 2) % 3 ))  # node i holds its own rows and those of node i-1
  f1=$(ls "$TMP"/prom-0/node-${i}_*); f0=$(ls "$TMP"/prom-0/node-${j}_*)
  if [ "$(sort "$f1" "$f0" | md5sum)" = "$(sort "$TMP/rf2/$(basename "$f1")" | md5sum)" ]; then pass "--replication-factor 2: node $i = own rows + node $j's"; else fail "--replication-factor 2: node $i = own rows + node $j's"; fi
done

# --- multi-level seed and sort options change placement but not the row count ----------------------
for opt in --multilevel --sort-labels "--label-order sorted" "--extra-label dc=eu"; do
  # shellcheck disable=SC2086
  if "$R" --storage-node "$NODES" --stats --json $opt "${IN0[@]}" >"$TMP/o.json" 2>/dev/null && jq -e '.rows == 20480' "$TMP/o.json" >/dev/null; then pass "$opt: all rows routed"; else fail "$opt: all rows routed" "$(head -c 300 "$TMP/o.json")"; fi
done
"$R" --storage-node "$NODES" --extra-label dc=eu --out-dir "$TMP/extra" "${IN42[@]}" 2>/dev/null
grep -q ',dc="eu"} ' "$TMP/extra/node-0_127.0.0.1_8400.prom" "$TMP/extra/node-1_127.0.0.1_8410.prom" "$TMP/extra/node-2_127.0.0.1_8420.prom" && pass "--extra-label is written into the rows" || fail "--extra-label is written into the rows"

# --- export -> route: the routing half of the reshard pipeline (tsdb-import is not there yet) ------
if [ ! -x "$BIN/tsdb-inspect" ]; then
  fail "reshard 3 -> 5: tsdb-inspect is built" "$BIN/tsdb-inspect missing"
else
  NEW=10.0.0.1:8400,10.0.0.2:8400,10.0.0.3:8400,10.0.0.4:8400,10.0.0.5:8400
  for t in 0:0 42:7; do
    for n in 0 1 2; do "$BIN/tsdb-inspect" export --format prom --tenant $t "$RF/storage/node-$n"; done >"$TMP/old-$t.prom"
    "$R" --storage-node "$NEW" --tenant $t --out-dir "$TMP/new-$t" "$TMP/old-$t.prom" 2>/dev/null
    check "reshard 3 -> 5 (tenant $t): every series on exactly one new node" python3 "$TMP/route_check.py" disjoint "$TMP/new-$t"/*.prom
    if [ "$(sort "$TMP/old-$t.prom" | md5sum)" = "$(cat "$TMP/new-$t"/*.prom | sort | md5sum)" ]; then pass "reshard 3 -> 5 (tenant $t): samples unchanged"; else fail "reshard 3 -> 5 (tenant $t): samples unchanged"; fi
  done
fi

# --- usage errors exit 2 ---------------------------------------------------------------------------
expect_exit 2 "no --storage-node: exit 2" "$R" --stats "${IN42[@]}"
expect_exit 2 "neither --out-dir nor --stats: exit 2" "$R" --storage-node "$NODES" "${IN42[@]}"
expect_exit 2 "--out-dir with --stats: exit 2" "$R" --storage-node "$NODES" --stats --out-dir "$TMP/x" "${IN42[@]}"
expect_exit 2 "duplicate --storage-node: exit 2" "$R" --storage-node a,b,a --stats "${IN42[@]}"
expect_exit 2 "missing input file: exit 2" "$R" --storage-node "$NODES" --stats "$TMP/nope.prom"
expect_exit 2 "bad --tenant: exit 2" "$R" --storage-node "$NODES" --tenant x --stats "${IN42[@]}"
expect_exit 2 "bad --extra-label: exit 2" "$R" --storage-node "$NODES" --extra-label nolabel --stats "${IN42[@]}"
expect_exit 2 "bad --format: exit 2" "$R" --storage-node "$NODES" --format json --out-dir "$TMP/x" "${IN42[@]}"

# --- the man page: groff quiet, every --help option documented --------------------------------------
page="$HERE_ROUTE/../../man/tsdb-route.1"
if groff -man -ww -z "$page" 2>"$TMP/groff" && [ ! -s "$TMP/groff" ]; then pass "groff quiet on tsdb-route.1"; else fail "groff quiet on tsdb-route.1" "$(head -5 "$TMP/groff")"; fi
missing=""
for opt in $("$R" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
  grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$page" || missing="$missing $opt"
done
[ -z "$missing" ] && pass "tsdb-route --help options all in tsdb-route.1" || fail "tsdb-route --help options all in tsdb-route.1" "missing:$missing"
