#include "storage/block_header.h"

#include "encoding/marshal_type.h"

namespace vmt::storage {

void BlockHeader::encode(Bytes& out, metric::Tenancy t) const {
  // One append instead of thirteen: this runs once per block on the write path.
  char buf[kMaxSize];
  tsid.store(buf, t);
  char* p = buf + metric::TSID::size(t);  // the fields after the TSID, at their single-node offsets
  store_u64(p + 0, zigzag64(min_timestamp));
  store_u64(p + 8, zigzag64(max_timestamp));
  store_u64(p + 16, zigzag64(first_value));
  store_u64(p + 24, timestamps_block_offset);
  store_u64(p + 32, values_block_offset);
  store_u32(p + 40, timestamps_block_size);
  store_u32(p + 44, values_block_size);
  store_u32(p + 48, rows_count);
  store_u16(p + 52, zigzag16(scale));
  p[54] = char(timestamps_marshal_type);
  p[55] = char(values_marshal_type);
  p[56] = char(precision_bits);
  out.append(buf, size(t));
}

BlockHeader BlockHeader::load(const char* buf, metric::Tenancy t) {
  BlockHeader bh;
  bh.tsid = metric::TSID::load(buf, t);
  const char* p = buf + metric::TSID::size(t);
  bh.min_timestamp = unzigzag64(load_u64(p + 0));
  bh.max_timestamp = unzigzag64(load_u64(p + 8));
  bh.first_value = unzigzag64(load_u64(p + 16));
  bh.timestamps_block_offset = load_u64(p + 24);
  bh.values_block_offset = load_u64(p + 32);
  bh.timestamps_block_size = load_u32(p + 40);
  bh.values_block_size = load_u32(p + 44);
  bh.rows_count = load_u32(p + 48);
  bh.scale = unzigzag16(load_u16(p + 52));
  bh.timestamps_marshal_type = uint8_t(p[54]);
  bh.values_marshal_type = uint8_t(p[55]);
  bh.precision_bits = uint8_t(p[56]);
  return bh;
}

Result<BlockHeader> BlockHeader::decode(ByteReader& in, metric::Tenancy t) {
  VMT_ASSIGN_OR_RETURN(ByteView b, in.take(size(t), "blockHeader"));
  BlockHeader bh = load(b.data(), t);
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
