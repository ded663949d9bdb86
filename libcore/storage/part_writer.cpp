#include "storage/part_writer.h"

#include <algorithm>

#include "encoding/zstd.h"

namespace vmt::storage {

namespace {
constexpr const char* kFileNames[4] = {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"};
}

int compress_level_for_merge(double rows_per_block) {
  if (rows_per_block <= 10) return -5;
  if (rows_per_block <= 50) return -2;
  if (rows_per_block <= 200) return -1;
  if (rows_per_block <= 500) return 1;
  if (rows_per_block <= 1000) return 2;
  if (rows_per_block <= 2000) return 3;
  if (rows_per_block <= 4000) return 4;
  return 5;
}

// ---- sinks ---------------------------------------------------------------------------------------

Status DirPartSink::open(const std::string& dir) {
  dir_ = dir;
  VMT_TRY(fs::mkdir_p(dir));
  for (int i = 0; i < 4; ++i) VMT_TRY(files_[i].open(fs::join(dir, kFileNames[i])));
  return Status::ok();
}

Status DirPartSink::append(PartStream stream, ByteView data) {
  return files_[int(stream)].write(data);
}

Status DirPartSink::finish(const PartHeader& header) {
  // §15.A step 3: timestamps.bin → values.bin → index.bin → metaindex.bin, each fsync + close
  // (all four flushed and their writeback started first); step 4 metadata.json; step 5 the part
  // directory.
  for (auto& f : files_) VMT_TRY(f.flush_and_start_writeback());
  for (auto& f : files_) VMT_TRY(f.close());
  VMT_TRY(header.write_dir(dir_));
  return fs::fsync_path(dir_);
}

MemoryPartSink::MemoryPartSink(InmemoryPart* part) : part_(part) { part_->clear(); }

Status MemoryPartSink::append(PartStream stream, ByteView data) {
  switch (stream) {
    case PartStream::kTimestamps: part_->timestamps.append(data); break;
    case PartStream::kValues: part_->values.append(data); break;
    case PartStream::kIndex: part_->index.append(data); break;
    case PartStream::kMetaindex: part_->metaindex.append(data); break;
  }
  return Status::ok();
}

Status MemoryPartSink::finish(const PartHeader& header) {
  part_->header = header;
  return Status::ok();
}

// ---- writer --------------------------------------------------------------------------------------

Status PartWriter::open_dir(const std::string& dir, metric::Tenancy tenancy, int compress_level) {
  auto sink = std::make_unique<DirPartSink>();
  VMT_TRY(sink->open(dir));
  owned_sink_ = std::move(sink);
  open(owned_sink_.get(), tenancy, compress_level);
  return Status::ok();
}

void PartWriter::open_memory(InmemoryPart* part, metric::Tenancy tenancy, int compress_level) {
  owned_sink_ = std::make_unique<MemoryPartSink>(part);
  part->tenancy = tenancy;
  open(owned_sink_.get(), tenancy, compress_level);
}

void PartWriter::open(PartSink* sink, metric::Tenancy tenancy, int compress_level) {
  sink_ = sink;
  tenancy_ = tenancy;
  level_ = compress_level;
  closed_ = false;
  sticky_ = Status::ok();
  ph_ = PartHeader();
  for (auto& o : offsets_) o = 0;
  index_buf_.clear();
  metaindex_buf_.clear();
  mr_ = MetaindexRow();
  prev_ts_.clear();
  prev_ts_off_ = 0;
  have_prev_ = false;
  min_backwards_ = 0;
  index_buf_.reserve(kMaxBlockSize + BlockHeader::kMaxSize);
}

Status PartWriter::append(PartStream stream, ByteView data) {
  if (data.empty()) return Status::ok();
  Status st = sink_->append(stream, data);
  if (!st.is_ok()) {
    sticky_ = st;
    return st;
  }
  offsets_[int(stream)] += data.size();
  return Status::ok();
}

Status PartWriter::flush_index_block() {
  // blockStreamWriter.flushIndexData.
  if (index_buf_.empty()) return Status::ok();
  compressed_.clear();
  zstd::compress(compressed_, index_buf_, level_);
  mr_.index_block_offset = offsets_[int(PartStream::kIndex)];
  mr_.index_block_size = uint32_t(compressed_.size());
  VMT_TRY(append(PartStream::kIndex, compressed_));
  mr_.encode(metaindex_buf_, tenancy_);
  index_buf_.clear();
  mr_ = MetaindexRow();
  return Status::ok();
}

Status PartWriter::write_raw(const BlockHeader& bh_in, ByteView timestamps_data, ByteView values_data) {
  if (sink_ == nullptr || closed_) return invalid_argument("PartWriter: not open");
  if (!sticky_.is_ok()) return sticky_;
  BlockHeader bh = bh_in;
  bh.timestamps_block_size = uint32_t(timestamps_data.size());
  bh.values_block_size = uint32_t(values_data.size());
  // Refuse what the reader would reject, before anything is written (not sticky).
  auto refuse = [&](const std::string& msg) {
    return invalid_argument("PartWriter: block " + std::to_string(ph_.blocks_count) + " (TSID " +
                            bh.tsid.to_string() + "): " + msg);
  };
  if (timestamps_data.size() > kMaxBlockSizeRead || values_data.size() > kMaxBlockSizeRead) {
    return refuse("data block of " + std::to_string(std::max(timestamps_data.size(), values_data.size())) +
                  " bytes exceeds " + std::to_string(kMaxBlockSizeRead));
  }
  if (Status st = bh.validate(); !st.is_ok()) return refuse(st.message());
  if (bh.min_timestamp > bh.max_timestamp) return refuse("MinTimestamp > MaxTimestamp");
  if (have_prev_ && bh.tsid < prev_.tsid) return refuse("TSID is smaller than the previous block's");
  const bool backwards = have_prev_ && bh.tsid == prev_.tsid && bh.min_timestamp < prev_.min_timestamp;
  if (backwards && !allow_min_backwards_) {
    return refuse("MinTimestamp is smaller than that of the previous block of the same series");
  }

  // §6: reuse the last stored timestamps block when the bytes are identical and non-empty.
  const bool reuse = !prev_ts_.empty() && ByteView(prev_ts_) == timestamps_data;
  bh.timestamps_block_offset = reuse ? prev_ts_off_ : offsets_[int(PartStream::kTimestamps)];
  bh.values_block_offset = offsets_[int(PartStream::kValues)];

  bh.encode(index_buf_, tenancy_);
  mr_.register_block_header(bh);
  if (index_buf_.size() >= kMaxBlockSize) VMT_TRY(flush_index_block());   // v1.93.7: after appending
  if (!reuse) {
    prev_ts_.assign(timestamps_data);
    prev_ts_off_ = offsets_[int(PartStream::kTimestamps)];
    VMT_TRY(append(PartStream::kTimestamps, timestamps_data));
  }
  VMT_TRY(append(PartStream::kValues, values_data));
  ph_.update(bh);
  prev_ = bh;
  have_prev_ = true;
  min_backwards_ += backwards;
  return Status::ok();
}

Status PartWriter::check_rows(size_t n, uint8_t precision_bits) {
  if (n == 0 || n > kMaxRowsPerBlockRead) {
    return invalid_argument("PartWriter: a block needs 1.." + std::to_string(kMaxRowsPerBlockRead) +
                            " rows; got " + std::to_string(n));
  }
  if (precision_bits < 1 || precision_bits > 64) {
    return invalid_argument("PartWriter: PrecisionBits must be in 1..64; got " + std::to_string(precision_bits));
  }
  return Status::ok();
}

Status PartWriter::write_rows(const metric::TSID& tsid, const int64_t* timestamps, const int64_t* values,
                              size_t n, int16_t scale, uint8_t precision_bits) {
  VMT_TRY(check_rows(n, precision_bits));
  BlockHeader bh;
  bh.tsid = tsid;
  encode_block(bh, ts_buf_, values_buf_, timestamps, values, n, scale, precision_bits);
  return write_raw(bh, ts_buf_, values_buf_);
}

Status PartWriter::write_block(const Block& b) {
  if (b.timestamps.size() != b.values.size()) {
    return invalid_argument("PartWriter: block has " + std::to_string(b.timestamps.size()) +
                            " timestamps and " + std::to_string(b.values.size()) + " values");
  }
  return write_rows(b.header.tsid, b.timestamps.data(), b.values.data(), b.timestamps.size(), b.header.scale,
                    b.header.precision_bits);
}

Status PartWriter::close(int64_t min_dedup_interval_ms) {
  if (sink_ == nullptr || closed_) return invalid_argument("PartWriter: not open");
  closed_ = true;
  if (!sticky_.is_ok()) return sticky_;
  VMT_TRY(flush_index_block());
  compressed_.clear();
  zstd::compress(compressed_, metaindex_buf_, level_);
  VMT_TRY(append(PartStream::kMetaindex, compressed_));
  ph_.min_dedup_interval = min_dedup_interval_ms;
  Status st = sink_->finish(ph_);
  sink_ = nullptr;
  owned_sink_.reset();
  return st;
}

}  // namespace vmt::storage
