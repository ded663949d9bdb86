#include "reshard/block_copy.h"

#include <algorithm>
#include <memory>
#include <queue>

#include "base/fs.h"
#include "layout/part_size.h"
#include "storage/block_stream_merge.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"

namespace vmt::reshard {

namespace {

constexpr int64_t kMsPerDay = 86400000;

// What happens to one block of source `si` on this target.
enum class Fate { skip, deleted, keep, renumber };

struct Filter {
  const CopyJob& job;
  const std::vector<SourceNode>& sources;
  const SeriesPlan& plan;

  Fate fate(size_t si, const storage::BlockHeader& bh, uint32_t* series) const {
    const uint64_t mid = bh.tsid.metric_id;
    const auto& ids = plan.ids[si][job.target];
    auto it = ids.find(mid);
    if (it == ids.end()) return Fate::skip;
    if (sources[si].names.is_deleted(mid, job.partition)) return Fate::deleted;
    *series = it->second;
    return plan.targets[job.target].at(it->second).tsid == bh.tsid ? Fate::keep : Fate::renumber;
  }
};

// One source part: the blocks it keeps for this target, in its own order.
struct PartStream {
  size_t source = 0;
  storage::PartReader reader;
  storage::RawBlock cur;
  uint32_t series = 0;
};

// The renumbered blocks of every source, copied out and sorted by their new TSID.
struct Renumbered {
  struct Ref {
    storage::BlockHeader header;  // with the target TSID
    uint32_t series = 0;
    uint64_t ts_off = 0, values_off = 0;
  };
  Bytes arena;
  std::vector<Ref> refs;
  size_t next = 0;
};

// The block last written, to drop an exact copy of it (the same part given twice, or replicas
// whose blocks came out identical): same series, same header fields, same bytes.
struct LastBlock {
  bool valid = false;
  storage::BlockHeader header;
  Bytes ts, values;

  bool same(const storage::BlockHeader& h, ByteView t, ByteView v) const {
    return valid && h.tsid == header.tsid && h.min_timestamp == header.min_timestamp &&
           h.max_timestamp == header.max_timestamp && h.rows_count == header.rows_count &&
           h.first_value == header.first_value && h.scale == header.scale &&
           h.precision_bits == header.precision_bits && h.timestamps_marshal_type == header.timestamps_marshal_type &&
           h.values_marshal_type == header.values_marshal_type && t == ByteView(ts) && v == ByteView(values);
  }
  void set(const storage::BlockHeader& h, ByteView t, ByteView v) {
    valid = true;
    header = h;
    ts.assign(t);
    values.assign(v);
  }
};

bool key_less(const storage::BlockHeader& a, const storage::BlockHeader& b) {
  if (!(a.tsid == b.tsid)) return a.tsid < b.tsid;
  return a.min_timestamp < b.min_timestamp;
}

// The kept blocks of every source part of one job, in (target TSID, MinTimestamp, source order):
// a heap over the part streams plus the sorted renumbered blocks. Exact copies of the block just
// given are dropped here. It also notes the (series, day) of every block it gives.
class KeptBlocks : public storage::BlockSource {
 public:
  KeptBlocks(const Filter& filter, const ingest::SeriesRegistry& reg, CopyResult* out)
      : filter_(filter), reg_(reg), out_(out), heap_(Later{this}) {}

  // Pass 1: the renumbered blocks, from the sources that have any for this target; pass 2 opens
  // every part as a stream. `headers` gets every part's header.
  Status open(const CopyJob& job, std::vector<storage::PartHeader>* headers) {
    const metric::Tenancy tenancy = metric::Tenancy::kCluster;
    for (const auto& [si, dir] : job.parts) {
      if (!filter_.plan.renumbered[si][job.target]) continue;
      storage::PartReader r;
      VMT_TRY(r.open(dir, tenancy));
      storage::RawBlock b;
      for (bool eof = false;;) {
        VMT_TRY(r.next_raw(b, &eof));
        if (eof) break;
        uint32_t series = 0;
        if (filter_.fate(si, b.header, &series) != Fate::renumber) continue;
        Renumbered::Ref ref;
        ref.header = b.header;
        ref.header.tsid = reg_.at(series).tsid;
        ref.series = series;
        ref.ts_off = moved_.arena.size();
        moved_.arena.append(b.timestamps_data);
        ref.values_off = moved_.arena.size();
        moved_.arena.append(b.values_data);
        moved_.refs.push_back(ref);
      }
    }
    std::stable_sort(moved_.refs.begin(), moved_.refs.end(),
                     [](const Renumbered::Ref& a, const Renumbered::Ref& b) { return key_less(a.header, b.header); });
    for (const auto& [si, dir] : job.parts) {
      auto s = std::make_unique<PartStream>();
      s->source = si;
      VMT_TRY(s->reader.open(dir, tenancy));
      headers->push_back(s->reader.part_header());
      streams_.push_back(std::move(s));
    }
    k_moved_ = streams_.size();
    for (size_t i = 0; i < streams_.size(); ++i) {
      VMT_ASSIGN_OR_RETURN(bool more, advance(i));
      if (more) heap_.push(i);
    }
    if (!moved_.refs.empty()) heap_.push(k_moved_);
    return Status::ok();
  }

  bool empty() const { return heap_.empty(); }

