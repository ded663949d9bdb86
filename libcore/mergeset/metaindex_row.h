// MetaindexRow: one entry of a mergeset part's metaindex.bin, describing one index block.
//
// Spec: mergeset.md §5. Written by part_writer.cpp (all rows compressed as ONE zstd frame at
// close), read by part_reader.cpp (whole file, decompressed with a cap, then decode_metaindex).
//
//   firstItem          varint len + bytes   first item of the index block's first block [<= 65536]
//   blockHeadersCount  u32                  headers in the index block                  [>= 1]
//   indexBlockOffset   u64                  offset of the index block's frame in index.bin
//   indexBlockSize     u32                  compressed size of that frame               [<= 131072]
//
// Invariants checked by decode_metaindex: at least one row, the bracketed bounds, rows sorted by
// firstItem (non-decreasing), nothing after the last row. Offset contiguity, the header count
// sum and firstItem == the index block's first header are part_reader.cpp's checks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"

namespace vmt::mergeset {

constexpr uint32_t kMaxIndexBlockSize = 2 * 65536;  // reader limit on indexBlockSize (v1.93.7)

struct MetaindexRow {
  ByteView first_item;  // view into the decompressed metaindex (reader) or the writer's copy
  uint32_t block_headers_count = 0;
  uint64_t index_block_offset = 0;
  uint32_t index_block_size = 0;

  void encode(Bytes& out) const;  // appends; never fails
  static Result<MetaindexRow> decode(ByteReader& in);  // consumes one row and validates it
  Status validate() const;
  std::string to_string() const;
};

// unmarshalMetaindexRows over the whole decompressed metaindex.bin. Rows view into `decompressed`.
// Errors name the row number and its offset in the decompressed bytes.
Result<std::vector<MetaindexRow>> decode_metaindex(ByteView decompressed);

}  // namespace vmt::mergeset
