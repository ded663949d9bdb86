# Corruption: a copy of the tiny fixture with single-byte flips (every byte of metaindex.bin,
# metadata.json and index.bin of a data part and of the indexdb part, every 7th byte of the
# others), truncations at many lengths, empty and missing files. Every run must end with exit 0 or
# exit 1 naming the damaged file; never a crash, a hang or a sanitizer report (make asan runs this
# too). Silent changes (exit 0, other output) are counted: no checksum exists to catch them.
# Writers too: a copy of every 4th damaged directory is force-merged (data and indexdb), and the
# export after the merge must be the export before it, exit status and bytes (issue 11 item 4).
fixture_copy tiny/storage "$TMP/s"
DP=$(cd "$TMP/s" && ls -d data/small/2023_10/*/ | head -1); DP=${DP%/}
IP=$(cd "$TMP/s" && ls -d indexdb/18EA2420BC13A01A/*/ | head -1); IP=${IP%/}
specs=()
for f in metaindex.bin metadata.json index.bin; do specs+=("$DP/$f:flip:1" "$DP/$f:truncate"); done
for f in timestamps.bin values.bin; do specs+=("$DP/$f:flip:7" "$DP/$f:truncate"); done
for f in metaindex.bin metadata.json index.bin; do specs+=("$IP/$f:flip:1" "$IP/$f:truncate"); done
for f in items.bin lens.bin; do specs+=("$IP/$f:flip:7" "$IP/$f:truncate"); done
specs+=("$DP/index.bin:missing" "$DP/metadata.json:missing" "$IP/items.bin:missing" "data/small/2023_10/parts.json:missing" "indexdb/18EA2420BC13A01A/parts.json:missing")
# corrupt_run LABEL DIR MIN_RUNS SPEC...: corrupt.py over DIR, then the three verdicts.
corrupt_run() {
  local label=$1 dir=$2 min_runs=$3 res runs detected silent crashes unnamed merged laundered
  shift 3
  # The writer runs on every 4th damaged copy (every 16th under the sanitizers, which are slower).
  local every=4
  [ -n "${VMT_SANITIZED:-}" ] && every=16
  res=$(MERGE="$BIN/tsdb-merge" WRITER_EVERY=${WRITER_EVERY:-$every} \
        python3 "$(dirname "${BASH_SOURCE[0]}")/corrupt.py" "$BIN/tsdb-inspect" "$dir" "${VMT_TIMEOUT:-30}" "$@")
  echo "$label: $res" >&2
  eval "$res"
  [ "${runs:-0}" -gt "$min_runs" ] && pass "$label: $runs damaged copies probed" || fail "$label: only ${runs:-0} runs"
  [ "${crashes:-1}" = 0 ] && pass "$label: no crash, hang or sanitizer report" || fail "$label: $crashes crashes"
  [ "${unnamed:-1}" = 0 ] && pass "$label: every error names the damaged file ($detected detected, $silent silent)" || fail "$label: $unnamed errors without the file name"
  [ "${merged:-0}" -gt 0 ] && [ "${laundered:-1}" = 0 ] && pass "$label: $merged force merges of damaged copies served what export served before" ||
    fail "$label: $laundered of ${merged:-0} merges of damaged copies changed what is served"
}
corrupt_run corruption "$TMP/s" 1000 "${specs[@]}"

# The same on a single-node v1.148 directory (81-byte block headers, 56-byte metaindex rows,
# items without a tenant, a per-partition index), every 3rd byte of the small files.
S148="$TMP/s148"
mkdir -p "$S148" && cp -r "$LOCAL/vm-single-1.148/multi/storage-final/." "$S148/" && chmod -R u+w "$S148"
DP=$(cd "$S148" && ls -d data/small/2023_10/*/ | head -1); DP=${DP%/}
IP=$(cd "$S148" && ls -d data/indexdb/2023_10/*/ | head -1); IP=${IP%/}
specs=()
for f in metaindex.bin metadata.json index.bin; do specs+=("$DP/$f:flip:3" "$DP/$f:truncate" "$IP/$f:flip:3" "$IP/$f:truncate"); done
for f in timestamps.bin values.bin; do specs+=("$DP/$f:flip:7"); done
for f in items.bin lens.bin; do specs+=("$IP/$f:flip:7"); done
specs+=("$DP/index.bin:missing" "$IP/items.bin:missing" "data/indexdb/2023_10/parts.json:missing")
corrupt_run "corruption v1.148 single" "$S148" 200 "${specs[@]}"
