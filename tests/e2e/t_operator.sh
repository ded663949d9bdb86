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
