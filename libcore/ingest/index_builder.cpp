#include "ingest/index_builder.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "base/fs.h"
#include "encoding/zstd.h"
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
// Runs are read once, soon after, by this import: stored, not compressed. At 1M series, zstd's
// fastest level had cost a sixth of the import's CPU (median user time 15.2 s against 12.8 s
// stored, alternated runs); stored, its temporary files peak at 535 MB instead of 322 MB, for a
// 496 MB input.
constexpr int kRunCompressLevel = zstd::kStoreLevel;
// A spill's part waits on disk until the end of the import: the fastest level (at 1M series and
// 4 spills, level 1 for them cost 0.9 s of the input stage's 4.4; stored, they would double the
// temporary files for little more gain).
constexpr int kSpillPartCompressLevel = -5;

// Streams larger than this are made as runs on every thread even when they fit the budget: the
// series pass and the sorts then use every core, which outweighs writing and merging the runs.
// Measured on 2 cores (node_exporter-like series, one day): at 20k series (a 43 MB stream) one
// stream is 15% faster (0.135 s against 0.155 s); at 200k series (430 MB, --mem-limit 4GiB) runs
// take 0.96 s against 1.49 s.
constexpr uint64_t kParallelRunsFrom = 64 << 20;

mergeset::PrepareBlockFn tag_rows_prepare_block(metric::Tenancy t) {
  return [t](const mergeset::Items& in, mergeset::Items& out) {
    // A tag row that does not parse cannot come from our own items; keep the block as it is then.
    return indexdb::merge_tag_to_metric_ids_rows(in, out, t).is_ok();
  };
}