  Status next_raw(storage::RawBlock& b, bool* eof) override {
    for (;;) {
      // The stream given last time moves on only now: its views lived until this call.
      if (given_ != kNone) {
        if (given_ == k_moved_) {
          if (++moved_.next < moved_.refs.size()) heap_.push(k_moved_);
        } else {
          VMT_ASSIGN_OR_RETURN(bool more, advance(given_));
          if (more) heap_.push(given_);
        }
        given_ = kNone;
      }
      if (heap_.empty()) {
        *eof = true;
        return Status::ok();
      }
      const size_t i = heap_.top();
      heap_.pop();
      given_ = i;
      uint32_t series = 0;
      if (i == k_moved_) {
        const Renumbered::Ref& ref = moved_.refs[moved_.next];
        b.header = ref.header;
        b.timestamps_data = ByteView(moved_.arena.data() + ref.ts_off, ref.header.timestamps_block_size);
        b.values_data = ByteView(moved_.arena.data() + ref.values_off, ref.header.values_block_size);
        series = ref.series;
      } else {
        b = streams_[i]->cur;
        series = streams_[i]->series;
      }
      if (last_.same(b.header, b.timestamps_data, b.values_data)) {
        ++out_->duplicate_blocks;
        continue;
      }
      last_.set(b.header, b.timestamps_data, b.values_data);
      if (i == k_moved_) ++out_->renumbered_blocks;
      note_days(series, b.header);
      *eof = false;
      return Status::ok();
    }
  }

  std::string where() const override {
    // The block given last (the merge may hold the one before it while it reads this one).
    if (given_ == kNone || given_ == k_moved_) return "the renumbered blocks held in memory";
    const storage::PartReader& r = streams_[given_]->reader;
    return r.display() + ": block " + std::to_string(r.position().block);
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;

  // Ties go to the lower index (source order, then part order); k_moved_ comes after every part.
  struct Later {
    const KeptBlocks* self;
    bool operator()(size_t a, size_t b) const {
      const auto& ha = self->header_of(a);
      const auto& hb = self->header_of(b);
      if (key_less(ha, hb)) return false;
      if (key_less(hb, ha)) return true;
      return a > b;
    }
  };

  const storage::BlockHeader& header_of(size_t i) const {
    return i == k_moved_ ? moved_.refs[moved_.next].header : streams_[i]->cur.header;
  }

  // Advances stream i to its next kept block; false at its end.
  Result<bool> advance(size_t i) {
    PartStream& s = *streams_[i];
    for (bool eof = false;;) {
      VMT_TRY(s.reader.next_raw(s.cur, &eof));
      if (eof) return false;
      ++out_->blocks_read;
      const Fate f = filter_.fate(s.source, s.cur.header, &s.series);
      if (f == Fate::keep) return true;
      if (f == Fate::deleted) ++out_->deleted_blocks;
    }
  }

  void note_days(uint32_t series, const storage::BlockHeader& bh) {
    for (int64_t ts : {bh.min_timestamp, bh.max_timestamp}) {
      const uint32_t day = uint32_t(ts / kMsPerDay);
      if (series == last_series_ && day == last_day_) continue;
      out_->days.emplace_back(series, day);
      last_series_ = series;
      last_day_ = day;
    }
  }

  const Filter& filter_;
  const ingest::SeriesRegistry& reg_;
  CopyResult* out_;
  Renumbered moved_;
  std::vector<std::unique_ptr<PartStream>> streams_;
  size_t k_moved_ = 0;
  size_t given_ = kNone;
  std::priority_queue<size_t, std::vector<size_t>, Later> heap_;
  LastBlock last_;
  uint32_t last_series_ = UINT32_MAX, last_day_ = UINT32_MAX;
};

}  // namespace

Status copy_blocks(const CopyJob& job, const std::vector<SourceNode>& sources, const SeriesPlan& plan,
                   const CopyOptions& opt, CopyResult* out) {
  *out = CopyResult();
  const Filter filter{job, sources, plan};
  KeptBlocks kept(filter, plan.targets[job.target], out);
  std::vector<storage::PartHeader> headers;
  VMT_TRY(kept.open(job, &headers));
  if (kept.empty()) return Status::ok();

  storage::PartWriter w;
  VMT_TRY(w.open_dir(job.out_dir, metric::Tenancy::kCluster, storage::compress_level_for_sources(headers)));
  w.allow_series_min_backwards();   // the blocks as the server's merges wrote them (part_writer.h)
  if (opt.dedup_interval_ms > 0) {
    // The server's own merge of these blocks with -dedup.minScrapeInterval: overlapping blocks of
    // a series (the replicas) are decoded and merged, every written block deduplicated.
    storage::BlockMergeOptions mo;
    mo.dedup_interval_ms = opt.dedup_interval_ms;
    mo.stop = opt.stop;
    mo.check_copied_blocks = true;
    storage::BlockMergeStats ms;
    storage::BlockSource* srcs[] = {&kept};
    VMT_TRY(storage::merge_block_streams(srcs, w, mo, &ms));
    out->blocks = ms.blocks_out;
    out->rows = ms.rows_out;
    out->rows_dedup = ms.rows_dedup;
    if (ms.rows_out == 0) return Status::ok();  // the caller removes out_dir (data-part.md §15.A)
  } else {
    storage::RawBlock b;
    for (bool eof = false;;) {
      if (opt.stop && opt.stop->load(std::memory_order_relaxed)) return io_error(storage::kForciblyStopped);
      VMT_TRY(kept.next_raw(b, &eof));
      if (eof) break;
      VMT_TRY(w.write_raw(b.header, b.timestamps_data, b.values_data));
      ++out->blocks;
      out->rows += b.header.rows_count;
    }
  }
  VMT_TRY(w.close(opt.dedup_interval_ms));
  out->empty = false;
  out->header = w.part_header();
  VMT_ASSIGN_OR_RETURN(out->size_bytes, layout::part_size(job.out_dir));
  return Status::ok();
}

}  // namespace vmt::reshard
