#include "storage/metaindex_row.h"

namespace vmt::storage {

void MetaindexRow::encode(Bytes& out, metric::Tenancy t) const {
  char buf[kMaxSize];
  tsid.store(buf, t);
  char* p = buf + metric::TSID::size(t);  // the fields after the TSID, at their single-node offsets
  store_u32(p + 0, block_headers_count);
  store_u64(p + 4, zigzag64(min_timestamp));
  store_u64(p + 12, zigzag64(max_timestamp));
  store_u64(p + 20, index_block_offset);
  store_u32(p + 28, index_block_size);
  out.append(buf, size(t));
}

MetaindexRow MetaindexRow::load(const char* buf, metric::Tenancy t) {
  MetaindexRow mr;
  mr.tsid = metric::TSID::load(buf, t);
  const char* p = buf + metric::TSID::size(t);
  mr.block_headers_count = load_u32(p + 0);
  mr.min_timestamp = unzigzag64(load_u64(p + 4));
  mr.max_timestamp = unzigzag64(load_u64(p + 12));
  mr.index_block_offset = load_u64(p + 20);
  mr.index_block_size = load_u32(p + 28);
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

Result<MetaindexRow> MetaindexRow::decode(ByteReader& in, metric::Tenancy t) {
  VMT_ASSIGN_OR_RETURN(ByteView b, in.take(size(t), "metaindexRow"));
  MetaindexRow mr = load(b.data(), t);
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

Result<std::vector<MetaindexRow>> decode_metaindex(ByteView decompressed, metric::Tenancy t) {
  const size_t row_size = MetaindexRow::size(t);
  if (decompressed.empty()) return corruption("metaindex must contain at least one row; got 0 bytes");
  if (decompressed.size() % row_size != 0) {
    return corruption("metaindex size " + std::to_string(decompressed.size()) +
                      " is not a multiple of the " + metric::tenancy_name(t) + " row size " +
                      std::to_string(row_size) + " (" + std::to_string(decompressed.size() % row_size) +
                      " trailing bytes)");
  }
  const size_t n = decompressed.size() / row_size;
  std::vector<MetaindexRow> rows;
  rows.reserve(n);  // bounded by the (capped) decompressed size
  for (size_t i = 0; i < n; ++i) {
    const size_t off = i * row_size;
    MetaindexRow mr = MetaindexRow::load(decompressed.data() + off, t);
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
