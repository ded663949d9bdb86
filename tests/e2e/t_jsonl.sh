# tsdb-import --format jsonl: the server's JSON lines (/api/v1/export -> /api/v1/import). The judge
# is the real servers' exports in the fixtures: importing one and exporting again must give it back
# byte for byte (values included: numbers are read correctly rounded and stored as a decimal whose
# float is that number, decimal::exact_decimal), for every flavour and tenant.
I="$BIN/tsdb-import"; X="$BIN/tsdb-inspect"
roundtrip() {  # roundtrip NAME EXPORT TARGET [TENANT]
  local name=$1 src=$2 target=$3 tenant=${4:-}
  local d="$TMP/rt-$name"
  rm -rf "$d"
  if ! "$I" --target "$target" ${tenant:+--tenant "$tenant"} --format jsonl -s "$d" --retention 100y -q "$src" 2>"$TMP/rt.err"; then
    fail "jsonl round trip $name: import" "$(head -c 400 "$TMP/rt.err")"; return
  fi
  LC_ALL=C sort "$src" >"$TMP/rt-want"
  export_same "jsonl round trip $name: the server's export comes back byte for byte" "$d" "$tenant" "$TMP/rt-want"
}
roundtrip single-node "$SHARED/vm-single-1.93/node/export/all.jsonl" v1.93.7
roundtrip single-tiny "$SHARED/vm-single-1.93/tiny/export/all.jsonl" v1.93.7
roundtrip cluster-tiny-0 "$SHARED/vm-cluster-1.93/tiny/export/tenant-0-0.jsonl" v1.93.7-cluster 0:0
roundtrip cluster-tiny-42 "$SHARED/vm-cluster-1.93/tiny/export/tenant-42-7.jsonl" v1.93.7-cluster 42:7
roundtrip v1.136 "$LOCAL/vm-single-1.136/multi/export/all.jsonl" v1.136.0
roundtrip v1.148 "$LOCAL/vm-single-1.148/multi/export/all.jsonl" v1.148.0
roundtrip v1.148-cluster "$LOCAL/vm-cluster-1.148/multi/export/0_0-all.jsonl" v1.148.0-cluster 0:0

# Metric-like random values, one kind per series (a few significant digits; epoch seconds with
# nanoseconds; integer counters up to 2^53; rounded gauges), printed with Python's shortest repr,
# through three import -> export rounds: every value exact. (A block keeps one decimal exponent
# for all its values, so a series mixing 2^53-sized integers with 1e-11 fractions cannot be
# stored exactly by any writer; the server's format has no room for it.)
python3 - "$TMP/random.jsonl" <<'EOF'
import json, random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    for s in range(200):
        vals = []
        for i in range(300):
            k = s % 4
            if k == 0: v = random.randrange(-10**6, 10**6) / 10 ** random.randrange(12)
            elif k == 1: v = 1.7e9 + random.randrange(10**9) / 1e9
            elif k == 2: v = float(random.randrange(2**53))
            else: v = round(random.uniform(-1e6, 1e6), random.randrange(1, 10))
            vals.append(v)
        ts = [1714521600000 + 15000 * i for i in range(300)]
        f.write(json.dumps({"metric": {"__name__": "r", "s": str(s)}, "values": vals, "timestamps": ts}) + "\n")
EOF
src="$TMP/random.jsonl"
for round in 1 2 3; do
  rm -rf "$TMP/rr"
  "$I" --target v1.93.7 --format jsonl -s "$TMP/rr" --retention 100y -q "$src" 2>/dev/null || fail "jsonl random round $round: import"
  "$X" export "$TMP/rr" >"$TMP/rr-$round.jsonl" 2>/dev/null
  src="$TMP/rr-$round.jsonl"
done
if python3 - "$TMP/random.jsonl" "$TMP/rr-3.jsonl" >"$TMP/cmp" 2>&1 <<'EOF'
import json, sys
key = lambda o: json.dumps(o["metric"], sort_keys=True)
want = {key(o): o for o in map(json.loads, open(sys.argv[1]))}
got = {key(o): o for o in map(json.loads, open(sys.argv[2]))}
bad = [k for k in want if k not in got or got[k]["timestamps"] != want[k]["timestamps"]
       or [float(x) for x in got[k]["values"]] != [float(x) for x in want[k]["values"]]]
n = sum(len(o["values"]) for o in want.values())
print("%d series, %d values, %d series differ" % (len(want), n, len(bad)))
sys.exit(1 if bad or len(got) != len(want) else 0)
EOF
then pass "jsonl: 60000 random metric-like values exact after three import/export rounds ($(cat "$TMP/cmp"))"
else fail "jsonl: random values drift" "$(cat "$TMP/cmp")"; fi

