# tsdb-merge rows/s on ten parts of one partition (2M rows), built with tsdb-import:
#   disjoint   the issue's file (20k series x 100 scrapes) in ten consecutive time slices: no block
#              overlaps another, but each is 10 rows, so the server's algorithm joins the ten blocks
#              of a series into one (merge.md §4.2: decode, join, re-encode), as tsdb-merge does
#   overlap    the same file sliced by scrape number mod 10: every block overlaps the others (full
#              decode, 2-way row merges, re-encode)
#   full       24 series x 81920 samples in ten consecutive slices: every block has 8192 rows, so
#              every block is copied unchanged (write_raw, no decoding)
#   ten2M      issue 12's shape: 100k series x 200 scrapes in ten time slices, ten parts of 2M rows
#              (20 rows per block, joined into blocks of 200 as in disjoint)
# Each case: a fresh copy of the directory (synced, then 1 s for the writeback to settle),
# `tsdb-merge --force`, wall time of the process (fsyncs included; on a busy disk they dominate,
# hence the CPU time too); best of 3.
# Targets (issue 4): >= 16M rows/s on the ten-small-parts shape, >= 3M rows/s overlapping;
# (issue 12) at least 2x the server's merge of the same parts.
# With VMT_VMSTORAGE naming a vmstorage v1.93.7-cluster binary, the real server on a fresh copy of
# each case. It starts merging the small parts itself as soon as the storage is open (a forced
# merge asked then would skip the busy partition), so the server's time runs from its log's
# "successfully opened storage" (or, the figure compared, from the first poll that sees a merge
# active) to the moment its metrics show one part and no active merge (polled every 20 ms; a
# forced merge is asked once it idles with more than one part left);
# best of 3, printed beside ours with the ratio (server seconds / our whole process wall).
# That wall clock includes how the server schedules merges (about 1 s whatever the rows). The sound
# figure is the server's own timer of its merges, which vmstorage logs ("merged (N parts, ...) in S
# seconds") only for merges over 30 s: with a vmstorage built from the v1.93.7-cluster tag with that
# threshold (lib/storage/partition.go, `if d <= 30*time.Second`) set to log every merge, a logging
# change only, the bench prints it too.
set -u
vmstorage=${VMT_VMSTORAGE:-}
if [ ! -x "$BIN/tsdb-import" ] || [ ! -x "$BIN/tsdb-merge" ]; then echo "merge bench: needs tsdb-import and tsdb-merge"; exit 1; fi
in="$BENCH_CACHE/gen-20000x100.prom"
if [ ! -s "$in" ]; then
  python3 "$GEN" --series 20000 --points 100 --start-ms 1714521600000 --step-ms 15000 --seed 1 >"$in.tmp.$$" && mv "$in.tmp.$$" "$in"
fi
build() {  # name awk-slice-expression [input]
  local dir="$BENCH_CACHE/merge-$1" in=${3:-$in}
  [ -f "$dir/.complete" ] && return 0
  rm -rf "$dir" "$dir.slices"; mkdir -p "$dir.slices"
  grep -v '^#' "$in" | awk -v d="$dir.slices" "{ k = int((\$NF - 1714521600000) / 15000); s = $2; print > (d \"/slice-\" s \".prom\") }"
  for f in "$dir.slices"/slice-*.prom; do
    "$BIN/tsdb-import" -s "$dir" --retention 100y "$f" >/dev/null 2>&1 || { echo "import of $f failed"; return 1; }
  done
  rm -rf "$dir.slices"; touch "$dir/.complete"
}
build disjoint 'int(k / 10)' || exit 1
build overlap 'k % 10' || exit 1
# The issue's shape: ten parts of 2M rows each (100k series x 200 scrapes in ten time slices).
in20="$BENCH_CACHE/gen-100000x200.prom"
if [ ! -s "$in20" ]; then
  python3 "$GEN" --series 100000 --points 200 --start-ms 1714521600000 --step-ms 15000 --seed 1 >"$in20.tmp.$$" && mv "$in20.tmp.$$" "$in20"
fi
build ten2M 'int(k / 20)' "$in20" || exit 1
full="$BENCH_CACHE/merge-full"
if [ ! -f "$full/.complete" ]; then
  rm -rf "$full"; mkdir -p "$full.slices"
  for p in 0 1 2 3 4 5 6 7 8 9; do
    awk -v p=$p 'BEGIN { for (s = 0; s < 24; s++) { v = s * 1000; for (k = 0; k < 8192; k++) {
      v += (k * 7 + s) % 13 - 6; printf "bench_full{series=\"%d\"} %d %.0f\n", s, v, 1714521600000 + (p * 8192 + k) * 15000 } } }' \
      >"$full.slices/slice-$p.prom"
    "$BIN/tsdb-import" -s "$full" --retention 100y "$full.slices/slice-$p.prom" >/dev/null 2>&1 || { echo "import failed"; exit 1; }
  done
  rm -rf "$full.slices"; touch "$full/.complete"
