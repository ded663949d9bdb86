# tsdb-inspect export on the issue's 20M-sample directory (100k series x 200 scrapes, gen-prom.py
# seed 1, imported as v1.93.7-cluster, tenant 0:0): wall seconds, CPU/wall and peak RSS, to
# /dev/null. With VMT_VMSTORAGE and VMT_VMSELECT naming v1.93.7-cluster binaries, the real cluster
# on a copy of the same directory beside it: /select/0/prometheus/api/v1/export?match[]={__name__!=""}
# through curl to /dev/null, best of 3 after one warm-up call (the caches it fills are the server's
# own), and vmstorage's + vmselect's peak RSS (VmHWM, start-up included). The ratio is the server's
# seconds over ours. Both exports are counted (lines, samples) so that the two did the same job.
set -u
vmstorage=${VMT_VMSTORAGE:-}
vmselect=${VMT_VMSELECT:-}
in="$BENCH_CACHE/gen-100000x200.prom"
if [ ! -s "$in" ]; then
  python3 "$GEN" --series 100000 --points 200 --start-ms 1714521600000 --step-ms 15000 --seed 1 >"$in.tmp.$$" && mv "$in.tmp.$$" "$in"
fi
dir="$BENCH_CACHE/export-20M"
if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  "$BIN/tsdb-import" --target v1.93.7-cluster -s "$dir" --retention 100y "$in" >/dev/null 2>&1 || { echo "import failed"; exit 1; }
  touch "$dir/.complete"
fi
count() {  # lines and samples of an export on stdin
  python3 -c '
import sys, json
n = s = 0
for line in sys.stdin:
    n += 1; s += len(json.loads(line)["timestamps"])
print(n, s)'
}
best=""
for _ in 1 2 3; do
  /usr/bin/time -f "%e %U %S %M" -o "$BENCH_CACHE/export.time" "$BIN/tsdb-inspect" export "$dir" >/dev/null 2>&1 || echo "export failed"
  read -r wall user sys rss <"$BENCH_CACHE/export.time"
  if [ -z "$best" ] || python3 -c "import sys; sys.exit(not $wall < ${best%% *})"; then
    best="$wall $(python3 -c "print(f'{($user + $sys) / $wall:.2f}')") $((rss / 1024))"
  fi
done
read -r ours ours_cpu ours_rss <<<"$best"
read -r lines samples < <("$BIN/tsdb-inspect" export "$dir" | count)
printf '%-30s %8s %8s %10s %s\n' "export (20M samples)" wall CPU/wall "peak RSS" "series / samples"
printf '%-30s %7.2fs %8s %7s MiB %s\n' "tsdb-inspect export" "$ours" "$ours_cpu" "$ours_rss" "$lines / $samples"
if [ -x "$vmstorage" ] && [ -x "$vmselect" ]; then
  copy="$BENCH_CACHE/export-20M-server"
  rm -rf "$copy" && cp -r "$dir" "$copy" && rm -f "$copy/.complete"
  port=$((20000 + RANDOM % 20000))
  "$vmstorage" -storageDataPath="$copy" -retentionPeriod=100y -httpListenAddr=127.0.0.1:$port \
    -vminsertAddr=127.0.0.1:$((port + 1)) -vmselectAddr=127.0.0.1:$((port + 2)) >"$BENCH_CACHE/vmstorage.log" 2>&1 &
  s=$!
  "$vmselect" -httpListenAddr=127.0.0.1:$((port + 3)) -storageNode=127.0.0.1:$((port + 2)) \
    -cacheDataPath="$copy.cache" -search.maxExportSeries=100000000 -search.maxUniqueTimeseries=100000000 \
    >"$BENCH_CACHE/vmselect.log" 2>&1 &
  q=$!
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && curl -sf "http://127.0.0.1:$((port + 3))/health" >/dev/null && break
    sleep 0.1
  done
  for _ in $(seq 300); do  # vmselect answers /health before it has reached the storage node
    curl -sf "http://127.0.0.1:$((port + 3))/select/0/prometheus/api/v1/series/count" | grep -q success && break
    sleep 0.1
  done
  url="http://127.0.0.1:$((port + 3))/select/0/prometheus/api/v1/export?match%5B%5D=%7B__name__!%3D%22%22%7D&start=0"
  curl -s "$url" | count >"$BENCH_CACHE/export.server.count"
  sbest=""
  for _ in 1 2 3; do
    t0=$(date +%s.%N); curl -s -o /dev/null "$url"; t1=$(date +%s.%N)
    t=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
    if [ -z "$sbest" ] || python3 -c "import sys; sys.exit(not $t < $sbest)"; then sbest=$t; fi
  done
  rss=$(awk '/VmHWM/ { s += $2 } END { printf "%.0f", s / 1024 }' /proc/$s/status /proc/$q/status)
  kill $s $q; wait $s $q 2>/dev/null
  rm -rf "$copy" "$copy.cache"
  printf '%-30s %7.2fs %8s %7s MiB %s\n' "vmselect+vmstorage v1.93.7" "$sbest" "" "$rss" "$(tr ' ' / <"$BENCH_CACHE/export.server.count" | sed 's|/| / |')"
  python3 -c "print(f'ratio (server / ours): {$sbest / $ours:.2f}x')"
fi
