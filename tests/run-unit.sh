#!/usr/bin/env bash
# Runs the doctest unit binary and turns doctest's summary into "unit: N passed, M failed".
build=${1:-build}
out=$(mktemp)
"$build/unit-tests" --no-intro=true 2>&1 | tee "$out" | grep -v '^\[doctest\] \(test cases\|assertions\|Status\)' | grep -v '^=*$' || true
line=$(grep '^\[doctest\] test cases:' "$out" | tail -1)
passed=$(echo "$line" | sed -n 's/.*| *\([0-9]*\) passed.*/\1/p')
failed=$(echo "$line" | sed -n 's/.*| *\([0-9]*\) failed.*/\1/p')
rm -f "$out"
if [ -z "$passed" ]; then echo "unit: 0 passed, 1 failed"; exit 1; fi
echo "unit: $passed passed, $failed failed"
[ "$failed" = 0 ]
