#include "mergeset/metaindex_row.h"

#include "base/hex.h"
#include "mergeset/items.h"
#include "mergeset/block_header.h"

namespace vmt::mergeset {

void MetaindexRow::encode(Bytes& out) const {
  put_bytes(out, first_item);
  put_u32(out, block_headers_count);
  put_u64(out, index_block_offset);
  put_u32(out, index_block_size);
}

Result<MetaindexRow> MetaindexRow::decode(ByteReader& in) {
  MetaindexRow r;
  VMT_ASSIGN_OR_RETURN(r.first_item, in.bytes("firstItem", kMaxItemSize));
  VMT_ASSIGN_OR_RETURN(r.block_headers_count, in.u32("blockHeadersCount"));
  VMT_ASSIGN_OR_RETURN(r.index_block_offset, in.u64("indexBlockOffset"));
  VMT_ASSIGN_OR_RETURN(r.index_block_size, in.u32("indexBlockSize"));
  VMT_TRY(r.validate());
  return r;
}

Status MetaindexRow::validate() const {
  if (block_headers_count == 0) return corruption("blockHeadersCount must be >= 1; got 0");
  if (index_block_size > kMaxIndexBlockSize) {
    return corruption("indexBlockSize must be <= " + std::to_string(kMaxIndexBlockSize) + "; got " +
                      std::to_string(index_block_size));
  }
  return Status::ok();
}

std::string MetaindexRow::to_string() const {
  return "firstItem=" + to_hex(first_item) + " blockHeadersCount=" + std::to_string(block_headers_count) +
         " indexBlockOffset=" + std::to_string(index_block_offset) +
         " indexBlockSize=" + std::to_string(index_block_size);
}

Result<std::vector<MetaindexRow>> decode_metaindex(ByteView decompressed) {
  std::vector<MetaindexRow> rows;
  ByteReader in(decompressed);
  while (!in.empty()) {
    uint64_t at = in.offset();
    auto ctx = [&] { return "metaindex row #" + std::to_string(rows.size()) + " at offset " + std::to_string(at); };
    auto r = MetaindexRow::decode(in);
    if (!r.is_ok()) return r.take_status().with_context(ctx());
    if (!rows.empty() && r->first_item < rows.back().first_item) {
      return corruption(ctx() + ": metaindex rows must be sorted by firstItem; firstItem " + item_hex(r->first_item) +
                        " < previous " + item_hex(rows.back().first_item));
    }
    rows.push_back(*r);
  }
  if (rows.empty()) return corruption("metaindex must contain at least one row; got 0 bytes");
  return rows;
}

}  // namespace vmt::mergeset
