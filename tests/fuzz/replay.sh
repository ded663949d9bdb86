#!/usr/bin/env bash
# Replays every fuzz target over its corpus (tests/fuzz/corpus/<name>/); one case per target.
# A target passes if the replay of all its inputs finishes without a crash or sanitizer report.
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
passed=0; failed=0
for bin in "$build"/fuzz-replay/*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus="$here/corpus/$name"
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
    echo "FAIL fuzz $name: empty corpus $corpus" >&2; failed=$((failed+1)); continue
  fi
  if n=$("$bin" "$corpus" 2>"$build/fuzz-replay/$name.log"); then
    passed=$((passed+1))
  else
    echo "FAIL fuzz $name (see $build/fuzz-replay/$name.log):" >&2; tail -20 "$build/fuzz-replay/$name.log" >&2
    failed=$((failed+1))
  fi
done
# No target at all is a broken build, not a pass.
if [ "$passed" = 0 ] && [ "$failed" = 0 ]; then echo "FAIL fuzz: no replay targets in $build/fuzz-replay" >&2; failed=1; fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
