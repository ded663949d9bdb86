// Nearest-delta (ND) stream: N-1 zig-zag varints of first differences, optionally lossy.
//
// Spec: encoding.md §6 (lib/encoding/nearest_delta.go). Stored as MarshalType 6 (plain) or 4
// (zstd of this stream); chosen for gauges by encode_int64_array (int64_array.h).
//
// With precision_bits = 64 the differences are exact (wrapping int64). With pb < 64 each
// difference is truncated toward zero to a multiple of 2^tz, where tz follows the bit length of
// the current value minus pb, with VM's hysteresis for resets. The encoder tracks the
// reconstructed value, so errors do not accumulate. The decoder is the same for every pb.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::encoding {

// getTrailingZeros: max(bitlen(|v|) - pb, 0), |MinInt64| counting as 64 bits.
uint8_t nd_trailing_zeros(int64_t v, uint8_t precision_bits);

struct NearestDelta {
  int64_t d;   // the (possibly truncated) difference to emit
  uint8_t tz;  // trailing zeros to use for the next item
};
// nearestDelta(next, prev, precisionBits, prevTrailingZeros), bit-exact.
NearestDelta nearest_delta(int64_t next, int64_t prev, uint8_t precision_bits, uint8_t prev_tz);

// Appends the ND stream of a[0..n) (n >= 1; n == 1 appends nothing). precision_bits is clamped
// to 1..64.
void encode_nearest_delta(Bytes& out, const int64_t* a, size_t n, uint8_t precision_bits);

// Decodes exactly n >= 1 items into out[0..n): first, then n-1 varints added in turn (wrapping).
// Fails with corruption if data holds fewer varints, a bad varint, or bytes after the last one.
[[nodiscard]] Status decode_nearest_delta(int64_t* out, ByteView data, int64_t first, size_t n);

}  // namespace vmt::encoding
