// MetaindexRow: one entry of metaindex.bin, describing one index block of index.bin.
//
// 64 bytes in the cluster, 56 in single-node (24-byte TSID; metric/tenancy.h): every offset after
// the TSID is 8 less there.
// Spec: data-part.md §8. Written by part_writer.cpp (all rows as ONE zstd frame at close), read by
// part_reader.cpp (whole file, decompressed with a cap). Big-endian, signed fields zig-zag first:
//
//   off  0  TSID               32 bytes   TSID of the first block header in the index block
//   off 32  BlockHeadersCount  u32        headers in the index block                   [> 0]
//   off 36  MinTimestamp       zz i64     min MinTimestamp over those headers
//   off 44  MaxTimestamp       zz i64     max MaxTimestamp over those headers
//   off 52  IndexBlockOffset   u64        offset of the index block in index.bin
//   off 60  IndexBlockSize     u32        compressed size of the index block           [<= 131072]
//
// Invariants checked by decode_metaindex: at least one row, the bracketed bounds, rows sorted by
// TSID (non-strict). Contiguous IndexBlockOffset and the part-header bounds are stream-reader
// checks (part_reader.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"
#include "metric/tsid.h"
#include "storage/block_header.h"

namespace vmt::storage {

struct MetaindexRow {
  static constexpr size_t kMaxSize = 64;
  static constexpr size_t size(metric::Tenancy t) { return metric::TSID::size(t) + 32; }

  metric::TSID tsid;
  uint32_t block_headers_count = 0;
  int64_t min_timestamp = 0;
  int64_t max_timestamp = 0;
  uint64_t index_block_offset = 0;
  uint32_t index_block_size = 0;

  void encode(Bytes& out, metric::Tenancy t) const;  // appends exactly size(t) bytes
  static MetaindexRow load(const char* p, metric::Tenancy t);   // no validation; p has size(t) bytes
  static Result<MetaindexRow> decode(ByteReader& in, metric::Tenancy t);   // consumes one row, validates it
  Status validate() const;

  // metaindexRow.RegisterBlockHeader: the writer's running row for the pending index block.
  void register_block_header(const BlockHeader& bh);
};

// unmarshalMetaindexRows over the decompressed content of metaindex.bin. Errors name the row
// number and its offset in the decompressed bytes.
Result<std::vector<MetaindexRow>> decode_metaindex(ByteView decompressed, metric::Tenancy t);

}  // namespace vmt::storage
