# tsdb-import --from prometheus: Prometheus TSDB blocks written by the real Prometheus 2.42
# (tests/fixtures/prom-2.42: promtool's blocks of known OpenMetrics input, overlapping; a real
# server's snapshot with tombstones, staleness markers and its head written out). The judges are the
# input itself and what victoria-metrics v1.148.0 stored from the same data (vmctl prometheus, and
# Prometheus' remote write while it scraped).
I="$BIN/tsdb-import"; X="$BIN/tsdb-inspect"; P="$LOCAL/prom-2.42"; CMP="$(dirname "${BASH_SOURCE[0]}")/prom_compare.py"
cmp_py() {  # cmp_py NAME MODE ARGS...: prom_compare.py must pass
  local name=$1; shift
  if python3 "$CMP" "$@" >"$TMP/cmp.out" 2>&1; then pass "$name ($(head -1 "$TMP/cmp.out"))"
  else fail "$name" "$(head -c 1500 "$TMP/cmp.out")"; fi
}
import_export() {  # import_export NAME SRC DIR TARGET [ARGS...]: import, then export to DIR.jsonl
  local name=$1 src=$2 dir=$3 target=$4; shift 4
  rm -rf "$dir"
  if "$I" --from prometheus "$src" -s "$dir" --target "$target" --retention 100y "$@" 2>"$dir.err"; then
    "$X" export "$dir" >"$dir.jsonl" 2>/dev/null || fail "$name: export"
  else
    fail "$name: import exit $?" "$(head -c 600 "$dir.err")"; return 1
  fi
}

# promtool's blocks: two inputs whose time ranges overlap, 27 blocks in 20 groups.
if import_export "prometheus blocks" "$P/blocks" "$TMP/b" v1.148.0; then
  cmp_py "prometheus blocks: every input sample, timestamps and values exact" input "$TMP/b.jsonl" \
    "$P/export/vmctl-blocks.jsonl" "$P/input/a.om" "$P/input/b.om"
  verify_clean "prometheus blocks: the directory verifies" "$TMP/b"
  grep -q 'input: prometheus blocks=27 groups=20 ' "$TMP/b.err" && grep -q 'merged=[1-9]' "$TMP/b.err" \
    && pass "prometheus blocks: the summary counts blocks, groups and series merged across blocks" \
    || fail "prometheus blocks: summary" "$(head -3 "$TMP/b.err")"
fi
# --exact-values: every value exactly as Prometheus held it, none through the server's FromFloat;
# except what the format cannot hold at all: 5e-324 (below to_float's 10^-323) and a block mixing
# 1.8e308 with small values under one decimal exponent (it keeps the large one to 15 digits).
if import_export "prometheus blocks --exact-values" "$P/blocks" "$TMP/bx" v1.148.0 --exact-values; then
  EXCEPT='"case": "(mixed|min_subnormal)"' cmp_py "prometheus blocks --exact-values" input "$TMP/bx.jsonl" /dev/null "$P/input/a.om" "$P/input/b.om"
  grep -q ' 0 as the server' "$TMP/cmp.out" && pass "prometheus blocks --exact-values: no value converted" \
    || fail "prometheus --exact-values" "$(head -1 "$TMP/cmp.out")"
fi
# The same into a cluster node for tenant 42:7: the same samples under the tenant.
if import_export "prometheus blocks, cluster" "$P/blocks" "$TMP/bc" v1.93.7-cluster --tenant 42:7; then
  "$X" export --tenant 42:7 "$TMP/bc" >"$TMP/bc42.jsonl" 2>/dev/null
  cmp_py "prometheus blocks into v1.93.7-cluster tenant 42:7" input "$TMP/bc42.jsonl" \
    "$P/export/vmctl-blocks.jsonl" "$P/input/a.om" "$P/input/b.om"
fi

