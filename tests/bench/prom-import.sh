#!/usr/bin/env bash
# tsdb-import --from prometheus on Prometheus blocks written by the real Prometheus (promtool 2.42):
# 20000 series x 1000 points = 20,000,000 samples (4h10m at 15 s, so 3 two-hour blocks).
#   bash tests/bench/prom-import.sh [BUILD]   (or through `make bench`, which sets BIN and BENCH_CACHE)
# The blocks are built once and kept in $BENCH_CACHE/prom-20000x1000/: ../shared/bench/gen-prom.py
# (exposition text, ms timestamps) -> OpenMetrics (no '#' lines, timestamps in seconds, '# EOF')
# -> `promtool tsdb create-blocks-from openmetrics` (it mmaps its input, so a FIFO won't do: the
# .om file, ~5 GB, is deleted once the blocks exist). The creation time is printed when built.
# Then: tsdb-import into an empty directory on disk, best of three (samples/s, CPU user+sys, peak
# RSS), one run under --mem-limit 64MiB; and, when the binaries exist, the server's own path side
# by side: `vmctl prometheus --prom-snapshot` into a fresh single-node victoria-metrics, timed from
# vmctl's start until every row is in a file part on disk (vm_rows of storage/small+big = samples,
# nothing pending or in memory in storage and indexdb).
# Targets: >= 10M samples/s, peak RSS < 512 MiB.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$(cd "$top/${1:-build}" && pwd)/bin}
BENCH_CACHE=${BENCH_CACHE:-/tmp/vmtsdb-bench}
GEN=${GEN:-$top/../shared/bench/gen-prom.py}
PROMTOOL=${PROMTOOL:-promtool}
VM_BIN=${VM_BIN:-/tmp/vm/bin-v1.148.0/victoria-metrics}
VMCTL_BIN=${VMCTL_BIN:-/tmp/vm/bin-v1.148.0/vmctl}
mkdir -p "$BENCH_CACHE"
blocks="$BENCH_CACHE/prom-20000x1000"

