// Fuzz target for encoding/int64_array: decode_int64_array on arbitrary bytes must never crash;
// whatever decodes must survive a lossless re-encode (pb = 64) and decode to the same items.
//
// Input layout: type u8 | first i64 (8 bytes, little-endian) | n u16 LE (capped at 16384) |
//               pb u8 | data...
#include <cstdint>
#include <cstring>
#include <vector>

#include "encoding/int64_array.h"

using namespace vmt;
using namespace vmt::encoding;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 12) return 0;
  const uint8_t type = data[0] & 7;  // 0..7: includes the invalid 0 and 7
  int64_t first;
  std::memcpy(&first, data + 1, 8);
  const size_t n = (size_t(data[9]) | (size_t(data[10]) << 8)) % 16385;
  const uint8_t pb = uint8_t(1 + data[11] % 64);
  const ByteView payload(reinterpret_cast<const char*>(data + 12), size - 12);

  std::vector<int64_t> items;
  if (!decode_int64_array(items, payload, type, first, n).is_ok()) return 0;
  if (items.size() != n) __builtin_trap();
  if (n == 0) return 0;

  // Lossless re-encode must reproduce the items exactly.
  Bytes enc;
  const EncodedInt64s e = encode_int64_array(enc, items.data(), n, 64);
  if (e.first != items[0]) __builtin_trap();
  std::vector<int64_t> again;
  if (!decode_int64_array(again, enc, uint8_t(e.type), e.first, n).is_ok()) __builtin_trap();
  if (again != items) __builtin_trap();

  // Lossy encodes must still decode to n items that start with the first one.
  enc.clear();
  const EncodedInt64s l = encode_int64_array(enc, items.data(), n, pb);
  if (!decode_int64_array(again, enc, uint8_t(l.type), l.first, n).is_ok()) __builtin_trap();
  if (again.size() != n || again[0] != items[0]) __builtin_trap();
  return 0;
}