# The real server's snapshot: tombstones (delete_series) dropped, staleness markers kept as remote
# write delivers them, the head (written out by the snapshot) read like any block.
if import_export "prometheus snapshot" "$P/snapshot" "$TMP/s" v1.148.0; then
  cmp_py "prometheus snapshot: what the server stored by remote write and by vmctl" server "$TMP/s.jsonl" \
    "$P/export/vmctl.jsonl" "$P/export/remote-write.jsonl"
  grep -q 'deleted=[1-9]' "$TMP/s.err" && pass "prometheus snapshot: tombstoned samples are counted" \
    || fail "prometheus snapshot: deleted count" "$(head -2 "$TMP/s.err")"
  verify_clean "prometheus snapshot: the directory verifies" "$TMP/s"
fi

# --match, --start, --end: the full import restricted, read as such (never more).
sel='{__name__=~"fix_.*",Host="alpha"}'
if import_export "prometheus --match/--start/--end" "$P/snapshot" "$TMP/m" v1.148.0 \
     --match "$sel" --match 'fix_b_only_gauge' --start 2026-11-20T06:00:00Z --end 1795190400000; then
  python3 - "$TMP/s.jsonl" "$TMP/s-or.jsonl" <<'PY'
import json, sys
# The two selectors OR-ed: keep what either matches (the checker takes one conjunction of regexps).
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        m = json.loads(line)["metric"]
        if (m["__name__"].startswith("fix_") and m.get("Host") == "alpha") or m["__name__"] == "fix_b_only_gauge":
            out.write(line)
PY
  cmp_py "prometheus --match (two, OR-ed) --start --end" filter "$TMP/s-or.jsonl" "$TMP/m.jsonl" '{}' 1795154400000 1795190400000
fi

