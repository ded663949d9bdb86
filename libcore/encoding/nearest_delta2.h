// Nearest-delta2 (ND2) stream: varint(a[1]-a[0]) then N-2 zig-zag varints of second differences.
//
// Spec: encoding.md §7 (lib/encoding/nearest_delta2.go). Stored as MarshalType 5 (plain) or 1
// (zstd of this stream); chosen for counters and timestamps by encode_int64_array.
//
// The first difference is always exact. With pb < 64 each second difference goes through
// nearest_delta() (nearest_delta.h) applied to the first differences, whose bit length drives the
// truncation; the starting tz comes from the value a[1].
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::encoding {

// Appends the ND2 stream of a[0..n) (n >= 2: exactly n-1 varints). precision_bits is clamped to
// 1..64.
void encode_nearest_delta2(Bytes& out, const int64_t* a, size_t n, uint8_t precision_bits);

// Decodes exactly n >= 2 items into out[0..n). Fails with corruption if n < 2, data holds fewer
// than n-1 varints, a bad varint, or bytes after the last one.
[[nodiscard]] Status decode_nearest_delta2(int64_t* out, ByteView data, int64_t first, size_t n);

}  // namespace vmt::encoding
