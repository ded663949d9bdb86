#include "mergeset/block_header.h"

#include "base/hex.h"
#include "mergeset/items.h"

namespace vmt::mergeset {

namespace {
size_t varuint_size(uint64_t v) {
  size_t n = 1;
  while (v > 0x7f) { v >>= 7; ++n; }
  return n;
}
}  // namespace

const char* marshal_type_name(MarshalType t) {
  switch (t) {
    case MarshalType::plain: return "plain";
    case MarshalType::zstd: return "zstd";
  }
  return "unknown";
}

void BlockHeader::encode(Bytes& out) const {
  put_bytes(out, common_prefix);
  put_bytes(out, first_item);
  put_u8(out, uint8_t(marshal_type));
  put_u32(out, items_count);
  put_u64(out, items_block_offset);
  put_u64(out, lens_block_offset);
  put_u32(out, items_block_size);
  put_u32(out, lens_block_size);
}

size_t BlockHeader::encoded_size() const {
  return varuint_size(common_prefix.size()) + common_prefix.size() + varuint_size(first_item.size()) +
         first_item.size() + 1 + 4 + 8 + 8 + 4 + 4;
}

Result<BlockHeader> BlockHeader::decode(ByteReader& in) {
  BlockHeader bh;
  VMT_ASSIGN_OR_RETURN(bh.common_prefix, in.bytes("commonPrefix", kMaxItemSize));
  VMT_ASSIGN_OR_RETURN(bh.first_item, in.bytes("firstItem", kMaxItemSize));
  uint64_t mt_offset = in.offset();
  VMT_ASSIGN_OR_RETURN(uint8_t mt, in.u8("marshalType"));
  if (mt > 1) {
    return corruption("offset " + std::to_string(mt_offset) + ": marshalType must be 0 (plain) or 1 (zstd); got " +
                      std::to_string(mt));
  }
  bh.marshal_type = MarshalType(mt);
  VMT_ASSIGN_OR_RETURN(bh.items_count, in.u32("itemsCount"));
  VMT_ASSIGN_OR_RETURN(bh.items_block_offset, in.u64("itemsBlockOffset"));
  VMT_ASSIGN_OR_RETURN(bh.lens_block_offset, in.u64("lensBlockOffset"));
  VMT_ASSIGN_OR_RETURN(bh.items_block_size, in.u32("itemsBlockSize"));
  VMT_ASSIGN_OR_RETURN(bh.lens_block_size, in.u32("lensBlockSize"));
  VMT_TRY(bh.validate());
  return bh;
}

Status BlockHeader::validate() const {
  if (items_count == 0) return corruption("itemsCount must be >= 1; got 0");
  if (items_block_size > kMaxItemsBlockSize) {
    return corruption("itemsBlockSize must be <= " + std::to_string(kMaxItemsBlockSize) + "; got " +
                      std::to_string(items_block_size));
  }
  if (lens_block_size > kMaxLensBlockSize) {
    return corruption("lensBlockSize must be <= " + std::to_string(kMaxLensBlockSize) + "; got " +
                      std::to_string(lens_block_size));
  }
  if (first_item.substr(0, common_prefix.size()) != common_prefix) {
    return corruption("commonPrefix " + item_hex(common_prefix) + " is not a prefix of firstItem " +
                      item_hex(first_item));
  }
  return Status::ok();
}

std::string BlockHeader::to_string() const {
  return "commonPrefix=" + to_hex(common_prefix) + " firstItem=" + to_hex(first_item) +
         " marshalType=" + std::to_string(unsigned(marshal_type)) + "(" + marshal_type_name(marshal_type) +
         ") itemsCount=" + std::to_string(items_count) +
         " itemsBlockOffset=" + std::to_string(items_block_offset) +
         " lensBlockOffset=" + std::to_string(lens_block_offset) +
         " itemsBlockSize=" + std::to_string(items_block_size) +
         " lensBlockSize=" + std::to_string(lens_block_size);
}

}  // namespace vmt::mergeset
