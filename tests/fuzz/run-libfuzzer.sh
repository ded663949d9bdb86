#!/usr/bin/env bash
# Builds every fuzz target with clang's libFuzzer and runs each for FUZZ_SECONDS (default 30),
# starting from and growing its corpus. Crashes are left as crash-* files in build-fuzz/.
set -euo pipefail
secs=${FUZZ_SECONDS:-30}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
make --no-print-directory CXX=clang++ BUILD=build-fuzz OPT=-O1 \
  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" build-fuzz/libcore.a >/dev/null
for src in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp); name=${name#fuzz_}
  mkdir -p "tests/fuzz/corpus/$name"
  clang++ -std=c++20 -O1 -g -Ilibcore -fsanitize=fuzzer,address,undefined -o "build-fuzz/fuzz-$name" \
    "$src" build-fuzz/libcore.a -lzstd -lxxhash -lz -pthread
  echo "fuzzing $name for ${secs}s" >&2
  (cd build-fuzz && "./fuzz-$name" -max_total_time="$secs" -print_final_stats=0 "$top/tests/fuzz/corpus/$name" 2>&1 | tail -3)
done
