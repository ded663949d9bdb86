#include "storage/metaindex_row.h"

namespace vmt::storage {

void MetaindexRow::encode(Bytes& out) const {
  char p[kSize];
  tsid.store(p);
  store_u32(p + 32, block_headers_count);
  store_u64(p + 36, zigzag64(min_timestamp));
  store_u64(p + 44, zigzag64(max_timestamp));
  store_u64(p + 52, index_block_offset);
  store_u32(p + 60, index_block_size);
  out.append(p, kSize);
}

MetaindexRow MetaindexRow::load(const char* p) {
  MetaindexRow mr;
  mr.tsid = metric::TSID::load(p);
  mr.block_headers_count = load_u32(p + 32);
  mr.min_timestamp = unzigzag64(load_u64(p + 36));
  mr.max_timestamp = unzigzag64(load_u64(p + 44));
  mr.index_block_offset = load_u64(p + 52);
  mr.index_block_size = load_u32(p + 60);
  return mr;
}

Status MetaindexRow::validate() const {
  if (block_headers_count == 0) return corruption("BlockHeadersCount must be > 0; got 0");
  if (index_block_size > kMaxBlockSizeRead) {
    return corruption("IndexBlockSize must be <= " + std::to_string(kMaxBlockSizeRead) + "; got " +
                      std::to_string(index_block_size));
  }
  return Status::ok();
}

Result<MetaindexRow> MetaindexRow::decode(ByteReader& in) {
  VMT_ASSIGN_OR_RETURN(ByteView b, in.take(kSize, "metaindexRow"));
  MetaindexRow mr = load(b.data());
  VMT_TRY(mr.validate());
  return mr;
}

void MetaindexRow::register_block_header(const BlockHeader& bh) {
  ++block_headers_count;
  if (block_headers_count == 1) {
    tsid = bh.tsid;
    min_timestamp = bh.min_timestamp;
    max_timestamp = bh.max_timestamp;
    return;
  }
  if (bh.min_timestamp < min_timestamp) min_timestamp = bh.min_timestamp;
  if (bh.max_timestamp > max_timestamp) max_timestamp = bh.max_timestamp;
}

Result<std::vector<MetaindexRow>> decode_metaindex(ByteView decompressed) {
  if (decompressed.empty()) return corruption("metaindex must contain at least one row; got 0 bytes");
  if (decompressed.size() % MetaindexRow::kSize != 0) {
    return corruption("metaindex size " + std::to_string(decompressed.size()) +
                      " is not a multiple of the row size " + std::to_string(MetaindexRow::kSize) +
                      " (" + std::to_string(decompressed.size() % MetaindexRow::kSize) +
                      " trailing bytes)");
  }
  const size_t n = decompressed.size() / MetaindexRow::kSize;
  std::vector<MetaindexRow> rows;
  rows.reserve(n);  // bounded by the (capped) decompressed size
  for (size_t i = 0; i < n; ++i) {
    const size_t off = i * MetaindexRow::kSize;
    MetaindexRow mr = MetaindexRow::load(decompressed.data() + off);
    auto where = [&] {
      return "metaindex row #" + std::to_string(i) + " of " + std::to_string(n) + " (offset " +
             std::to_string(off) + " in the decompressed metaindex)";
    };
    Status st = mr.validate();
    if (!st.is_ok()) return std::move(st).with_context(where());
    if (i > 0 && mr.tsid < rows.back().tsid) {
      return corruption(where() + ": rows must be sorted by TSID; TSID " + mr.tsid.to_string() +
                        " is smaller than the previous " + rows.back().tsid.to_string());
    }
    rows.push_back(mr);
  }
  return rows;
}

}  // namespace vmt::storage
