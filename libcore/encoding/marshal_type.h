// MarshalType: how one int64 column of a block (timestamps or values) is stored.
//
// Spec: encoding.md §4.1. The byte lives in the block header (TimestampsMarshalType,
// ValuesMarshalType); the data lives in timestamps.bin / values.bin. Encoder and decoder:
// int64_array.h.
//
//   1 ZSTDNearestDelta2  zstd(ND2 stream)         counters, compressed
//   2 DeltaConst         exactly one varint d     a[i] = a[0] + i*d
//   3 Const              no bytes                 all items equal FirstValue / MinTimestamp
//   4 ZSTDNearestDelta   zstd(ND stream)          gauges, compressed
//   5 NearestDelta2      ND2 stream, plain
//   6 NearestDelta       ND stream, plain
// VM's CheckMarshalType accepts 0..6, but 0 fails to decode ("unknown MarshalType=0").
#pragma once

#include <cstdint>

namespace vmt::encoding {

enum class MarshalType : uint8_t {
  kZstdNearestDelta2 = 1,
  kDeltaConst = 2,
  kConst = 3,
  kZstdNearestDelta = 4,
  kNearestDelta2 = 5,
  kNearestDelta = 6,
};

// "ZSTDNearestDelta2", "DeltaConst", "Const", "ZSTDNearestDelta", "NearestDelta2",
// "NearestDelta"; "unknown" for anything else (including 0).
const char* marshal_type_name(uint8_t t);

// CheckMarshalType: VM accepts 0..6 in a block header (0 then fails when the data is decoded).
inline bool is_valid_marshal_type(uint8_t t) { return t <= 6; }

// MarshalType.NeedsValidation: the plain types 5 and 6 get the timestamp bounds check of §8.
inline bool needs_validation(uint8_t t) {
  return t == uint8_t(MarshalType::kNearestDelta2) || t == uint8_t(MarshalType::kNearestDelta);
}

}  // namespace vmt::encoding