# One block directory on its own.
one=$(ls -d "$P/blocks"/*/ | head -1)
if import_export "prometheus one block" "$one" "$TMP/one" v1.93.7; then
  n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['stats']['numSamples'])" "$one/meta.json")
  grep -q "input: prometheus blocks=1 groups=1 .* samples=$n " "$TMP/one.err" \
    && pass "prometheus one block: every sample its meta.json announces" || fail "one block" "$(head -1 "$TMP/one.err") (want $n)"
fi

# --dry-run reads everything and writes nothing.
expect_exit 0 "prometheus --dry-run" "$I" --from prometheus "$P/snapshot" -s "$TMP/dry" --retention 100y --dry-run
[ ! -e "$TMP/dry" ] && pass "prometheus --dry-run: DIR not created" || fail "prometheus --dry-run created DIR"

# A data directory with a head: the head is not a block, and the summary says so.
mkdir -p "$TMP/datadir/wal" && cp -r "$one" "$TMP/datadir/"
expect_exit 0 "prometheus data dir with a wal" "$I" --from prometheus "$TMP/datadir" -s "$TMP/dd" --retention 100y
grep -q "note: .*wal: the head .* is not read; a snapshot" "$TMP/stderr" && pass "prometheus: the unread head is noted" \
  || fail "prometheus: head note" "$(cat "$TMP/stderr" | head -c 400)"

# Damage: each case exits 1 naming the file and offset, and nothing is committed (DIR may have been
# created, complete and empty, before the damage was met).
damage() {  # damage NAME FILE_IN_BLOCK PYTHON_EXPR_ON_b WANT_REGEX
  local name=$1 file=$2 expr=$3 want=$4 d="$TMP/dmg"
  rm -rf "$d" "$TMP/dmg-out" && cp -r "$one" "$d" && chmod -R u+w "$d"
  python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); $expr; open(p,'wb').write(bytes(b))" "$d/$file"
  expect_exit 1 "prometheus damage: $name: exit 1" "$I" --from prometheus "$d" -s "$TMP/dmg-out" --retention 100y
  if grep -Eq "$want" "$TMP/stderr"; then pass "prometheus damage: $name: named"; else fail "prometheus damage: $name: message" "$(head -c 400 "$TMP/stderr")"; fi
  if [ ! -e "$TMP/dmg-out" ] || [ -z "$("$X" export "$TMP/dmg-out" 2>/dev/null)" ]; then pass "prometheus damage: $name: nothing committed"
  else fail "prometheus damage: $name: samples committed"; fi
}
damage "index series entry flipped" index "b[40] ^= 0x10" "dmg/index: offset [0-9]+: .*(CRC32C mismatch|out of range|runs past)"
damage "index truncated" index "del b[len(b)//2:]" "dmg/index: offset [0-9]+: "
damage "index TOC flipped" index "b[-10] ^= 1" "dmg/index: offset [0-9]+: table of contents: CRC32C mismatch"
damage "chunk data flipped" chunks/000001 "b[20] ^= 0x40" "dmg/chunks/000001: offset [0-9]+: chunk ref [0-9]+: CRC32C mismatch \(series \{"
damage "chunk segment truncated" chunks/000001 "del b[len(b)-3:]" "dmg/chunks/000001: offset [0-9]+: chunk ref [0-9]+: .*runs past the end"
damage "chunks magic" chunks/000001 "b[0] ^= 0xff" "dmg/chunks/000001: offset 0: not a Prometheus chunks segment"
damage "tombstones checksum" tombstones "b[-1] ^= 1" "dmg/tombstones: offset [0-9]+: tombstones CRC32C mismatch"
damage "meta.json" meta.json "b[:] = b'{\"ulid\": 1}'" "dmg/meta.json: .*ulid"

# Usage errors.
expect_exit 2 "prometheus: --match without --from" "$I" -s "$TMP/u" --match up "$P/input/a.om"
expect_exit 2 "prometheus: two directories" "$I" --from prometheus -s "$TMP/u" "$P/blocks" "$P/snapshot"
expect_exit 2 "prometheus: --from with --format jsonl" "$I" --from prometheus --format jsonl -s "$TMP/u" "$P/blocks"
expect_exit 2 "prometheus: a directory without blocks" "$I" --from prometheus -s "$TMP/u" "$P/input"
expect_exit 2 "prometheus: a missing directory" "$I" --from prometheus -s "$TMP/u" "$TMP/nope"
# A block file given as text input is refused as binary, pointing at --from prometheus.
expect_exit 1 "prometheus: a block's index as text input" "$I" -s "$TMP/u" --retention 100y "$one/index"
grep -q "a file of a Prometheus TSDB block (tsdb-import --from prometheus reads" "$TMP/stderr" \
  && pass "prometheus: the index file is recognised" || fail "prometheus: index as text" "$(head -c 300 "$TMP/stderr")"

# The real server opens what we wrote: victoria-metrics v1.148.0's export of this very import
# (same seeds), recorded by tests/fixtures/prom-2.42/record-server-on-import.sh.
if import_export "prometheus snapshot, seeded" "$P/snapshot" "$TMP/seeded" v1.148.0 --metric-id-base 1000 --part-name-seed 1000; then
  LC_ALL=C sort "$TMP/seeded.jsonl" >"$TMP/seeded.sorted"
  same_file "prometheus snapshot: the real server serves our directory as we export it" "$TMP/seeded.sorted" "$P/export/server-on-import.jsonl"
fi

# --json: one summary object for jq, the Prometheus counts under "prometheus".
rm -rf "$TMP/j"
if "$I" --from prometheus "$P/snapshot" -s "$TMP/j" --retention 100y --json >"$TMP/j.json" 2>"$TMP/j.err"; then
  jq -e '.prometheus.blocks == 28 and .prometheus.deleted_samples == 86 and .prometheus.series_merged > 0
         and (.prometheus.notes | type == "array") and .samples_accepted > 0' "$TMP/j.json" >/dev/null \
    && pass "prometheus --json: blocks, tombstoned samples, merged series" || fail "prometheus --json" "$(head -c 400 "$TMP/j.json")"
else
  fail "prometheus --json: import" "$(head -c 300 "$TMP/j.err")"
fi
