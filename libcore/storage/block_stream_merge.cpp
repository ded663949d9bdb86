#include "storage/block_stream_merge.h"

#include <algorithm>
#include <vector>

#include "encoding/decimal.h"
#include "storage/block_write_queue.h"
#include "storage/dedup.h"
#include "storage/merge_rows.h"

namespace vmt::storage {

std::string PartReaderSource::where() const {
  return r_->display() + ": block " + std::to_string(r_->position().block);
}

void BlockMergeStats::add(const BlockMergeStats& o) {
  blocks_in += o.blocks_in;
  rows_in += o.rows_in;
  rows_deleted_series += o.rows_deleted_series;
  rows_deleted_retention += o.rows_deleted_retention;
  rows_retention_filter += o.rows_retention_filter;
  rows_downsampled += o.rows_downsampled;
  rows_merged += o.rows_merged;
  rows_dedup += o.rows_dedup;
  blocks_out += o.blocks_out;
  rows_out += o.rows_out;
  blocks_copied += o.blocks_copied;
  blocks_min_backwards += o.blocks_min_backwards;
}

int compress_level_for_sources(std::span<const PartHeader> headers) {
  uint64_t rows = 0, blocks = 0;
  for (const auto& h : headers) {
    rows += h.rows_count;
    blocks += h.blocks_count;
  }
  return compress_level_for_merge(blocks == 0 ? 0.0 : double(rows) / double(blocks));
}

namespace {

// One source in the heap with its current block.
struct Cursor {
  BlockSource* src = nullptr;
  size_t index = 0;
  RawBlock cur;
};

// blockStreamReaderHeap.Less (blockHeader.Less), with no tie-break of its own: which of two blocks
// with the same MetricID and MinTimestamp comes first is decided by the heap's history exactly as
// in Go's container/heap (sift_down below is its down()), so that overlapping blocks of one series
// are merged in the server's order (their equal timestamps interleave by it, merge.md §4.3).
bool cursor_less(const Cursor* a, const Cursor* b) {
  const BlockHeader& x = a->cur.header;
  const BlockHeader& y = b->cur.header;
  if (x.tsid.metric_id == y.tsid.metric_id) return x.min_timestamp < y.min_timestamp;
  return x.tsid < y.tsid;
}

class Merger {
 public:
  Merger(BlockWriteQueue& dst, const BlockMergeOptions& opt, BlockMergeStats& st) : dst_(dst), opt_(opt), st_(st) {}

  Status run(std::span<BlockSource* const> srcs);

 private:
  enum class State { kEmpty, kRaw, kRows };

  Status advance(Cursor* c, bool* eof);
  void sift_down(size_t i);
  Status process(const Cursor& c);
  void set_raw(const RawBlock& b);
  bool pending_too_big() const;
  // `src` names the block in an error (nullptr: the pending block).
  Status decode_into(const BlockHeader& bh, ByteView ts, ByteView vals, Rows& out, const Cursor* src);
  Status decode_held(bool drop);
  Status merge_slow(const Cursor& c);
  Status write_pending();
  Status write_rows(const BlockHeader& like, Rows& r, size_t n);
  const SeriesRule* rule_of(uint64_t metric_id) const {
    return opt_.series_rules && !opt_.series_rules->empty() ? opt_.series_rules->find(metric_id) : nullptr;
  }
  bool is_deleted(uint64_t metric_id) const {
    return !opt_.deleted_metric_ids.empty() &&
           std::binary_search(opt_.deleted_metric_ids.begin(), opt_.deleted_metric_ids.end(), metric_id);
  }

  BlockWriteQueue& dst_;
  const BlockMergeOptions& opt_;
  BlockMergeStats& st_;
  std::vector<Cursor> cursors_;
  std::vector<Cursor*> heap_;

