// BlockHeader: one entry of an index block in a mergeset part's index.bin.
//
// Spec: mergeset.md §6 (fields), §7 (what the payloads hold). Written by part_writer.cpp (headers
// appended to the pending index block), read by part_reader.cpp (index blocks decompressed, then
// decoded header by header). Fixed-width integers are big-endian.
//
//   commonPrefix      varint len + bytes   prefix shared by every item of the block   [<= 65536]
//   firstItem         varint len + bytes   the complete first item                    [<= 65536]
//   marshalType       u8                   0 = plain, 1 = zstd                        [0, 1]
//   itemsCount        u32                  items in the block, INCLUDING firstItem    [>= 1]
//   itemsBlockOffset  u64                  offset of the payload in items.bin
//   lensBlockOffset   u64                  offset of the payload in lens.bin
//   itemsBlockSize    u32                  payload size in items.bin                  [<= 131072]
//   lensBlockSize     u32                  payload size in lens.bin                   [<= 1048576]
//
// Invariants checked by decode: the bracketed bounds, and commonPrefix is a prefix of firstItem
// (v1.93.7 does not check the latter, but every writer satisfies it and the zstd decoder relies on
// it). Sortedness of headers and offset contiguity across blocks are part_reader.cpp's checks.
// The source comment says itemsCount excludes the first item; the code (and real data) include it.
#pragma once

#include <cstdint>
#include <string>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"

namespace vmt::mergeset {

constexpr size_t kMaxItemSize = 65536;                        // longest item v1.93.7 accepts
constexpr size_t kMaxInmemoryBlockSize = 65536;               // maxInmemoryBlockSize (§8)
constexpr uint32_t kMaxItemsBlockSize = 2 * 65536;            // reader limit on itemsBlockSize
constexpr uint32_t kMaxLensBlockSize = 2 * 8 * 65536;         // reader limit on lensBlockSize

enum class MarshalType : uint8_t { plain = 0, zstd = 1 };
const char* marshal_type_name(MarshalType t);  // "plain", "zstd"

struct BlockHeader {
  // Views: into the decompressed index block (reader) or into the block's items (writer). The
  // owner of those bytes must outlive the header.
  ByteView common_prefix;
  ByteView first_item;
  MarshalType marshal_type = MarshalType::plain;
  uint32_t items_count = 0;
  uint64_t items_block_offset = 0;
  uint64_t lens_block_offset = 0;
  uint32_t items_block_size = 0;
  uint32_t lens_block_size = 0;

  void encode(Bytes& out) const;  // appends; never fails
  size_t encoded_size() const;
  // Consumes exactly one header and validates it; views point into `in`'s buffer.
  static Result<BlockHeader> decode(ByteReader& in);
  Status validate() const;
  std::string to_string() const;  // one line for dumps and error messages
};

}  // namespace vmt::mergeset