# Compressed input, bad lines, --strict.
zstd -q -c "$SHARED/vm-single-1.93/tiny/export/all.jsonl" >"$TMP/tiny.jsonl.zst"
gzip -c "$SHARED/vm-single-1.93/tiny/export/all.jsonl" >"$TMP/tiny.jsonl.gz"
for z in zst gz; do
  rm -rf "$TMP/z"
  "$I" --target v1.93.7 --format jsonl -s "$TMP/z" --retention 100y -q "$TMP/tiny.jsonl.$z" 2>/dev/null
  LC_ALL=C sort "$SHARED/vm-single-1.93/tiny/export/all.jsonl" >"$TMP/z-want"
  export_same "jsonl: $z input" "$TMP/z" "" "$TMP/z-want"
done
{ head -2 "$SHARED/vm-single-1.93/tiny/export/all.jsonl"
  echo '{"metric":{"__name__":"x"},"values":[1,2],"timestamps":[1]}'
  echo 'not json'
  echo '{"metric":{"__name__":"y"},"values":[1],"timestamps":[1714521600000]}'; } >"$TMP/bad.jsonl"
rm -rf "$TMP/b"
"$I" --target v1.93.7 --format jsonl -s "$TMP/b" --retention 100y "$TMP/bad.jsonl" >"$TMP/b.out" 2>"$TMP/b.err"
code=$?
grep -q 'bad.jsonl:3: .*must match' "$TMP/b.err" && grep -q 'bad.jsonl:4: ' "$TMP/b.err" && [ "$code" = 0 ] &&
  [ "$("$X" export "$TMP/b" 2>/dev/null | wc -l)" = 3 ] &&
  pass "jsonl: bad lines named by file and line, skipped, the rest imported" ||
  fail "jsonl: bad lines" "exit $code: $(head -c 400 "$TMP/b.err")"
expect_exit 1 "jsonl --strict stops at the first bad line" "$I" --target v1.93.7 --format jsonl -s "$TMP/b2" --strict "$TMP/bad.jsonl"
[ -z "$(find "$TMP/b2" -name metadata.json 2>/dev/null)" ] && pass "jsonl --strict writes no part" || fail "jsonl --strict wrote a part"
expect_exit 2 "--format with an unknown name is a usage error" "$I" --format csv -s "$TMP/b3" "$TMP/bad.jsonl"

# Several tenants in one stream (issue: operator-grade, item 11): export without --tenant labels each
# series with vm_account_id / vm_project_id, and --tenant multitenant imports it back per tenant,
# in both formats; each tenant's export is then the server's own, byte for byte.
T="$SHARED/vm-cluster-1.93/tiny"
"$X" export "$T/storage" >"$TMP/mt.jsonl" 2>/dev/null
"$X" export --format prom "$T/storage" >"$TMP/mt.prom" 2>/dev/null
labelled=$(grep -c '"vm_account_id":"42","vm_project_id":"7"}' "$TMP/mt.jsonl")
[ "$labelled" = "$(wc -l <"$T/export/tenant-42-7.jsonl")" ] && pass "export of two tenants labels each series with its tenant ($labelled of 42:7)" ||
  fail "export of two tenants: $labelled series of 42:7 labelled"
for fmt in jsonl prom; do
  rm -rf "$TMP/mt-$fmt"
  f=jsonl; [ "$fmt" = prom ] && f=prometheus
  "$I" --target v1.93.7-cluster --tenant multitenant --format $f -s "$TMP/mt-$fmt" --retention 100y -q "$TMP/mt.$fmt" 2>"$TMP/mt.err" ||
    fail "import --tenant multitenant ($fmt)" "$(head -c 300 "$TMP/mt.err")"
  for t in 0-0 42-7; do
    LC_ALL=C sort "$T/export/tenant-$t.jsonl" >"$TMP/mt-want"
    export_same "--tenant multitenant ($fmt): tenant ${t/-/:} is the server's export" "$TMP/mt-$fmt" "${t/-/:}" "$TMP/mt-want"
  done
done
printf '%s\n' '{"metric":{"__name__":"x","vm_account_id":"4294967296"},"values":[1],"timestamps":[1714521600000]}' >"$TMP/mt-bad.jsonl"
rm -rf "$TMP/mt-bad"
"$I" --target v1.93.7-cluster --tenant multitenant --format jsonl -s "$TMP/mt-bad" "$TMP/mt-bad.jsonl" >/dev/null 2>"$TMP/mt-bad.err"
grep -q 'mt-bad.jsonl:1: cannot parse vm_account_id' "$TMP/mt-bad.err" && pass "--tenant multitenant: a tenant label that is not a uint32 is a bad line" ||
  fail "--tenant multitenant: bad tenant label" "$(head -c 300 "$TMP/mt-bad.err")"
expect_exit 2 "--tenant multitenant into a single-node directory is refused" "$I" --target v1.93.7 --tenant multitenant -s "$TMP/mt-single" "$TMP/mt.prom"