namespace {

// One sorted run: the range's items, fast compression (temporary).
Status write_run(const SeriesRegistry& reg, const IndexWork& range, const std::string& dir, uint64_t* items,
                 EmitScratch* keep) {
  mergeset::PartWriter w;
  mergeset::PartWriterOptions wo;
  wo.compress_level = kRunCompressLevel;
  wo.durable = false;  // removed by this import, with everything else of it when it stops
  VMT_TRY(w.open(dir, std::move(wo)));
  VMT_TRY(emit_sorted_items(reg, range, 1, [&](ByteView it) { return w.add(it); }, items, keep));
  return w.close();
}

// work (sorted, no duplicates, not empty) cut into ranges whose streams need at most
// budget / workers bytes, each written as a sorted run under dir (created), on `workers` threads.
Status make_runs(const SeriesRegistry& reg, IndexWork work, uint64_t budget, unsigned workers, const std::string& dir,
                 const std::vector<uint64_t>& series_bytes, std::vector<EarlierIndexPart>* out) {
  const std::vector<IndexWork> chunks = split_work(reg, work, budget / workers, &series_bytes);
  work = IndexWork();
  VMT_TRY(fs::mkdir_p(dir));
  std::vector<EarlierIndexPart> runs(chunks.size());
  std::vector<Status> errors(workers);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto make = [&](unsigned worker) {
    EmitScratch keep;  // one thread's arrays, reused by each of its runs
    for (size_t c; !failed && (c = next++) < chunks.size();) {
      runs[c].dir = fs::join(dir, "run-" + std::to_string(c));
      Status st = write_run(reg, chunks[c], runs[c].dir, &runs[c].items_generated, &keep);
      if (!st.is_ok()) {
        errors[worker] = std::move(st);
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(make, t);
  make(0);
  for (auto& t : pool) t.join();
  for (Status& st : errors) VMT_TRY(std::move(st));
  out->insert(out->end(), runs.begin(), runs.end());
  return Status::ok();
}

}  // namespace

Status for_each_work_series(const SeriesRegistry& reg, const IndexWork& work,
                            const std::function<Status(const WorkSeries&)>& fn) {
  Status st;
  metric::MetricName mn;  // decoded into again for each series: its tags keep their memory
  walk_work_series(work, [&](uint32_t s, bool global, size_t d0, size_t days) {
    if (!st.is_ok()) return;
    WorkSeries w;
    w.id = s;
    w.series = &reg.at(s);
    if (w.series->origin == SeriesOrigin::pending) {
      st = invalid_argument("write_index_part: series without a TSID");
      return;
    }
    w.canonical = reg.canonical(s);
    st = metric::MetricName::decode_canonical_into(w.canonical, reg.tenancy(), mn);
    if (!st.is_ok()) return;
    w.name = &mn;
    w.global = global;
    w.days = std::span<const std::pair<uint32_t, uint32_t>>(work.per_day.data() + d0, days);
    st = fn(w);
  });
  return st;
}

Status start_index_part(const SeriesRegistry& reg, IndexWork work, const IndexPartOptions& opt,
                        const std::string& part_dir, IndexPartResult* out, IndexRunsMerge* merge) {
  *out = IndexPartResult();
  *merge = IndexRunsMerge();
  if (work.empty() && opt.earlier.empty()) return invalid_argument("write_index_part: nothing to write");
  std::sort(work.global.begin(), work.global.end());
  work.global.erase(std::unique(work.global.begin(), work.global.end()), work.global.end());
  std::sort(work.per_day.begin(), work.per_day.end());
  work.per_day.erase(std::unique(work.per_day.begin(), work.per_day.end()), work.per_day.end());

  // Fits the budget, and small or on one thread: generate the items straight in order
  // (index_stream.h). A larger stream is made faster as runs on every thread, merged.
  uint64_t planned_items = 0, planned_bytes = 0;
  std::vector<uint64_t> series_bytes;  // for make_runs: each name parsed once
  sorted_stream_size(reg, work, &planned_items, &planned_bytes, &series_bytes);
  const unsigned workers = std::max(1u, opt.threads);
  if (opt.earlier.empty() && planned_bytes <= opt.memory_budget && (workers == 1 || planned_bytes <= kParallelRunsFrom)) {
    mergeset::PartWriterOptions wo;
    wo.compress_level = opt.temporary ? kSpillPartCompressLevel : std::max(mergeset::compress_level_for_items(planned_items), kMinCompressLevel);
    wo.durable = !opt.temporary;
    wo.prepare_block = tag_rows_prepare_block(reg.tenancy());
    wo.background = true;
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

  // Otherwise: the series cut into ranges whose streams fit the budget, each range's items
  // emitted in order as a run (tag rows combined), and the runs merged with the parts written
  // earlier (merge_index_runs).
  const uint64_t budget = std::min(opt.memory_budget, planned_bytes);
  std::vector<EarlierIndexPart> parts;
  if (!work.empty()) VMT_TRY(make_runs(reg, std::move(work), budget, workers, opt.runs_dir, series_bytes, &parts));
  parts.insert(parts.end(), opt.earlier.begin(), opt.earlier.end());
  for (const EarlierIndexPart& p : parts) {
    merge->parts.push_back(p.dir);
    merge->items_generated += p.items_generated;
  }
  merge->part_dir = part_dir;
  merge->runs_dir = opt.runs_dir;
  merge->tenancy = reg.tenancy();
  merge->temporary = opt.temporary;
  out->items_generated = merge->items_generated;
  return Status::ok();
}

Status merge_index_runs(const IndexRunsMerge& merge, IndexPartResult* out) {
  mergeset::MergeOptions mo;
  mo.compress_level = merge.temporary ? kSpillPartCompressLevel
                                      : std::max(mergeset::compress_level_for_items(merge.items_generated), kMinCompressLevel);
  mo.durable = !merge.temporary;
  mo.prepare_block = tag_rows_prepare_block(merge.tenancy);
  // Tag rows combined here as the in-memory stream combines them, so the part does not depend on
  // how many runs the budget made; runs hold combined rows whose MetricIDs may overlap from run
  // to run: TagRowCombiner puts them in order.
  TagRowCombiner combiner(merge.tenancy);
  mo.transform.push = [&](ByteView it, const mergeset::ItemEmit& emit) { return combiner.push(it, emit); };
  mo.transform.finish = [&](const mergeset::ItemEmit& emit) { return combiner.finish(emit); };
  mergeset::MergeStats ms;
  VMT_TRY(mergeset::merge_part_dirs(merge.parts, merge.part_dir, mo, &ms));
  out->items_generated = merge.items_generated;
  out->items = ms.items_out;
  out->blocks = ms.blocks_out;
  out->runs = merge.parts.size();
  if (fs::exists(merge.runs_dir)) VMT_TRY(fs::remove_all(merge.runs_dir));
  VMT_ASSIGN_OR_RETURN(out->size_bytes, layout::part_size(merge.part_dir));
  return Status::ok();
}

Status write_index_part(const SeriesRegistry& reg, IndexWork work, const IndexPartOptions& opt,
                        const std::string& part_dir, IndexPartResult* out) {
  IndexRunsMerge merge;
  VMT_TRY(start_index_part(reg, std::move(work), opt, part_dir, out, &merge));
  return merge.pending() ? merge_index_runs(merge, out) : Status::ok();
}

}  // namespace vmt::ingest
