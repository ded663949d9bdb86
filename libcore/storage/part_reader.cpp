#include "storage/part_reader.h"

#include <algorithm>

#include "encoding/zstd.h"

namespace vmt::storage {

uint64_t PartReader::size_bytes() const {
  return index_file_.size() + timestamps_file_.size() + values_file_.size() + metaindex_size_;
}

Status PartReader::fail(Status st) {
  if (!st.is_ok() && sticky_.is_ok()) sticky_ = st;
  return st;
}

std::string PartReader::index_block_ctx() const {
  const MetaindexRow& mr = mrs_[pos_.index_block];
  return display_ + "/index.bin: offset " + std::to_string(mr.index_block_offset) + ": index block " +
         std::to_string(pos_.index_block) + " of " + std::to_string(mrs_.size()) + " (" + std::to_string(mr.index_block_size) + " bytes, " +
         std::to_string(mr.block_headers_count) + " block headers per the metaindex)";
}

std::string PartReader::header_ctx(size_t h) const {
  return index_block_ctx() + ": block header #" + std::to_string(h) + " (block " + std::to_string(blocks_read_) + ")";
}

std::string PartReader::data_ctx(const char* file, uint64_t off) const {
  // The header (in index.bin) may be the damaged side, so say where it is.
  return display_ + "/" + file + ": offset " + std::to_string(off) + ": block " + std::to_string(pos_.block) + " (block header #" +
         std::to_string(pos_.header) + " of " + std::to_string(pos_.headers_in_block) + " in index block " + std::to_string(pos_.index_block) +
         " of index.bin, TSID " + cur_.tsid.to_string() + ")";
}

// ---- the stream ----------------------------------------------------------------------------------

Status PartReader::load_index_block() {
  const MetaindexRow& mr = mrs_[mr_next_];
  pos_.index_block = mr_next_++;
  pos_.headers_in_block = mr.block_headers_count;
  hdr_next_ = 0;
  hdrs_in_block_ = 0;
  auto comp = index_seq_.read(mr.index_block_offset, mr.index_block_size);
  if (!comp.is_ok()) return comp.take_status().with_context(index_block_ctx());
  const size_t want = size_t(mr.block_headers_count) * BlockHeader::size(tenancy_);
  index_data_.clear();
  Status st = zstd::decompress(index_data_, comp.value(), want);
  if (!st.is_ok()) return std::move(st).with_context(index_block_ctx());
  if (index_data_.size() != want) {
    return corruption(index_block_ctx() + ": decompressed to " + std::to_string(index_data_.size()) +
                      " bytes; want BlockHeadersCount x " + std::to_string(BlockHeader::size(tenancy_)) + " = " + std::to_string(want));
  }
  hdrs_in_block_ = mr.block_headers_count;
  return Status::ok();
}

Status PartReader::check_header(const BlockHeader& bh, size_t h) {
  pos_.header = h;
  pos_.block = blocks_read_;
  auto err = [&](const std::string& msg) { return corruption(header_ctx(h) + ": " + msg); };
  Status st = bh.validate();
  if (!st.is_ok()) return std::move(st).with_context(header_ctx(h));
  const MetaindexRow& mr = mrs_[pos_.index_block];
  if (h == 0 && bh.tsid != mr.tsid) {
    return err("TSID " + bh.tsid.to_string() + " differs from the metaindex row's TSID " + mr.tsid.to_string());
  }
  if (have_prev_ && bh.tsid < prev_tsid_) {
    return err("TSID " + bh.tsid.to_string() + " is smaller than the previous block's TSID " +
               prev_tsid_.to_string() + " (blocks must be sorted by TSID)");
  }
  if (have_prev_ && bh.tsid == prev_tsid_ && bh.min_timestamp < prev_min_timestamp_ && min_backwards_++ == 0) {
    first_min_backwards_ = header_ctx(h) + ": MinTimestamp=" + std::to_string(bh.min_timestamp) +
                           " is smaller than MinTimestamp=" + std::to_string(prev_min_timestamp_) +
                           " of the previous block of the same series";
  }
  if (bh.min_timestamp > bh.max_timestamp) {
    return err("MinTimestamp cannot exceed MaxTimestamp; got " + std::to_string(bh.min_timestamp) + " vs " +
               std::to_string(bh.max_timestamp));
  }
  if (bh.min_timestamp < ph_.min_timestamp || bh.max_timestamp > ph_.max_timestamp) {
    return err("time range [" + std::to_string(bh.min_timestamp) + ", " + std::to_string(bh.max_timestamp) + "] is outside [" +
               std::to_string(ph_.min_timestamp) + ", " + std::to_string(ph_.max_timestamp) + "] of metadata.json");
  }
  if (bh.min_timestamp < mr.min_timestamp || bh.max_timestamp > mr.max_timestamp) {
    return err("time range [" + std::to_string(bh.min_timestamp) + ", " + std::to_string(bh.max_timestamp) + "] is outside [" +
               std::to_string(mr.min_timestamp) + ", " + std::to_string(mr.max_timestamp) + "] of the metaindex row");
  }
  if (blocks_read_ + 1 > ph_.blocks_count) {
    return err("more blocks than BlocksCount=" + std::to_string(ph_.blocks_count) + " of metadata.json");
  }
  if (rows_read_ + bh.rows_count > ph_.rows_count) {
    return err("the blocks so far hold " + std::to_string(rows_read_ + bh.rows_count) + " rows, more than RowsCount=" +
               std::to_string(ph_.rows_count) + " of metadata.json");
  }
  bool reuse = false;
  VMT_TRY(check_data_layout(bh, h, &reuse));
  accept_header(bh, reuse);
  return Status::ok();
}

// §6: a timestamps block is either the previous stored one (same offset, same size, non-empty) or
// the next one at the running end of timestamps.bin; a values block always the next one; both
// inside their files.
Status PartReader::check_data_layout(const BlockHeader& bh, size_t h, bool* reuse_out) {
  auto err = [&](const std::string& msg) { return corruption(header_ctx(h) + ": " + msg); };
  const bool reuse = prev_ts_size_ > 0 && bh.timestamps_block_offset == prev_ts_off_;
  if (reuse) {
    if (bh.timestamps_block_size != prev_ts_size_) {
      return err("TimestampsBlockSize=" + std::to_string(bh.timestamps_block_size) + " must equal the size " +
                 std::to_string(prev_ts_size_) + " of the reused timestamps block at TimestampsBlockOffset=" +
                 std::to_string(prev_ts_off_));
    }
  } else {
    if (bh.timestamps_block_offset != ts_end_) {
      return err("TimestampsBlockOffset=" + std::to_string(bh.timestamps_block_offset) + " must be " + std::to_string(ts_end_) +
                 " (the end of the previous timestamps block)" +
                 (prev_ts_size_ > 0 ? " or " + std::to_string(prev_ts_off_) + " (reuse of the previous one)" : std::string()));
    }
    if (bh.timestamps_block_size > timestamps_file_.size() - ts_end_) {
      cur_ = bh;
      return corruption(data_ctx("timestamps.bin", ts_end_) + ": TimestampsBlockSize=" +
                        std::to_string(bh.timestamps_block_size) + " reaches past the end of the file (" +
                        std::to_string(timestamps_file_.size()) + " bytes)");
    }
  }
  if (bh.values_block_offset != values_end_) {
    return err("ValuesBlockOffset=" + std::to_string(bh.values_block_offset) + " must be " + std::to_string(values_end_) +
               " (the end of the previous values block)");
  }
  if (bh.values_block_size > values_file_.size() - values_end_) {
    cur_ = bh;
    return corruption(data_ctx("values.bin", values_end_) + ": ValuesBlockSize=" +
                      std::to_string(bh.values_block_size) + " reaches past the end of the file (" +
                      std::to_string(values_file_.size()) + " bytes)");
  }

  *reuse_out = reuse;
  return Status::ok();
}

// A header that passed every check: the running ends, totals and order state move past it.
void PartReader::accept_header(const BlockHeader& bh, bool reuse) {
  cur_reuses_ts_ = reuse;
  if (!reuse) {
    prev_ts_off_ = bh.timestamps_block_offset;
    prev_ts_size_ = bh.timestamps_block_size;
    prev_ts_loaded_ = false;
    ts_end_ += bh.timestamps_block_size;
  }
  values_end_ += bh.values_block_size;
  if (blocks_read_ == 0) {
    min_seen_ = bh.min_timestamp;
    max_seen_ = bh.max_timestamp;
  } else {
    min_seen_ = std::min(min_seen_, bh.min_timestamp);
    max_seen_ = std::max(max_seen_, bh.max_timestamp);
  }
  ++blocks_read_;
  rows_read_ += bh.rows_count;
  have_prev_ = true;
  prev_tsid_ = bh.tsid;
  prev_min_timestamp_ = bh.min_timestamp;
  cur_ = bh;
}

Status PartReader::at_eof() {
  if (min_backwards_ > 0) {
    const std::string more = min_backwards_ > 1 ? " (and " + std::to_string(min_backwards_ - 1) + " more such blocks)" : "";
    warnings_.push_back(first_min_backwards_ + more +
                        ": the server's merge writes such blocks when retention or deduplication trims a block's "
                        "first rows; its range queries may skip them");
  }
  if (ts_end_ != timestamps_file_.size()) {
    warnings_.push_back(display_ + "/timestamps.bin: offset " + std::to_string(ts_end_) + ": " +
                        std::to_string(timestamps_file_.size() - ts_end_) +
                        " bytes after the last timestamps block (never read by the server)");
  }
  if (values_end_ != values_file_.size()) {
    warnings_.push_back(display_ + "/values.bin: offset " + std::to_string(values_end_) + ": " +
                        std::to_string(values_file_.size() - values_end_) +
                        " bytes after the last values block (never read by the server)");
  }
  return Status::ok();
}

Status PartReader::advance(bool* eof) {
  *eof = false;
  if (!sticky_.is_ok()) return sticky_;
  if (!opened_) return invalid_argument("PartReader: not open");
  if (eof_) {
    *eof = true;
    return Status::ok();
  }
  while (hdr_next_ == hdrs_in_block_) {
    if (mr_next_ == mrs_.size()) {
      VMT_TRY(fail(at_eof()));
      eof_ = true;
      *eof = true;
      return Status::ok();
    }
    VMT_TRY(fail(load_index_block()));
  }
  const size_t h = hdr_next_++;
  const BlockHeader bh = BlockHeader::load(index_data_.data() + h * BlockHeader::size(tenancy_), tenancy_);
  return fail(check_header(bh, h));
}

Status PartReader::next_header(BlockHeader& out, bool* eof) {
  VMT_TRY(advance(eof));
  if (!*eof) out = cur_;
  return Status::ok();
}

Status PartReader::read_data(RawBlock& out) {
  out.header = cur_;
  if (cur_reuses_ts_) {
    if (!prev_ts_loaded_) {
      // The stored block was skipped by next_header: fetch it once, out of sequence.
      auto v = timestamps_file_.read_at(prev_ts_off_, prev_ts_size_, scratch_);
      if (!v.is_ok()) return v.take_status().with_context(data_ctx("timestamps.bin", prev_ts_off_));
      prev_ts_.assign(v.value());
      prev_ts_loaded_ = true;
    }
    out.timestamps_data = prev_ts_;
  } else {
    auto v = timestamps_seq_.read(cur_.timestamps_block_offset, cur_.timestamps_block_size);
    if (!v.is_ok()) return v.take_status().with_context(data_ctx("timestamps.bin", cur_.timestamps_block_offset));
    prev_ts_.assign(v.value());   // the next blocks may reuse these bytes
    prev_ts_loaded_ = true;
    out.timestamps_data = prev_ts_;
  }
  auto v = values_seq_.read(cur_.values_block_offset, cur_.values_block_size);
  if (!v.is_ok()) return v.take_status().with_context(data_ctx("values.bin", cur_.values_block_offset));
  out.values_data = v.value();
  return Status::ok();
}

Status PartReader::next_raw(RawBlock& out, bool* eof) {
  VMT_TRY(advance(eof));
  if (*eof) return Status::ok();
  return fail(read_data(out));
}

Status PartReader::next(Block& out, bool* eof) {
  RawBlock raw;
  VMT_TRY(next_raw(raw, eof));
  if (*eof) return Status::ok();
  out.header = raw.header;
  // A block whose data does not decode leaves the stream consistent: not sticky.
  // [extra] §10.3 for every marshal type, not only the plain ones VM checks.
  Status st = decode_timestamps(raw.header, raw.timestamps_data, out.timestamps, /*check_all_types=*/true);
  if (!st.is_ok()) {
    return std::move(st).with_context(data_ctx("timestamps.bin", raw.header.timestamps_block_offset));
  }
  st = decode_values(raw.header, raw.values_data, out.values);
  if (!st.is_ok()) return std::move(st).with_context(data_ctx("values.bin", raw.header.values_block_offset));
  return Status::ok();
}

Status PartReader::verify_totals() const {
  if (!eof_) return invalid_argument(display_ + ": verify_totals before the end of the block stream");
  const std::string ctx = display_ + "/metadata.json: ";
  if (blocks_read_ != ph_.blocks_count) {
    return corruption(ctx + "BlocksCount=" + std::to_string(ph_.blocks_count) + " but index.bin has " + std::to_string(blocks_read_) + " block headers");
  }
  if (rows_read_ != ph_.rows_count) {
    return corruption(ctx + "RowsCount=" + std::to_string(ph_.rows_count) + " but the blocks in index.bin hold " + std::to_string(rows_read_) + " rows");
  }
  if (min_seen_ != ph_.min_timestamp || max_seen_ != ph_.max_timestamp) {
    return corruption(ctx + "[MinTimestamp, MaxTimestamp] = [" + std::to_string(ph_.min_timestamp) + ", " +
                      std::to_string(ph_.max_timestamp) + "] but the blocks in index.bin span [" + std::to_string(min_seen_) + ", " +
                      std::to_string(max_seen_) + "]");
  }
  return Status::ok();
}

}  // namespace vmt::storage
