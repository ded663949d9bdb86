// PartReader's opening (part_reader.h): metadata.json or the legacy name, the files, and the
// metaindex read whole and checked (rows contiguous, sorted, within the part). Streaming and the
// per-block checks are in part_reader.cpp.
#include "storage/part_reader.h"

#include <algorithm>

#include "base/fs.h"
#include "encoding/zstd.h"

namespace vmt::storage {

namespace {

// 16M index blocks (12 billion blocks at 737 per index block) bound the metaindex allocation.
constexpr uint64_t kMaxMetaindexRows = uint64_t(1) << 24;

}  // namespace

Status PartReader::open(const std::string& dir, metric::Tenancy tenancy, const std::string& display) {
  tenancy_ = tenancy;
  if (opened_) return invalid_argument("PartReader: already open");
  display_ = display.empty() ? dir : display;
  auto ph = PartHeader::read_dir(dir, display_);   // metadata.json, or the legacy name (§9.2)
  if (!ph.is_ok()) return ph.take_status();
  ph_ = ph.value();
  VMT_TRY(index_file_.open(fs::join(dir, "index.bin"), display_ + "/index.bin"));
  VMT_TRY(timestamps_file_.open(fs::join(dir, "timestamps.bin"), display_ + "/timestamps.bin"));
  VMT_TRY(values_file_.open(fs::join(dir, "values.bin"), display_ + "/values.bin"));
  PartFile metaindex;
  VMT_TRY(metaindex.open(fs::join(dir, "metaindex.bin"), display_ + "/metaindex.bin"));
  // A zstd frame is never much bigger than its content: bound the read by the decompression cap.
  const uint64_t rows_cap = std::min({ph_.blocks_count, index_file_.size(), kMaxMetaindexRows});
  const uint64_t file_cap = rows_cap * MetaindexRow::size(tenancy_) + rows_cap + 4096;
  if (metaindex.size() > file_cap) {
    return corruption(display_ + "/metaindex.bin: size " + std::to_string(metaindex.size()) +
                      " is too big for BlocksCount=" + std::to_string(ph_.blocks_count) +
                      " of metadata.json and an index.bin of " + std::to_string(index_file_.size()) + " bytes");
  }
  Bytes compressed;
  auto view = metaindex.read_at(0, size_t(metaindex.size()), compressed);
  if (!view.is_ok()) return view.take_status();
  metaindex_size_ = metaindex.size();
  return init(view.value());
}

Status PartReader::open_memory(const PartHeader& header, metric::Tenancy tenancy, ByteView metaindex,
                               ByteView index, ByteView timestamps, ByteView values,
                               const std::string& display) {
  if (opened_) return invalid_argument("PartReader: already open");
  tenancy_ = tenancy;
  display_ = display;
  ph_ = header;
  VMT_TRY_CTX(ph_.validate(), display_ + "/metadata.json");
  index_file_.open_memory(index, display_ + "/index.bin");
  timestamps_file_.open_memory(timestamps, display_ + "/timestamps.bin");
  values_file_.open_memory(values, display_ + "/values.bin");
  metaindex_size_ = metaindex.size();
  return init(metaindex);
}

Status PartReader::init(ByteView metaindex_compressed) {
  const std::string mi_name = display_ + "/metaindex.bin";
  // Every index block holds >= 1 block header and has >= 1 compressed byte, so the number of
  // rows is bounded by BlocksCount and by the size of index.bin: cap the decompression there.
  const uint64_t rows_cap = std::min({ph_.blocks_count, index_file_.size(), kMaxMetaindexRows});
  Bytes data;
  Status st = zstd::decompress(data, metaindex_compressed, size_t(rows_cap * MetaindexRow::size(tenancy_)));
  if (!st.is_ok()) {
    return std::move(st).with_context(mi_name + ": " + std::to_string(metaindex_compressed.size()) +
                                      " bytes (at most " + std::to_string(rows_cap) + " rows fit BlocksCount=" +
                                      std::to_string(ph_.blocks_count) + " of metadata.json and an index.bin of " +
                                      std::to_string(index_file_.size()) + " bytes)");
  }
  auto rows = decode_metaindex(data, tenancy_);
  if (!rows.is_ok()) return rows.take_status().with_context(mi_name);
  mrs_ = std::move(rows).value();

  // The stream reader's checks on the rows (§8, storage-layout.md §4.1), done once up front.
  uint64_t off = 0;
  uint64_t headers = 0;
  for (size_t i = 0; i < mrs_.size(); ++i) {
    const MetaindexRow& mr = mrs_[i];
    const std::string ctx = mi_name + ": metaindex row #" + std::to_string(i) + " of " + std::to_string(mrs_.size()) +
                            " (offset " + std::to_string(i * MetaindexRow::size(tenancy_)) + " in the decompressed metaindex)";
    if (mr.index_block_offset != off) {
      return corruption(ctx + ": IndexBlockOffset must be " + std::to_string(off) +
                        " (index blocks are contiguous); got " + std::to_string(mr.index_block_offset));
    }
    if (mr.block_headers_count > kMaxBlockHeadersPerIndexBlock) {
      return corruption(ctx + ": BlockHeadersCount=" + std::to_string(mr.block_headers_count) +
                        " exceeds the supported maximum " + std::to_string(kMaxBlockHeadersPerIndexBlock));
    }
    headers += mr.block_headers_count;
    if (headers > ph_.blocks_count) {
      return corruption(ctx + ": the index blocks up to this row hold " + std::to_string(headers) +
                        " block headers, more than BlocksCount=" + std::to_string(ph_.blocks_count) +
                        " of metadata.json");
    }
    if (mr.min_timestamp > mr.max_timestamp) {
      return corruption(ctx + ": MinTimestamp cannot exceed MaxTimestamp; got " + std::to_string(mr.min_timestamp) +
                        " vs " + std::to_string(mr.max_timestamp));
    }
    if (mr.min_timestamp < ph_.min_timestamp || mr.max_timestamp > ph_.max_timestamp) {
      return corruption(ctx + ": time range [" + std::to_string(mr.min_timestamp) + ", " + std::to_string(mr.max_timestamp) +
                        "] is outside [" + std::to_string(ph_.min_timestamp) + ", " + std::to_string(ph_.max_timestamp) +
                        "] of metadata.json");
    }
    off += mr.index_block_size;
  }
  if (off != index_file_.size()) {
    return corruption(display_ + "/index.bin: offset " + std::to_string(std::min(off, index_file_.size())) +
                      ": the metaindex describes " + std::to_string(off) + " bytes of index blocks, the file has " +
                      std::to_string(index_file_.size()) + (off > index_file_.size() ? " (truncated)" : " (trailing bytes)"));
  }
  index_seq_.reset(&index_file_);
  timestamps_seq_.reset(&timestamps_file_);
  values_seq_.reset(&values_file_);
  opened_ = true;
  return Status::ok();
}

// ---- error context -------------------------------------------------------------------------------

}  // namespace vmt::storage
