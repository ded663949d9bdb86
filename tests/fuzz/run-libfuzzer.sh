#!/usr/bin/env bash
# Builds every fuzz target with clang's libFuzzer and runs each for FUZZ_SECONDS (default 30) or,
# with FUZZ_RUNS, for that many executions (FUZZ_TARGETS picks some), starting from the committed seed corpus
# (tests/fuzz/corpus/NAME, only read) and growing build-fuzz/corpus/NAME. A target that fails to
# build or finds a crash (left as build-fuzz/crash-*) fails the run; every target is tried.
# FUZZ_SANITIZE: the sanitizers (default address,undefined); "undefined" alone runs about twice as
# many executions per second (data_part: 9,000/s against 4,000/s), for long campaigns (its objects
# go to build-fuzz-undefined/).
# FUZZ_MAX_LEN: libFuzzer's -max_len (default: libFuzzer's choice from the corpus).
# FUZZ_ARGS: more libFuzzer flags, e.g. -entropic=0: for targets whose inputs reach many features
# (block_merge), entropic scheduling's bookkeeping is half the time; without it, twice the executions.
set -euo pipefail
secs=${FUZZ_SECONDS:-30}
san=${FUZZ_SANITIZE:-address,undefined}
bdir=build-fuzz; [ "$san" = "address,undefined" ] || bdir=build-fuzz-${san//,/-}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
make --no-print-directory CXX=clang++ BUILD=$bdir OPT=-O1 \
  SAN="-fsanitize=fuzzer-no-link,$san -fno-omit-frame-pointer" $bdir/libcore.a >/dev/null
limit=(-max_total_time="$secs"); what="${secs}s"
if [ -n "${FUZZ_RUNS:-}" ]; then limit=(-runs="$FUZZ_RUNS"); what="$FUZZ_RUNS runs"; fi
if [ -n "${FUZZ_MAX_LEN:-}" ]; then limit+=(-max_len="$FUZZ_MAX_LEN"); fi
# shellcheck disable=SC2206
if [ -n "${FUZZ_ARGS:-}" ]; then limit+=($FUZZ_ARGS); fi
what="$what, $san"
failed=0
for src in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp); name=${name#fuzz_}
  # FUZZ_TARGETS="json_meta zstd": only these (default: every target).
  if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then continue; fi
  mkdir -p "tests/fuzz/corpus/$name" "build-fuzz/corpus/$name"
  # The corpus grows in build-fuzz/corpus whatever the sanitizers: one campaign, however run.
  if ! clang++ -std=c++20 -O1 -g -Ilibcore -fsanitize=fuzzer,$san -o "$bdir/fuzz-$name" \
      "$src" $bdir/libcore.a -lzstd -lxxhash -lz -lre2 -lsimdjson -pthread; then
    echo "fuzz $name: does not build" >&2; failed=$((failed + 1)); continue
  fi
  echo "fuzzing $name for $what" >&2
  if ! (cd build-fuzz && "$top/$bdir/fuzz-$name" "${limit[@]}" -print_final_stats=1 "corpus/$name" \
        "$top/tests/fuzz/corpus/$name" >"fuzz-$name.log" 2>&1); then
    echo "fuzz $name: FAILED (build-fuzz/fuzz-$name.log, build-fuzz/crash-*)" >&2; failed=$((failed + 1))
  fi
  grep -E '^(Done|stat::number_of_executed_units)' "build-fuzz/fuzz-$name.log" | tail -1 | sed "s/^/fuzz $name: /" >&2
done
echo "fuzz: ${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.cpp | wc -l) targets}, $failed failed"
[ "$failed" = 0 ]
