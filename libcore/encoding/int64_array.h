// One int64 column of a block (timestamps or value mantissas): MarshalType + FirstValue + data.
//
// Spec: encoding.md §4 (marshalInt64Array / unmarshalInt64Array in lib/encoding/encoding.go),
// §5 (isGauge), §8 (EnsureNonDecreasingSequence). The type byte and the first item go into the
// block header (storage/block_header.h); the data goes into timestamps.bin / values.bin.
//
//   encode: Const if all items are equal; else DeltaConst if all differences are equal; else the
//   ND stream (gauges, pb raised by 2 when < 6) or the ND2 stream (counters), zstd-compressed at
//   compress_level_for_items(n) when the plain stream has >= 128 bytes and the frame is at most
//   90% of it.
//   decode: checks everything (type, varint count, trailing bytes, zstd) and never trusts sizes:
//   decompressed streams are capped at 10 bytes per item.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "encoding/marshal_type.h"

namespace vmt::encoding {

// minCompressibleBlockSize: plain streams shorter than this are never compressed.
constexpr size_t kMinCompressibleBlockSize = 128;

struct EncodedInt64s {
  MarshalType type;
  int64_t first;  // MinTimestamp / FirstValue of the block header
};

// Appends the encoded data for a[0..n) (n >= 1) to out, with VM's exact decision procedure.
// precision_bits is 1..64 (clamped); 64 is lossless.
EncodedInt64s encode_int64_array(Bytes& out, const int64_t* a, size_t n, uint8_t precision_bits);

// Decodes exactly n items into out (resized to n). Fails with corruption on an unknown type
// (0 or > 6), a zstd failure, too few varints, trailing bytes, Const with data, or DeltaConst that
// is not exactly one varint. n == 0 is accepted only for Const and DeltaConst, as in VM.
[[nodiscard]] Status decode_int64_array(std::vector<int64_t>& out, ByteView data, uint8_t type,
                                        int64_t first, size_t n);

// isGauge (v1.93.7): negative items or a decrease that stays above prev/8 mean gauge; more than
// two drops to <= prev/8 ("resets") mean gauge when they exceed n/8.
bool is_gauge(const int64_t* a, size_t n);

// getCompressLevel: zstd level for a value/timestamp block of n items (1..5).
int compress_level_for_items(size_t n);

// EnsureNonDecreasingSequence, applied to decoded timestamps when precisionBits < 64:
// ts[0] = min_ts, then a forward pass raising each item to its predecessor, then if the last item
// is not max_ts it becomes max_ts and the items before it that exceed max_ts are lowered to it.
// (VM panics when max_ts < min_ts; this runs the same steps regardless and never fails.)
void ensure_non_decreasing(int64_t* ts, size_t n, int64_t min_ts, int64_t max_ts);

}  // namespace vmt::encoding
