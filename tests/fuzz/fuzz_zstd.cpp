// Fuzz target for encoding/zstd: decompress arbitrary bytes under a cap; never crash, never
// produce more than the cap, and whatever decompresses must survive a compress/decompress round
// trip, at a fast level and stored. surely_larger_than reads the same bytes.
//
// Input layout: cap u16 LE (bytes, times 4) | zstd data...
#include <cstdint>

#include "encoding/zstd.h"

using namespace vmt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t cap = (size_t(data[0]) | (size_t(data[1]) << 8)) * 4;
  const ByteView src(reinterpret_cast<const char*>(data + 2), size - 2);
  // The size guess reads any bytes (its answer is a heuristic's, held to libzstd by the unit test).
  (void)zstd::surely_larger_than(src, 0.9);
  Bytes out = "pre";
  if (!zstd::decompress(out, src, cap).is_ok()) {
    if (out != "pre") __builtin_trap();  // failures leave the output untouched
    return 0;
  }
  if (out.size() - 3 > cap) __builtin_trap();
  const ByteView content = ByteView(out).substr(3);
  // Levels -5..2, and the store level (raw blocks) for every input.
  for (int level : {int(data[0] % 8) - 5, zstd::kStoreLevel}) {
    Bytes frame;
    zstd::compress(frame, content, level);
    Bytes back;
    if (!zstd::decompress(back, frame, content.size()).is_ok()) __builtin_trap();
    if (back != content) __builtin_trap();
  }
  return 0;
}