  State state_ = State::kEmpty;
  BlockHeader pending_header_;                 // the source's (kRaw) or tsid/scale/pb/min/max (kRows)
  // kRaw: the encoded data is held by dst_ (hold_raw), copied once to where it is written from.
  BlockSource* pending_source_ = nullptr;      // where the pending block came from (the first one, for kRows)
  Rows pending_rows_;                          // kRows (also kRaw once decoded)
  Rows block_rows_, merged_rows_;              // the incoming block decoded; merge output
  uint64_t next_progress_ = 1 << 16;
};

Status Merger::advance(Cursor* c, bool* eof) {
  Status s = c->src->next_raw(c->cur, eof);
  if (!s.is_ok()) {
    if (s.code() != Code::io_error) c->src->damaged = true;
    return s;
  }
  if (!*eof) {
    ++st_.blocks_in;
    st_.rows_in += c->cur.header.rows_count;
  }
  return Status::ok();
}

void Merger::sift_down(size_t i) {
  const size_t n = heap_.size();
  for (;;) {
    size_t m = i;
    const size_t l = 2 * i + 1, r = l + 1;
    if (l < n && cursor_less(heap_[l], heap_[m])) m = l;
    if (r < n && cursor_less(heap_[r], heap_[m])) m = r;
    if (m == i) return;
    std::swap(heap_[i], heap_[m]);
    i = m;
  }
}

Status Merger::run(std::span<BlockSource* const> srcs) {
  cursors_.resize(srcs.size());
  for (size_t i = 0; i < srcs.size(); ++i) {
    cursors_[i].src = srcs[i];
    cursors_[i].index = i;
    bool eof = false;
    VMT_TRY(advance(&cursors_[i], &eof));
    if (!eof) heap_.push_back(&cursors_[i]);
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
  while (!heap_.empty()) {
    if (opt_.stop && opt_.stop->load(std::memory_order_relaxed)) return io_error(kForciblyStopped);
    Cursor* c = heap_[0];
    VMT_TRY(process(*c));
    bool eof = false;
    VMT_TRY(advance(c, &eof));
    if (eof) {
      heap_[0] = heap_.back();
      heap_.pop_back();
    }
    if (!heap_.empty()) sift_down(0);
    if (opt_.on_progress && st_.rows_in >= next_progress_) {
      next_progress_ = st_.rows_in + (1 << 16);
      opt_.on_progress(st_);
    }
  }
  if (state_ != State::kEmpty) VMT_TRY(write_pending());
  if (opt_.on_progress) opt_.on_progress(st_);
  return Status::ok();
}

void Merger::set_raw(const RawBlock& b) {
  state_ = State::kRaw;
  pending_header_ = b.header;
  dst_.hold_raw(b.timestamps_data, b.values_data);
}

bool Merger::pending_too_big() const {
  // Block.tooBig: a decoded pending block has header RowsCount 0 and no encoded values.
  if (state_ == State::kRaw) return pending_header_.rows_count >= kMaxRowsPerBlock || dst_.held_values().size() >= kMaxBlockSize;
  return pending_rows_.size() >= kMaxRowsPerBlock;
}

Status Merger::process(const Cursor& c) {
  const BlockHeader& bh = c.cur.header;
  if (is_deleted(bh.tsid.metric_id)) {          // §9
    st_.rows_deleted_series += bh.rows_count;
    return Status::ok();
  }
  if (bh.max_timestamp < opt_.retention_deadline_ms) {   // §8
    st_.rows_deleted_retention += bh.rows_count;
    return Status::ok();
  }
  if (const SeriesRule* r = rule_of(bh.tsid.metric_id); r && bh.max_timestamp < r->deadline_ms) {
    st_.rows_retention_filter += bh.rows_count;
    return Status::ok();
  }
  if (state_ == State::kEmpty) {
    set_raw(c.cur);
    pending_source_ = c.src;
    return Status::ok();
  }
  if (pending_header_.tsid.metric_id != bh.tsid.metric_id ||
      (pending_too_big() && pending_header_.max_timestamp <= bh.min_timestamp)) {
    VMT_TRY(write_pending());
    set_raw(c.cur);
    pending_source_ = c.src;
    return Status::ok();
  }
  return merge_slow(c);
}

Status Merger::decode_into(const BlockHeader& bh, ByteView ts, ByteView vals, Rows& out, const Cursor* src) {
  // Block.UnmarshalData; timestamps must be sorted within [MinTimestamp, MaxTimestamp]
  // (data-part.md §10.3) or mergeRows would produce an unsorted block.
  Status s = decode_timestamps(bh, ts, out.ts, /*check_all_types=*/true);
  if (s.is_ok()) s = decode_values(bh, vals, out.vals);
  if (!s.is_ok()) {
    BlockSource* from = src ? src->src : pending_source_;
    if (from) from->damaged = true;
    const std::string where = src ? src->src->where()
                                  : (pending_source_ ? pending_source_->where() + ", or the block before it" : std::string("the pending block"));
    return std::move(s).with_context(where + " (TSID " + bh.tsid.to_string() + ")");
  }
  return Status::ok();
}

// The held verbatim pending block decoded into pending_rows_; let go of when it will not be
// written as it is.
Status Merger::decode_held(bool drop) {
  VMT_TRY(decode_into(pending_header_, dst_.held_timestamps(), dst_.held_values(), pending_rows_, nullptr));
  if (drop) dst_.drop_held();
  return Status::ok();
}

Status Merger::merge_slow(const Cursor& c) {
  const BlockHeader& bh = c.cur.header;
  if (state_ == State::kRaw) {
    VMT_TRY(decode_held(/*drop=*/true));
    state_ = State::kRows;   // pending_header_ keeps the source's Min/MaxTimestamp, as VM's bh does
  }
  VMT_TRY(decode_into(bh, c.cur.timestamps_data, c.cur.values_data, block_rows_, &c));
  const int16_t scale = decimal::calibrate_scale(pending_rows_.vals, pending_header_.scale, block_rows_.vals, bh.scale);
  const uint8_t pb = std::min(pending_header_.precision_bits, bh.precision_bits);

  // mergeRows (§4.3), and the fast path of coalescing small blocks: pending ++ b, in place.
  const RowsSide p{&pending_rows_, pending_header_.min_timestamp, pending_header_.max_timestamp};
  const RowsSide b{&block_rows_, bh.min_timestamp, bh.max_timestamp};
  const size_t s1 = retention_skip(p, opt_.retention_deadline_ms), s2 = retention_skip(b, opt_.retention_deadline_ms);
  st_.rows_deleted_retention += s1 + s2;
  if (p.max_timestamp < b.min_timestamp && s1 == 0) {
    pending_rows_.append(block_rows_, s2);
  } else {
    merge_rows(p, s1, b, s2, merged_rows_);
    std::swap(pending_rows_, merged_rows_);
  }
  pending_header_.tsid = bh.tsid;
  pending_header_.scale = scale;
  pending_header_.precision_bits = pb;
  pending_header_.rows_count = 0;

  if (pending_rows_.size() == 0) {
    state_ = State::kEmpty;
    return Status::ok();
  }
  if (pending_rows_.size() > kMaxRowsPerBlock) {
    // Write the first 8192 rows; the rest stays pending.
    merged_rows_.clear();
    merged_rows_.append(pending_rows_, kMaxRowsPerBlock);
    VMT_TRY(write_rows(pending_header_, pending_rows_, kMaxRowsPerBlock));
    std::swap(pending_rows_, merged_rows_);
  }
  pending_header_.min_timestamp = pending_rows_.ts.front();   // fixupTimestamps
  pending_header_.max_timestamp = pending_rows_.ts.back();
  state_ = State::kRows;
  return Status::ok();
}

Status Merger::write_rows(const BlockHeader& like, Rows& r, size_t n) {
  // WriteExternalBlock (§4.4): rowsMerged counts before dedup; dedup runs per written block.
  st_.rows_merged += n;
  if (const SeriesRule* rule = rule_of(like.tsid.metric_id)) {
    RuleStats rs;
    n = apply_series_rule(*rule, opt_.series_rules->now_ms(), r.ts.data(), r.vals.data(), n, &rs);
    st_.rows_retention_filter += rs.rows_retention;
    st_.rows_downsampled += rs.rows_downsampled;
    if (n == 0) return Status::ok();
  }
  if (opt_.dedup_interval_ms > 0) {
    const size_t kept = dedup_samples(r.ts.data(), r.vals.data(), n, opt_.dedup_interval_ms);
    st_.rows_dedup += n - kept;
    n = kept;
  }
  VMT_TRY(dst_.put_rows(like, r.ts.data(), r.vals.data(), n));
  ++st_.blocks_out;
  st_.rows_out += n;
  return Status::ok();
}

Status Merger::write_pending() {
  const State s = state_;
  state_ = State::kEmpty;
  if (s == State::kRows) return write_rows(pending_header_, pending_rows_, pending_rows_.size());
  const SeriesRule* rule = rule_of(pending_header_.tsid.metric_id);
  if (opt_.dedup_interval_ms > 0 || (rule && rule->touches(pending_header_.min_timestamp, opt_.series_rules->now_ms()))) {
    // Dedup decodes even verbatim blocks and re-encodes them (§6.3).
    VMT_TRY(decode_held(/*drop=*/true));
    return write_rows(pending_header_, pending_rows_, pending_rows_.size());
  }
  if (opt_.check_copied_blocks) VMT_TRY(decode_held(/*drop=*/false));
  st_.rows_merged += pending_header_.rows_count;
  VMT_TRY(dst_.write_held(pending_header_));
  ++st_.blocks_out;
  ++st_.blocks_copied;
  st_.rows_out += pending_header_.rows_count;
  return Status::ok();
}

}  // namespace

Status merge_block_streams(std::span<BlockSource* const> srcs, PartWriter& dst, const BlockMergeOptions& opt,
                           BlockMergeStats* stats) {
  BlockMergeStats local;
  BlockMergeStats& st = stats ? *stats : local;
  dst.allow_series_min_backwards();   // what the server's merge writes, it writes too
  const uint64_t backwards_before = dst.series_min_backwards();
  BlockWriteQueue q(dst, opt.background_writer);
  Merger m(q, opt, st);
  VMT_TRY(m.run(srcs));
  VMT_TRY(q.finish());
  st.blocks_min_backwards += dst.series_min_backwards() - backwards_before;
  return Status::ok();
}

Status merge_parts(std::span<PartReader* const> srcs, PartWriter& dst, const BlockMergeOptions& opt,
                   BlockMergeStats* stats) {
  std::vector<PartReaderSource> wrapped;
  wrapped.reserve(srcs.size());
  for (PartReader* r : srcs) wrapped.emplace_back(r);
  std::vector<BlockSource*> ptrs;
  for (auto& w : wrapped) ptrs.push_back(&w);
  return merge_block_streams(ptrs, dst, opt, stats);
}

}  // namespace vmt::storage