# ---- the blocks, once
if ! ls "$blocks"/*/meta.json >/dev/null 2>&1; then
  if ! command -v "$PROMTOOL" >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # The real Prometheus writes the blocks: Debian's package (bench only; make test does not need it).
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1 || true
  fi
  command -v "$PROMTOOL" >/dev/null || { echo "prom-import bench: needs promtool (Debian package prometheus)"; exit 1; }
  om="$BENCH_CACHE/prom-20000x1000.om"
  rm -rf "$blocks" "$blocks.tmp" "$om"
  trap 'rm -rf "$om" "$blocks.tmp"' EXIT
  echo "generating $blocks (gen-prom.py -> OpenMetrics -> promtool) ..." >&2
  t0=$(date +%s.%N)
  python3 "$GEN" --series 20000 --points 1000 --start-ms 1714521600000 --step-ms 15000 --seed 1 | python3 -c '
import sys
w = sys.stdout.buffer.write
for line in sys.stdin.buffer:
    if line[:1] == b"#" or line == b"\n":
        continue
    i = line.rindex(b" ")
    ts = line[i + 1:].rstrip()          # milliseconds -> seconds with 3 decimals
    w(line[:i + 1] + ts[:-3] + b"." + ts[-3:] + b"\n")
w(b"# EOF\n")' >"$om"
  t1=$(date +%s.%N)
  /usr/bin/time -f "%e %U %S %M" -o "$om.time" "$PROMTOOL" tsdb create-blocks-from openmetrics "$om" "$blocks.tmp" >"$om.log" 2>&1 \
    || { cat "$om.log" >&2; exit 1; }
  read -r p_wall p_user p_sys p_rss <"$om.time"
  om_bytes=$(stat -c %s "$om")
  sed 's/^/  /' "$om.log"
  rm -f "$om" "$om.time" "$om.log"
  mv "$blocks.tmp" "$blocks"
  trap - EXIT
  python3 - "$t0" "$t1" "$om_bytes" "$p_wall" "$p_user" "$p_sys" "$p_rss" <<'PY'
import sys
t0, t1, om, wall, user, sys_, rss = map(float, sys.argv[1:8])
print(f"block creation: {t1 - t0 + wall:.1f} s = gen-prom.py + convert {t1 - t0:.1f} s ({om / 1e9:.2f} GB OpenMetrics)"
      f" + promtool {wall:.1f} s (cpu {user + sys_:.1f} s, peak rss {rss / 1024:.0f} MiB)")
PY
fi
nblocks=$(ls "$blocks"/*/meta.json | wc -l)
expected=$(python3 -c 'import json, sys; print(sum(json.load(open(f))["stats"]["numSamples"] for f in sys.argv[1:]))' "$blocks"/*/meta.json)
echo "blocks: $nblocks in $blocks, $expected samples (meta.json), $(du -sm "$blocks" | cut -f1) MB"
cat "$blocks"/*/index "$blocks"/*/chunks/* >/dev/null  # warm the page cache: the blocks are read, not the disk measured

status=0
check() {  # what got
  if [ "$2" != "$expected" ]; then echo "MISMATCH: $1 = $2 samples, blocks hold $expected"; status=1; fi
}

# ---- tsdb-import
out="$BENCH_CACHE/prom-import-out.$$"
vmdata="$BENCH_CACHE/prom-import-vm.$$"
vm_pid=""
cleanup() {
  if [ -n "$vm_pid" ] && kill -0 "$vm_pid" 2>/dev/null; then kill -INT "$vm_pid"; wait "$vm_pid" 2>/dev/null || true; fi
  rm -rf "$out" "$out.time" "$out.err" "$vmdata" "$vmdata.log" "$vmdata.ctl" "$vmdata.time"
}
trap cleanup EXIT

run() {  # extra options...
  rm -rf "$out"
  local tries=0
  # a binary being replaced by a concurrent build fails to exec: retry a few times
  until /usr/bin/time -f "%e %U %S %M" -o "$out.time" "$BIN/tsdb-import" --from prometheus -s "$out" --retention 100y "$@" "$blocks" 2>"$out.err"; do
    tries=$((tries + 1))
    if [ $tries -ge 5 ] || ! grep -qiE 'text file busy|no such file|cannot run' "$out.err"; then cat "$out.err" >&2; return 1; fi
    sleep 2; rm -rf "$out"
  done
  read -r wall user sys rss_kb <"$out.time"
}

best=""
for _ in 1 2 3; do
  run
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $wall < $best else 1)"; then
    best=$wall; b_user=$user; b_sys=$sys; b_rss=$rss_kb
    summary=$(grep -E 'input:|samples:|done:' "$out.err" | sed 's/^/  /')
  fi
done
samples=$(grep -oE 'accepted=[0-9]+' "$out.err" | cut -d= -f2)
read_n=$(grep -E 'input:' "$out.err" | grep -oE ' samples=[0-9]+' | cut -d= -f2)
check "tsdb-import input samples" "$read_n"
check "tsdb-import accepted" "$samples"
python3 - "$samples" "$best" "$b_user" "$b_sys" "$b_rss" <<'PY'
import sys
n, wall, user, sys_, rss = int(sys.argv[1]), *map(float, sys.argv[2:6])
print(f"import: {n} samples in {wall:.2f} s = {n / wall / 1e6:.2f}M samples/s (target >= 10M)")
print(f"cpu: {user + sys_:.2f} s (user {user:.2f}, sys {sys_:.2f})")
print(f"peak rss: {rss / 1024:.0f} MiB (target < 512)")
PY
echo "$summary"
table="tsdb-import $samples $best $(echo "$b_user + $b_sys" | bc) $b_rss"
run --mem-limit 64MiB
m_samples=$(grep -oE 'accepted=[0-9]+' "$out.err" | cut -d= -f2)
check "tsdb-import --mem-limit 64MiB accepted" "$m_samples"
echo "mem-limit 64MiB: peak rss $(((rss_kb + 512) / 1024)) MiB, $wall s, $(grep -oE 'early_flushes=[0-9]+' "$out.err")"
table="$table
tsdb-import_--mem-limit_64MiB $m_samples $wall $(echo "$user + $sys" | bc) $rss_kb"
rm -rf "$out"

# ---- vmctl prometheus -> victoria-metrics
if [ ! -x "$VM_BIN" ] || [ ! -x "$VMCTL_BIN" ]; then
  echo "vmctl: skipped ($VM_BIN or $VMCTL_BIN not found; set VM_BIN and VMCTL_BIN)"
else
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  addr="http://127.0.0.1:$port"
  rm -rf "$vmdata"
  "$VM_BIN" -retentionPeriod=100y -storageDataPath="$vmdata" -httpListenAddr="127.0.0.1:$port" >"$vmdata.log" 2>&1 &
  vm_pid=$!
  for _ in $(seq 100); do curl -sf "$addr/health" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf "$addr/health" >/dev/null || { echo "victoria-metrics did not start:"; tail -5 "$vmdata.log"; exit 1; }
  tck=$(getconf CLK_TCK)
  cpu0=$(awk '{print $14 + $15}' "/proc/$vm_pid/stat")
  t0=$(date +%s.%N)
  /usr/bin/time -f "%e %U %S %M" -o "$vmdata.time" "$VMCTL_BIN" prometheus --prom-snapshot="$blocks" --vm-addr="$addr" -s \
    --disable-progress-bar >"$vmdata.ctl" 2>&1 || { echo "vmctl failed:"; tail -20 "$vmdata.ctl"; exit 1; }
  t_ctl=$(date +%s.%N)
  read -r c_wall c_user c_sys c_rss <"$vmdata.time"
  curl -sf "$addr/internal/force_flush" >/dev/null
  # durable: all rows in file parts (storage/small + storage/big), none pending or in in-memory parts,
  # the index entries too (in-memory parts reach disk every -inmemoryDataFlushInterval, 5 s)
  durable=""
  for _ in $(seq 3000); do
    read -r ondisk notyet < <(curl -s "$addr/metrics" | awk '
      /^vm_rows\{type="storage\/(small|big)"\}/ { d += $2 }
      /^vm_rows\{type="(storage|indexdb)\/inmemory"\}/ || /^vm_pending_rows\{/ { m += $2 }
      END { printf "%.0f %.0f\n", d, m }')
    if [ "$ondisk" = "$expected" ] && [ "$notyet" = 0 ]; then durable=1; break; fi
    sleep 0.2
  done
  t1=$(date +%s.%N)
  [ -n "$durable" ] || { echo "victoria-metrics: not durable after 600 s (rows on disk $ondisk, in memory/pending $notyet)"; status=1; }
  cpu1=$(awk '{print $14 + $15}' "/proc/$vm_pid/stat")
  s_rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$vm_pid/status")
  vm_cpu=$(echo "scale=2; ($cpu1 - $cpu0) / $tck" | bc)
  ctl_n=$(grep -oE 'total samples: [0-9]+' "$vmdata.ctl" | grep -oE '[0-9]+$' || echo "?")
  check "vmctl total samples" "$ctl_n"
  check "victoria-metrics rows on disk" "$ondisk"
  grep -iE 'error|warn|retries' "$vmdata.ctl" | grep -vE 'retries: 0;' | sed 's/^/  vmctl: /' || true
  kill -INT "$vm_pid"; wait "$vm_pid" 2>/dev/null || true; vm_pid=""
  python3 - "$ctl_n" "$t0" "$t_ctl" "$t1" "$c_wall" "$c_user" "$c_sys" "$c_rss" "$vm_cpu" "$s_rss" <<'PY'
import sys
n = int(sys.argv[1]); t0, t_ctl, t1, c_wall, c_user, c_sys, c_rss, s_cpu, s_rss = map(float, sys.argv[2:11])
wall = t1 - t0
print(f"vmctl -> victoria-metrics: {n} samples durable in {wall:.2f} s = {n / wall / 1e6:.2f}M samples/s "
      f"(vmctl ran {c_wall:.2f} s, then {t1 - t_ctl:.2f} s to flush)")
print(f"cpu: {c_user + c_sys + s_cpu:.2f} s (vmctl {c_user + c_sys:.2f}, server {s_cpu:.2f})")
print(f"peak rss: vmctl {c_rss / 1024:.0f} MiB, server {s_rss / 1024:.0f} MiB")
PY
  table="$table
vmctl+victoria-metrics $ctl_n $(echo "$t1 - $t0" | bc) $(echo "$c_user + $c_sys + $vm_cpu" | bc) $c_rss+$s_rss"
fi

python3 - "$table" <<'PY'
import sys
rows = [l.split() for l in sys.argv[1].splitlines()]
mib = lambda kb: "+".join(f"{int(k) / 1024:.0f}" for k in kb.split("+"))  # peak RSS in KiB, "a+b" for two processes
head = ("tool", "samples", "wall s", "samples/s", "CPU s", "peak RSS MiB")
cells = [head] + [(t.replace("_", " "), n, f"{float(w):.2f}", f"{int(n) / float(w) / 1e6:.2f}M" if n.isdigit() else "?",
                   f"{float(c):.2f}", mib(r)) for t, n, w, c, r in rows]
width = [max(len(r[i]) for r in cells) for i in range(len(head))]
for r in cells:
    print(" | ".join(c.ljust(width[i]) if i == 0 else c.rjust(width[i]) for i, c in enumerate(r)))
PY
exit $status