fi
for case in disjoint overlap full ten2M; do
  best=""
  for run in 1 2 3; do
    work="$BENCH_CACHE/merge-work"
    rm -rf "$work"; cp -r "$BENCH_CACHE/merge-$case" "$work"; sync; sleep 1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$BENCH_CACHE/merge-time" \
      "$BIN/tsdb-merge" --force --json "$work" >"$BENCH_CACHE/merge-out.json" || { echo "merge failed"; exit 1; }
    t1=$(date +%s.%N)
    t=$(python3 -c "print($t1 - $t0)")
    read -r user sys <"$BENCH_CACHE/merge-time"
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then
      best=$t; cpu=$(python3 -c "print($user + $sys)"); cp "$BENCH_CACHE/merge-out.json" "$BENCH_CACHE/merge-best.json"
    fi
  done
  server=""
  if [ -n "$vmstorage" ] && [ -x "$vmstorage" ]; then
    for run in 1 2 3; do
      work="$BENCH_CACHE/merge-work"
      rm -rf "$work"; cp -r "$BENCH_CACHE/merge-$case" "$work"; sync; sleep 1
      port=$((20000 + RANDOM % 20000))
      "$vmstorage" -storageDataPath="$work" -retentionPeriod=100y -httpListenAddr=127.0.0.1:$port \
        -vminsertAddr=127.0.0.1:$((port + 1)) -vmselectAddr=127.0.0.1:$((port + 2)) >"$BENCH_CACHE/vmstorage.log" 2>&1 &
      pid=$!
      secs=$(python3 - "$port" "$BENCH_CACHE/vmstorage.log" <<'PY'
import re, sys, time, urllib.request
from datetime import datetime, timezone
port, log = sys.argv[1], sys.argv[2]
def get(path):
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read().decode()
    except Exception:
        return None
deadline = time.time() + 300
forced = False
idle = 0
first_active = None
while time.time() < deadline:
    m = get("/metrics")
    if m is None:
        time.sleep(0.02)
        continue
    parts = active = 0
    for line in m.splitlines():
        name, _, value = line.partition(" ")
        if re.fullmatch(r'vm_parts\{type="storage/(inmemory|small|big)"\}', name):
            parts += int(float(value))
        if re.fullmatch(r'vm_active_merges\{type="storage/(inmemory|small|big)"\}', name):
            active += int(float(value))
    if active and first_active is None:
        first_active = time.time()
    if parts == 1 and active == 0:
        end = time.time()
        text = open(log).read()
        opened = re.search(r'^(\S+)\s+info\s+.*successfully opened storage', text, re.M)
        start = datetime.strptime(opened.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        # The server's own timer of each merge, when its binary logs every merge (v1.93.7 logs
        # only those over 30 s; see the header): merges of more than one part.
        timed = sum(float(x.group(2)) for x in re.finditer(r'merged \((\d+) parts, .*? in ([0-9.]+) seconds', text)
                    if int(x.group(1)) > 1)
        print(f"{end - (first_active or start):.3f},{end - start:.3f},{timed:.3f}")
        sys.exit(0)
    # The server merges small parts on its own from the start; whatever it leaves, a forced merge
    # (asked once it is idle: a forced merge skips a partition with merges in progress) finishes.
    idle = idle + 1 if active == 0 else 0
    if idle >= 3 and not forced:
        get("/internal/force_merge")
        forced = True
    time.sleep(0.02)
sys.exit(1)
PY
)
      kill $pid; wait $pid 2>/dev/null
      [ -z "$secs" ] && { echo "server merge did not finish: $BENCH_CACHE/vmstorage.log" >&2; break; }
      if [ -z "$server" ] || python3 -c "import sys; sys.exit(0 if ${secs%%,*} < ${server%%,*} else 1)"; then server=$secs; fi
    done
    rm -rf "$BENCH_CACHE/merge-work"
  fi
  python3 - "$case" "$best" "$BENCH_CACHE/merge-best.json" "$cpu" "$server" <<'PY'
import json, sys
case, t, path, cpu = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
server, server_open, server_timed = map(float, sys.argv[5].split(",")) if sys.argv[5] else (None, None, 0)
lines = [json.loads(l) for l in open(path)]
m = [l for l in lines if l["type"] == "merge"]
s = lines[-1]
target = {"disjoint": 16, "overlap": 3, "full": 16, "ten2M": 16}[case]
print(f"{case}: {s['parts_in']} parts, {s['rows_in']} rows -> {s['parts_out']} part, "
      f"{sum(x['output']['blocks'] for x in m)} blocks ({sum(x['blocks_copied'] for x in m)} copied unchanged): "
      f"{s['rows_in'] / t / 1e6:.2f}M rows/s ({t:.3f} s wall, {cpu:.3f} s CPU on both cores; "
      f"merge itself {sum(x['seconds'] for x in m):.3f} s); "
      f"target >= {target}M rows/s")
if server is not None:
    print(f"{case}: server vmstorage v1.93.7-cluster merging {server:.3f} s ({s['rows_in'] / server / 1e6:.2f}M rows/s; "
          f"{server_open:.3f} s from open to one part): tsdb-merge is {server / t:.2f}x the server "
          f"(our whole process against the server's merges alone); target >= 2x")
    if server_timed > 0:
        print(f"{case}: server's own merge timer {server_timed:.3f} s: tsdb-merge is {server_timed / t:.2f}x")
PY
done
rm -rf "$BENCH_CACHE/merge-work" "$BENCH_CACHE/merge-time" "$BENCH_CACHE/merge-out.json" "$BENCH_CACHE/merge-best.json"
