#!/usr/bin/env bash
# Runs every tests/e2e/t_*.sh against the built tools; prints "e2e: N passed, M failed".
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
export BIN="$build/bin"
export FIX="${VMT_FIXTURES:-$(cd "$here/../.." && pwd)/../shared/fixtures/vm-cluster-1.93}"
export SHARED="$(dirname "$FIX")"
export LOCAL="$(cd "$here/../fixtures" && pwd)"
export RESULTS=$(mktemp)
if [ ! -d "$FIX" ]; then echo "e2e: fixtures not found at $FIX" >&2; echo "e2e: 0 passed, 1 failed"; exit 1; fi
for t in "$here"/t_*.sh; do
  [ -f "$t" ] || continue
  TMP=$(mktemp -d)
  ( export TMP; source "$here/lib.sh"; cd "$TMP"; source "$t" ) || echo "FAIL $(basename "$t"): script exited $?" >>"$RESULTS"
  rm -rf "$TMP"
done
passed=$(grep -c '^PASS' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
grep '^FAIL' "$RESULTS" | head -50
rm -f "$RESULTS"
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
