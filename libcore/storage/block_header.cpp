#include "storage/block_header.h"

#include "encoding/marshal_type.h"

namespace vmt::storage {

void BlockHeader::encode(Bytes& out) const {
  // One append instead of thirteen: this runs once per block on the write path.
  char p[kSize];
  tsid.store(p);
  store_u64(p + 32, zigzag64(min_timestamp));
  store_u64(p + 40, zigzag64(max_timestamp));
  store_u64(p + 48, zigzag64(first_value));
  store_u64(p + 56, timestamps_block_offset);
  store_u64(p + 64, values_block_offset);
  store_u32(p + 72, timestamps_block_size);
  store_u32(p + 76, values_block_size);
  store_u32(p + 80, rows_count);
  store_u16(p + 84, zigzag16(scale));
  p[86] = char(timestamps_marshal_type);
  p[87] = char(values_marshal_type);
  p[88] = char(precision_bits);
  out.append(p, kSize);
}

BlockHeader BlockHeader::load(const char* p) {
  BlockHeader bh;
  bh.tsid = metric::TSID::load(p);
  bh.min_timestamp = unzigzag64(load_u64(p + 32));
  bh.max_timestamp = unzigzag64(load_u64(p + 40));
  bh.first_value = unzigzag64(load_u64(p + 48));
  bh.timestamps_block_offset = load_u64(p + 56);
  bh.values_block_offset = load_u64(p + 64);
  bh.timestamps_block_size = load_u32(p + 72);
  bh.values_block_size = load_u32(p + 76);
  bh.rows_count = load_u32(p + 80);
  bh.scale = unzigzag16(load_u16(p + 84));
  bh.timestamps_marshal_type = uint8_t(p[86]);
  bh.values_marshal_type = uint8_t(p[87]);
  bh.precision_bits = uint8_t(p[88]);
  return bh;
}

Result<BlockHeader> BlockHeader::decode(ByteReader& in) {
  VMT_ASSIGN_OR_RETURN(ByteView b, in.take(kSize, "blockHeader"));
  BlockHeader bh = load(b.data());
  VMT_TRY(bh.validate());
  return bh;
}

Status BlockHeader::validate() const {
  if (rows_count == 0) return corruption("RowsCount must be > 0; got 0");
  if (rows_count > kMaxRowsPerBlockRead) {
    return corruption("RowsCount must be <= " + std::to_string(kMaxRowsPerBlockRead) + "; got " +
                      std::to_string(rows_count));
  }
  if (!encoding::is_valid_marshal_type(timestamps_marshal_type)) {
    return corruption("TimestampsMarshalType must be in 0..6; got " +
                      std::to_string(timestamps_marshal_type));
  }
  if (!encoding::is_valid_marshal_type(values_marshal_type)) {
    return corruption("ValuesMarshalType must be in 0..6; got " + std::to_string(values_marshal_type));
  }
  if (precision_bits < 1 || precision_bits > 64) {
    return corruption("PrecisionBits must be in 1..64; got " + std::to_string(precision_bits));
  }
  if (timestamps_block_size > kMaxBlockSizeRead) {
    return corruption("TimestampsBlockSize must be <= " + std::to_string(kMaxBlockSizeRead) +
                      "; got " + std::to_string(timestamps_block_size));
  }
  if (values_block_size > kMaxBlockSizeRead) {
    return corruption("ValuesBlockSize must be <= " + std::to_string(kMaxBlockSizeRead) + "; got " +
                      std::to_string(values_block_size));
  }
  return Status::ok();
}

bool BlockHeader::operator==(const BlockHeader& o) const {
  return tsid == o.tsid && min_timestamp == o.min_timestamp && max_timestamp == o.max_timestamp &&
         first_value == o.first_value && timestamps_block_offset == o.timestamps_block_offset &&
         values_block_offset == o.values_block_offset &&
         timestamps_block_size == o.timestamps_block_size && values_block_size == o.values_block_size &&
         rows_count == o.rows_count && scale == o.scale &&
         timestamps_marshal_type == o.timestamps_marshal_type &&
         values_marshal_type == o.values_marshal_type && precision_bits == o.precision_bits;
}

std::string BlockHeader::to_string() const {
  return "TSID=" + tsid.to_string() + " MinTimestamp=" + std::to_string(min_timestamp) +
         " MaxTimestamp=" + std::to_string(max_timestamp) + " FirstValue=" + std::to_string(first_value) +
         " TimestampsBlockOffset=" + std::to_string(timestamps_block_offset) +
         " ValuesBlockOffset=" + std::to_string(values_block_offset) +
         " TimestampsBlockSize=" + std::to_string(timestamps_block_size) +
         " ValuesBlockSize=" + std::to_string(values_block_size) +
         " RowsCount=" + std::to_string(rows_count) + " Scale=" + std::to_string(scale) +
         " TimestampsMarshalType=" + encoding::marshal_type_name(timestamps_marshal_type) +
         " ValuesMarshalType=" + encoding::marshal_type_name(values_marshal_type) +
         " PrecisionBits=" + std::to_string(precision_bits);
}

}  // namespace vmt::storage
