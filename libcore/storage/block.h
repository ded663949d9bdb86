// Block: one data block decoded, and the codec between it and its two data blocks.
//
// Spec: data-part.md §5-§6, §10 step 5 (MarshalData); encoding.md §4 (int64 columns), §8
// (timestamp post-processing on read), §9 (decimal mantissas). The data blocks live in
// timestamps.bin / values.bin at the offsets of the block header; part_reader.cpp reads them,
// part_writer.cpp writes them.
//
//   timestamps data = int64 column of RowsCount timestamps, first = MinTimestamp,
//                     type TimestampsMarshalType, encoded with PrecisionBits
//   values data     = int64 column of RowsCount mantissas, first = FirstValue,
//                     type ValuesMarshalType, encoded with PrecisionBits
//   float value i   = values[i] * 10^Scale  (special mantissas: ±Inf, stale NaN)
//
// Invariants after decode: exactly RowsCount items in each column; timestamps non-decreasing
// within [MinTimestamp, MaxTimestamp] when PrecisionBits < 64 (repaired, as VM does) or when the
// type is plain 5/6 (checked, as VM does).
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "storage/block_header.h"

namespace vmt::storage {

struct Block {
  BlockHeader header;
  std::vector<int64_t> timestamps;
  std::vector<int64_t> values;   // decimal mantissas, exponent header.scale

  size_t rows() const { return timestamps.size(); }
  // Appends the float values (decimal::append_decimal_to_float with header.scale).
  void append_float_values(std::vector<double>& out) const;
};

// The two halves of Block.UnmarshalData, for callers that report each column's file separately.
// `out` is replaced (its capacity is reused). With `check_all_types`, lossless timestamps of every
// marshal type (not only 5/6) must be non-decreasing within [MinTimestamp, MaxTimestamp]: the
// invariant of data-part.md §10.3 that VM relies on but checks only for the plain types.
Status decode_timestamps(const BlockHeader& bh, ByteView data, std::vector<int64_t>& out,
                         bool check_all_types = false);
Status decode_values(const BlockHeader& bh, ByteView data, std::vector<int64_t>& out);

// Block.UnmarshalData: decodes both columns of `bh` into `timestamps` and `values` (replaced;
// their capacity is reused). `bh` must have passed BlockHeader::validate (RowsCount is capped).
// Errors name the column, its marshal type and size.
Status decode_block_data(const BlockHeader& bh, ByteView timestamps_data, ByteView values_data,
                         std::vector<int64_t>& timestamps, std::vector<int64_t>& values);
inline Status decode_block(Block& b, ByteView timestamps_data, ByteView values_data) {
  return decode_block_data(b.header, timestamps_data, values_data, b.timestamps, b.values);
}

// Block.MarshalData: encodes n >= 1 sorted timestamps and n mantissas with `precision_bits`.
// Sets every field of `bh` except tsid and the two block offsets (which the part writer owns):
// MinTimestamp = timestamps[0], MaxTimestamp = timestamps[n-1], FirstValue, RowsCount, Scale,
// both marshal types, PrecisionBits and both sizes. The data buffers are cleared first.
void encode_block(BlockHeader& bh, Bytes& timestamps_data, Bytes& values_data,
                  const int64_t* timestamps, const int64_t* values, size_t n, int16_t scale,
                  uint8_t precision_bits);

}  // namespace vmt::storage
