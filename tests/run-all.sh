#!/usr/bin/env bash
# make test's runner: unit, e2e and fuzz-corpus replay; prints the three summary lines last and
# exits non-zero if any suite failed.
build=${1:-build}
here=$(dirname "$0")
rc=0
u=$(bash "$here/run-unit.sh" "$build" 2>&1) || rc=1
echo "$u" | grep -v '^unit: '
e=$(bash "$here/e2e/run.sh" "$build" 2>&1) || rc=1
echo "$e" | grep -v '^e2e: '
f=$(bash "$here/fuzz/replay.sh" "$build" 2>&1) || rc=1
echo "$f" | grep -v '^fuzz: '
echo
echo "$u" | grep '^unit: ' || { echo "unit: 0 passed, 1 failed"; rc=1; }
echo "$e" | grep '^e2e: ' || { echo "e2e: 0 passed, 1 failed"; rc=1; }
echo "$f" | grep '^fuzz: ' || { echo "fuzz: 0 passed, 1 failed"; rc=1; }
exit $rc
