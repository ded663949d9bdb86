#include "ingest/index_builder.h"

#include <algorithm>
#include <numeric>
#include <thread>

#include "base/fs.h"
#include "layout/part_size.h"
#include "indexdb/series_items.h"
#include "indexdb/tag_rows_merge.h"
#include "ingest/index_stream.h"
#include "mergeset/merge.h"
#include "metric/metric_name.h"

namespace vmt::ingest {

// zstd level floor for our parts: libzstd's negative levels compress far worse than the pure-Go
// encoder vmstorage uses at the same nominal level (mergeset.md §2: zstd bytes are not normative).
constexpr int kMinCompressLevel = 1;

mergeset::PrepareBlockFn tag_rows_prepare_block(metric::Tenancy t) {
  return [t](const mergeset::Items& in, mergeset::Items& out) {
    // A tag row that does not parse cannot come from our own items; keep the block as it is then.
    return indexdb::merge_tag_to_metric_ids_rows(in, out, t).is_ok();
  };
}

namespace {

// One element of the chunk sort: the 8 bytes of an item at the current depth (big-endian, zero
// padded) and how many of them are real (8 = the item goes on). (chunk, rem) orders items exactly
// as memcmp does on those bytes, a shorter item first; equal keys with rem == 8 need the next chunk.
struct ChunkKey {
  uint64_t chunk;
  uint32_t idx;
  uint32_t rem;
  bool operator<(const ChunkKey& o) const { return chunk != o.chunk ? chunk < o.chunk : rem < o.rem; }
};

void load_chunk(const mergeset::Items& items, ChunkKey& k, size_t depth) {
  ByteView it = items[k.idx];
  uint64_t c = 0;
  size_t rem = it.size() > depth ? it.size() - depth : 0;
  if (rem >= 8) {
    c = load_u64(it.data() + depth);
    rem = 8;
  } else {
    for (size_t i = 0; i < rem; ++i) c |= uint64_t(uint8_t(it[depth + i])) << (56 - 8 * i);
  }
  k.chunk = c;
  k.rem = uint32_t(rem);
}

// MSD sort by 8-byte chunks: sorts the keys by their chunk, then each run of equal full chunks by
// the next one. Items share long prefixes (namespace, tenant, tag key), which a comparison sort
// would compare again and again; here each byte is looked at about once per item. Small runs fall
// back to memcmp from the current depth. Iterative: item length does not bound the stack.
void chunk_sort(const mergeset::Items& items, ChunkKey* keys, size_t n) {
  struct Range {
    size_t begin, n, depth;
  };
  std::vector<Range> stack{{0, n, 0}};
  for (size_t i = 0; i < n; ++i) load_chunk(items, keys[i], 0);
  while (!stack.empty()) {
    Range r = stack.back();
    stack.pop_back();
    ChunkKey* a = keys + r.begin;
    if (r.n < 24) {
      std::sort(a, a + r.n, [&](const ChunkKey& x, const ChunkKey& y) {
        return items[x.idx].substr(r.depth) < items[y.idx].substr(r.depth);
      });
      continue;
    }
    std::sort(a, a + r.n);
    for (size_t i = 0; i < r.n;) {
      size_t j = i + 1;
      while (j < r.n && a[j].chunk == a[i].chunk && a[j].rem == a[i].rem) ++j;
      if (j - i > 1 && a[i].rem == 8) {
        for (size_t k = i; k < j; ++k) load_chunk(items, a[k], r.depth + 8);
        stack.push_back(Range{r.begin + i, j - i, r.depth + 8});
      }
      i = j;
    }
  }
}

}  // namespace

void sort_items(const mergeset::Items& items, std::vector<uint32_t>* order, unsigned threads) {
  const size_t n = items.size();
  std::vector<ChunkKey> keys(n);
  for (size_t i = 0; i < n; ++i) keys[i].idx = uint32_t(i);
  order->resize(n);
  if (threads < 2 || n < 8192) {
    chunk_sort(items, keys.data(), n);
    for (size_t i = 0; i < n; ++i) (*order)[i] = keys[i].idx;
    return;
  }
  const size_t half = n / 2;
  std::thread t([&] { chunk_sort(items, keys.data(), half); });
  chunk_sort(items, keys.data() + half, n - half);
  t.join();
  // Two-way merge of the halves.
  size_t i = 0, j = half, o = 0;
  while (i < half && j < n) {
    (*order)[o++] = items[keys[j].idx] < items[keys[i].idx] ? keys[j++].idx : keys[i++].idx;
  }
  while (i < half) (*order)[o++] = keys[i++].idx;
  while (j < n) (*order)[o++] = keys[j++].idx;
}

namespace {

Status write_sorted(const mergeset::Items& items, const std::vector<uint32_t>& order, mergeset::PartWriter& w) {
  for (uint32_t i : order) VMT_TRY(w.add(items[i]));
  return w.close();
}

// The final part from sorted single items: tag rows combined as the in-memory stream combines them.
Status write_sorted_combined(const mergeset::Items& items, const std::vector<uint32_t>& order, mergeset::PartWriter& w) {
  TagRowCombiner c;
  const TagRowCombiner::Sink sink = [&](ByteView it) { return w.add(it); };
  for (uint32_t i : order) VMT_TRY(c.push(items[i], sink));
  VMT_TRY(c.finish(sink));
  return w.close();
}


}  // namespace

Status for_each_work_series(const SeriesRegistry& reg, const IndexWork& work,
                            const std::function<Status(const WorkSeries&)>& fn) {
  size_t g = 0, d = 0;
  while (g < work.global.size() || d < work.per_day.size()) {
    WorkSeries w;
    w.id = std::min(g < work.global.size() ? work.global[g] : UINT32_MAX,
                    d < work.per_day.size() ? work.per_day[d].first : UINT32_MAX);
    w.series = &reg.at(w.id);
    if (w.series->origin == SeriesOrigin::pending) return invalid_argument("write_index_part: series without a TSID");
    w.canonical = reg.canonical(w.id);
    VMT_ASSIGN_OR_RETURN(metric::MetricName mn, metric::MetricName::decode_canonical(w.canonical, reg.tenancy()));
    w.name = &mn;
    w.global = g < work.global.size() && work.global[g] == w.id;
    if (w.global) ++g;
    const size_t d0 = d;
    while (d < work.per_day.size() && work.per_day[d].first == w.id) ++d;
    w.days = std::span<const std::pair<uint32_t, uint32_t>>(work.per_day.data() + d0, d - d0);
    VMT_TRY(fn(w));
  }
  return Status::ok();
}

Status write_index_part(const SeriesRegistry& reg, IndexWork work, const IndexPartOptions& opt,
                        const std::string& part_dir, IndexPartResult* out) {
  *out = IndexPartResult();
  if (work.empty()) return invalid_argument("write_index_part: nothing to write");
  std::sort(work.global.begin(), work.global.end());
  work.global.erase(std::unique(work.global.begin(), work.global.end()), work.global.end());
  std::sort(work.per_day.begin(), work.per_day.end());
  work.per_day.erase(std::unique(work.per_day.begin(), work.per_day.end()), work.per_day.end());

  // Fits the budget: generate the items straight in order (index_stream.h).
  uint64_t planned_items = 0, planned_bytes = 0;
  sorted_stream_size(reg, work, &planned_items, &planned_bytes);
  if (planned_bytes <= opt.memory_budget) {
    mergeset::PartWriterOptions wo;
    wo.compress_level = std::max(mergeset::compress_level_for_items(planned_items), kMinCompressLevel);
    wo.prepare_block = tag_rows_prepare_block(reg.tenancy());
    mergeset::PartWriter w;
    VMT_TRY(w.open(part_dir, std::move(wo)));
    uint64_t n = 0;
    VMT_TRY(emit_sorted_items(reg, work, opt.threads, [&](ByteView it) { return w.add(it); }, &n));
    VMT_TRY(w.close());
    out->items_generated = n;
    out->items = w.header().items_count;
    out->blocks = w.header().blocks_count;
    VMT_ASSIGN_OR_RETURN(out->size_bytes, layout::part_size(part_dir));
    return Status::ok();
  }

  // Otherwise: items sorted as strings in runs that fit the budget, then merged.
  mergeset::Items items;
  std::vector<uint32_t> order;
  std::vector<std::string> runs;
  uint64_t total = 0;
  auto flush_run = [&]() -> Status {
    if (items.empty()) return Status::ok();
    sort_items(items, &order, opt.threads);
    if (runs.empty()) VMT_TRY(fs::mkdir_p(opt.runs_dir));
    const std::string dir = fs::join(opt.runs_dir, "run-" + std::to_string(runs.size()));
    mergeset::PartWriter w;
    mergeset::PartWriterOptions wo;
    wo.compress_level = -5;  // runs are temporary: fast
    VMT_TRY(w.open(dir, std::move(wo)));
    VMT_TRY(write_sorted(items, order, w));
    runs.push_back(dir);
    items.clear();
    return Status::ok();
  };

  VMT_TRY(for_each_work_series(reg, work, [&](const WorkSeries& w) -> Status {
    const size_t before = items.size();
    if (w.global) indexdb::append_global_items(items, reg.tenancy(), w.series->tsid, *w.name, w.canonical);
    for (const auto& [s, date] : w.days) {
      indexdb::append_per_day_items(items, reg.tenancy(), date, w.series->tsid, *w.name, w.canonical);
    }
    total += items.size() - before;
    if (items.data_size() + items.size() * 12 >= opt.memory_budget) VMT_TRY(flush_run());
    return Status::ok();
  }));
  out->items_generated = total;

  mergeset::PartWriterOptions wo;
  wo.compress_level = std::max(mergeset::compress_level_for_items(total), kMinCompressLevel);
  wo.prepare_block = tag_rows_prepare_block(reg.tenancy());
  if (runs.empty()) {
    sort_items(items, &order, opt.threads);
    mergeset::PartWriter w;
    VMT_TRY(w.open(part_dir, std::move(wo)));
    VMT_TRY(write_sorted_combined(items, order, w));
    out->items = w.header().items_count;
    out->blocks = w.header().blocks_count;
  } else {
    VMT_TRY(flush_run());
    items = mergeset::Items();
    order = std::vector<uint32_t>();
    mergeset::MergeOptions mo;
    mo.compress_level = wo.compress_level;
    mo.prepare_block = wo.prepare_block;
    // Runs hold single items; combined here as the in-memory stream combines them, so the part
    // does not depend on how many runs the budget made.
    TagRowCombiner combiner;
    mo.transform.push = [&](ByteView it, const mergeset::ItemEmit& emit) { return combiner.push(it, emit); };
    mo.transform.finish = [&](const mergeset::ItemEmit& emit) { return combiner.finish(emit); };
    mergeset::MergeStats ms;
    VMT_TRY(mergeset::merge_part_dirs(runs, part_dir, mo, &ms));
    out->items = ms.items_out;
    out->blocks = ms.blocks_out;
    out->runs = runs.size();
    VMT_TRY(fs::remove_all(opt.runs_dir));
  }
  VMT_ASSIGN_OR_RETURN(out->size_bytes, layout::part_size(part_dir));
  return Status::ok();
}

}  // namespace vmt::ingest
