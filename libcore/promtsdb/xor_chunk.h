// XOR chunks: Prometheus' float sample encoding (Gorilla), chunk encoding 1.
//
// Spec: tsdb/docs/format/chunks.md "XOR chunk data"; tsdb/chunkenc/xor.go and bstream.go.
// The data is a big-endian u16 sample count, then a bit stream read most significant bit first:
//   sample 0   t varint (8-bit bytes of the stream) · v as 64 raw bits
//   sample 1   t - t0 uvarint · value
//   sample n   dod of the timestamp: `0` (0), `10`+14 bits, `110`+17, `1110`+20 (two's complement
//              of the width, where the all-ones-but-sign pattern above 2^(w-1) is negative), `1111`+64
//              · value
//   value      `0` same as before; `10` + the previous window's significant bits; `11` + leading
//              zeros (5 bits) + significant bits (6 bits, 0 meaning 64) + those bits: XOR with the
//              previous value, shifted left by the trailing zeros 64 - leading - significant.
// Trailing padding up to a byte is ignored. A stream that ends early, or a window that does not fit
// in 64 bits, is corruption.
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::promtsdb {

struct Sample {
  int64_t t = 0;   // ms
  double v = 0;
};

// Appends the samples of one XOR chunk's data (after the encoding byte) to *out. On error *out
// keeps the samples decoded before the damage and the message says which sample failed.
Status decode_xor(ByteView data, std::vector<Sample>* out);

// The sample count a chunk's data announces (its first two bytes), 0 when it is too short.
inline uint16_t chunk_sample_count(ByteView data) {
  return data.size() < 2 ? 0 : load_u16(data.data());
}

}  // namespace vmt::promtsdb
