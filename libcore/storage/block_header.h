// BlockHeader: the description of one data block, stored in index blocks: 89 bytes in the cluster,
// 81 in single-node, whose TSID is 24 bytes (metric/tenancy.h); every offset after the TSID is 8
// less there.
//
// Spec: data-part.md §5. Written by part_writer.cpp (inside index blocks, §7), read by
// part_reader.cpp. All fixed-width fields are big-endian; the signed ones are zig-zag first.
//
//   off  0  TSID                   32 bytes (metric/tsid.h)
//   off 32  MinTimestamp           zz i64   first timestamp of the block
//   off 40  MaxTimestamp           zz i64   last timestamp of the block
//   off 48  FirstValue             zz i64   first value mantissa
//   off 56  TimestampsBlockOffset  u64      into timestamps.bin
//   off 64  ValuesBlockOffset      u64      into values.bin
//   off 72  TimestampsBlockSize    u32                                  [<= 131072]
//   off 76  ValuesBlockSize        u32                                  [<= 131072]
//   off 80  RowsCount              u32                                  [1 .. 16384]
//   off 84  Scale                  zz i16   decimal exponent of every value in the block
//   off 86  TimestampsMarshalType  u8                                   [0 .. 6]
//   off 87  ValuesMarshalType      u8                                   [0 .. 6]
//   off 88  PrecisionBits          u8                                   [1 .. 64]
// Invariants (blockHeader.validate, checked by decode): the bracketed bounds. Ordering across
// headers (TSID, MinTimestamp) and the data layout are checked by part_reader.cpp.
#pragma once

#include <cstdint>
#include <string>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"
#include "metric/tsid.h"

namespace vmt::storage {

constexpr uint32_t kMaxRowsPerBlock = 8192;        // maxRowsPerBlock: what writers produce
constexpr uint32_t kMaxBlockSize = 65536;          // maxBlockSize: index block flush threshold
constexpr uint32_t kMaxRowsPerBlockRead = 2 * kMaxRowsPerBlock;   // validation limit
constexpr uint32_t kMaxBlockSizeRead = 2 * kMaxBlockSize;         // validation limit (bytes)

struct BlockHeader {
  static constexpr size_t kMaxSize = 89;
  static constexpr size_t size(metric::Tenancy t) { return metric::TSID::size(t) + 57; }

  metric::TSID tsid;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t first_value = 0;
  uint64_t timestamps_block_offset = 0;
  uint64_t values_block_offset = 0;
  uint32_t timestamps_block_size = 0;
  uint32_t values_block_size = 0;
  uint32_t rows_count = 0;
  int16_t scale = 0;
  uint8_t timestamps_marshal_type = 0;
  uint8_t values_marshal_type = 0;
  uint8_t precision_bits = 0;

  void encode(Bytes& out, metric::Tenancy t) const;  // appends exactly size(t) bytes; never fails
  // Decodes without validation from p[0..size(t)) (caller checked the bounds).
  static BlockHeader load(const char* p, metric::Tenancy t);
  // Consumes exactly one header and validates it.
  static Result<BlockHeader> decode(ByteReader& in, metric::Tenancy t);
  // blockHeader.validate: the bracketed bounds above. Messages name the field as the spec does.
  Status validate() const;

  bool operator==(const BlockHeader& o) const;
  std::string to_string() const;  // one line for dumps and error messages
};

}  // namespace vmt::storage
