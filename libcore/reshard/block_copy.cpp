#include "reshard/block_copy.h"

#include <algorithm>
#include <memory>
#include <queue>

#include "base/fs.h"
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

}  // namespace

Status copy_blocks(const CopyJob& job, const std::vector<SourceNode>& sources, const SeriesPlan& plan,
                   const std::atomic<bool>* stop, CopyResult* out) {
  *out = CopyResult();
  const Filter filter{job, sources, plan};
  const metric::Tenancy tenancy = metric::Tenancy::kCluster;
  const ingest::SeriesRegistry& reg = plan.targets[job.target];

  // Pass 1: renumbered blocks, from the sources that have any for this target.
  Renumbered moved;
  std::vector<storage::PartHeader> headers;
  for (const auto& [si, dir] : job.parts) {
    if (!plan.renumbered[si][job.target]) continue;
    storage::PartReader r;
    VMT_TRY(r.open(dir, tenancy));
    storage::RawBlock b;
    for (bool eof = false;;) {
      VMT_TRY(r.next_raw(b, &eof));
      if (eof) break;
      uint32_t series = 0;
      if (filter.fate(si, b.header, &series) != Fate::renumber) continue;
      Renumbered::Ref ref;
      ref.header = b.header;
      ref.header.tsid = reg.at(series).tsid;
      ref.series = series;
      ref.ts_off = moved.arena.size();
      moved.arena.append(b.timestamps_data);
      ref.values_off = moved.arena.size();
      moved.arena.append(b.values_data);
      moved.refs.push_back(ref);
    }
  }
  std::stable_sort(moved.refs.begin(), moved.refs.end(),
                   [](const Renumbered::Ref& a, const Renumbered::Ref& b) { return key_less(a.header, b.header); });

  // Pass 2: every part as a stream of kept blocks, merged with the renumbered ones.
  std::vector<std::unique_ptr<PartStream>> streams;
  for (const auto& [si, dir] : job.parts) {
    auto s = std::make_unique<PartStream>();
    s->source = si;
    VMT_TRY(s->reader.open(dir, tenancy));
    headers.push_back(s->reader.part_header());
    streams.push_back(std::move(s));
  }
  // Advances stream i to its next kept block; false at its end.
  auto advance = [&](size_t i) -> Result<bool> {
    PartStream& s = *streams[i];
    for (bool eof = false;;) {
      VMT_TRY(s.reader.next_raw(s.cur, &eof));
      if (eof) return false;
      ++out->blocks_read;
      const Fate f = filter.fate(s.source, s.cur.header, &s.series);
      if (f == Fate::keep) return true;
      if (f == Fate::deleted) ++out->deleted_blocks;
    }
  };
  // Heap of live streams; index streams.size() stands for the renumbered blocks. Ties go to the
  // lower index (source order, then part order).
  const size_t kMoved = streams.size();
  auto header_of = [&](size_t i) -> const storage::BlockHeader& {
    return i == kMoved ? moved.refs[moved.next].header : streams[i]->cur.header;
  };
  auto later = [&](size_t a, size_t b) {
    const auto& ha = header_of(a);
    const auto& hb = header_of(b);
    if (key_less(ha, hb)) return false;
    if (key_less(hb, ha)) return true;
    return a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < streams.size(); ++i) {
    VMT_ASSIGN_OR_RETURN(bool more, advance(i));
    if (more) heap.push(i);
  }
  if (!moved.refs.empty()) heap.push(kMoved);
  if (heap.empty()) return Status::ok();

  storage::PartWriter w;
  VMT_TRY(w.open_dir(job.out_dir, tenancy, storage::compress_level_for_sources(headers)));
  uint32_t last_series = UINT32_MAX, last_day = UINT32_MAX;
  auto note_days = [&](uint32_t series, const storage::BlockHeader& bh) {
    for (int64_t ts : {bh.min_timestamp, bh.max_timestamp}) {
      const uint32_t day = uint32_t(ts / kMsPerDay);
      if (series == last_series && day == last_day) continue;
      out->days.emplace_back(series, day);
      last_series = series;
      last_day = day;
    }
  };
  LastBlock last;
  // Writes one block unless it repeats the last one; true when written.
  auto write = [&](uint32_t series, const storage::BlockHeader& bh, ByteView ts, ByteView vals) -> Result<bool> {
    if (last.same(bh, ts, vals)) {
      ++out->duplicate_blocks;
      return false;
    }
    VMT_TRY(w.write_raw(bh, ts, vals));
    last.set(bh, ts, vals);
    note_days(series, bh);
    ++out->blocks;
    out->rows += bh.rows_count;
    return true;
  };
  while (!heap.empty()) {
    if (stop && stop->load(std::memory_order_relaxed)) return io_error(storage::kForciblyStopped);
    const size_t i = heap.top();
    heap.pop();
    if (i == kMoved) {
      const Renumbered::Ref& ref = moved.refs[moved.next];
      const ByteView ts(moved.arena.data() + ref.ts_off, ref.header.timestamps_block_size);
      const ByteView vals(moved.arena.data() + ref.values_off, ref.header.values_block_size);
      VMT_ASSIGN_OR_RETURN(bool written, write(ref.series, ref.header, ts, vals));
      if (written) ++out->renumbered_blocks;
      if (++moved.next < moved.refs.size()) heap.push(kMoved);
      continue;
    }
    PartStream& s = *streams[i];
    VMT_TRY(write(s.series, s.cur.header, s.cur.timestamps_data, s.cur.values_data).status());
    VMT_ASSIGN_OR_RETURN(bool more, advance(i));
    if (more) heap.push(i);
  }
  VMT_TRY(w.close());
  out->empty = false;
  out->header = w.part_header();
  uint64_t size = 0;
  for (const char* f : {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"}) {
    VMT_ASSIGN_OR_RETURN(uint64_t n, fs::file_size(fs::join(job.out_dir, f)));
    size += n;
  }
  out->size_bytes = size;
  return Status::ok();
}

}  // namespace vmt::reshard
