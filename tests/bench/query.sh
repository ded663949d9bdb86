# tsdb-inspect analyze / series / labels on generated directories of 10k, 100k and 1M series over
# 3 days (gen-prom.py, one sample per series a day), imported as single-node v1.93.7. Beside them,
# when VMT_VICTORIA_METRICS names a victoria-metrics v1.93.7 binary, the real server on a copy of
# the same directory: /api/v1/status/tsdb?date=1970-01-01 (its whole-storage report, what analyze
# answers without --date), ?date=<a day> (analyze --date) and /api/v1/series?match[]={__name__!=""}
# (series), first (cold) call, wall seconds; the server's peak RSS (VmHWM, start-up included).
# BENCH_QUERY_SIZES overrides the sizes ("10000 100000").
set -u
sizes=${BENCH_QUERY_SIZES:-10000 100000 1000000}
vm=${VMT_VICTORIA_METRICS:-}
I="$BIN/tsdb-inspect"
timed() {  # timed OUT CMD...: wall seconds and peak RSS (MB) of CMD, stdout to OUT
  local out=$1; shift
  /usr/bin/time -f "%e %M" -o "$BENCH_CACHE/time.txt" "$@" >"$out" 2>/dev/null || echo "failed: $*" >&2
  awk '{ printf "%.2f s %4.0f MB", $1, $2 / 1024 }' "$BENCH_CACHE/time.txt"
}
curl_s() {  # curl_s URL: wall seconds of one GET
  local t0 t1; t0=$(date +%s.%N); curl -s -o /dev/null "$1"; t1=$(date +%s.%N)
  python3 -c "print(f'{$t1 - $t0:.2f} s')"
}
printf '%-8s %-22s %-22s %-22s %-22s %-22s\n' series "analyze" "analyze --date" "series (all)" "series --mem-limit 64MiB" "labels"
for n in $sizes; do
  in="$BENCH_CACHE/gen-${n}x3d.prom"
  dir="$BENCH_CACHE/query-$n"
  [ -s "$in" ] || python3 "$GEN" --series "$n" --points 3 --start-ms 1714521600000 --step-ms 86400000 --seed 1 >"$in"
  if [ ! -d "$dir" ]; then
    "$BIN/tsdb-import" --target v1.93.7 -s "$dir" --retention 100y "$in" 2>/dev/null || { echo "import of $n series failed"; continue; }
  fi
  a=$(timed /dev/null "$I" analyze --json "$dir")
  d=$(timed /dev/null "$I" analyze --json --date 2024-05-02 "$dir")
  s=$(timed /dev/null "$I" series "$dir")  # to /dev/null, as curl -o /dev/null takes the server's
  sm=$(timed /dev/null "$I" series --mem-limit 64MiB "$dir")  # sorted runs on disk past 64 MiB
  l=$(timed /dev/null "$I" labels "$dir")
  printf '%-8s %-22s %-22s %-22s %-22s %-22s\n' "$n" "$a" "$d" "$s" "$sm" "$l"
  if [ -n "$vm" ] && [ -x "$vm" ]; then
    copy="$BENCH_CACHE/query-server"
    rm -rf "$copy" && cp -r "$dir" "$copy"
    port=$((20000 + RANDOM % 20000))
    "$vm" -storageDataPath="$copy" -retentionPeriod=100y -httpListenAddr=127.0.0.1:$port -search.maxSeries=100000000 \
      -search.maxUniqueTimeseries=100000000 -search.maxTSDBStatusSeries=100000000 >"$BENCH_CACHE/vm.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    u="http://127.0.0.1:$port/api/v1"
    sa=$(curl_s "$u/status/tsdb?date=1970-01-01&topN=10")
    sd=$(curl_s "$u/status/tsdb?date=2024-05-02&topN=10")
    ss=$(curl_s "$u/series?match%5B%5D=%7B__name__!%3D%22%22%7D&start=1&end=2147483647")
    sl=$(curl_s "$u/labels?start=1&end=2147483647")
    rss=$(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null
    rm -rf "$copy"
    printf '%-8s %-22s %-22s %-22s %-22s %-22s\n' "server" "$sa" "$sd" "$ss" "" "$sl (peak $rss)"
  fi
done
