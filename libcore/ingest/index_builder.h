// write_index_part: the indexdb items an import adds to the curr generation, as one mergeset part.
//
// Spec: indexdb.md §5 (two groups: the global group, ns 3 · ns 2 · ns 1 rows, once per series new
// to curr; the per-day group, ns 5 · ns 7 · ns 6 rows, for every (series, UTC day) not yet in
// curr), §9 (the 18-item example), §10 (checklist); indexdb/series_items.h builds the groups.
// mergeset.md §8-§9 (blocks cut by size, one zstd level for the part from the item count), §11 /
// indexdb.md §8 (every block goes through mergeTagToMetricIDsRows, as in every server merge, so
// tag rows of adjacent MetricIDs are combined).
// The items are generated straight in sorted order with their tag rows already combined
// (index_stream.h). When that stream does not fit memory_budget, the series are cut into ranges
// whose streams do; each range is emitted the same way as a run, written as a part under
// runs_dir, and the runs are merged at the end (mergeset::merge_part_dirs) into the final part,
// combining the tag rows as the stream does (runs hold combined rows, whose MetricIDs may
// overlap from run to run: TagRowCombiner orders them). Both paths write the same items and blocks
// (tests). Sorting uses opt.threads threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ingest/series_registry.h"
#include "metric/metric_name.h"
#include "mergeset/items.h"
#include "mergeset/part_writer.h"

namespace vmt::ingest {

struct IndexWork {
  std::vector<uint32_t> global;                          // series needing the global group
  std::vector<std::pair<uint32_t, uint32_t>> per_day;    // (series, date) needing the per-day group
  bool empty() const { return global.empty() && per_day.empty(); }
};

// Calls fn(series, global, first per_day index, per_day count) for each series of work in id
// order: whether it needs the global group, and where its (series, date) entries are.
template <class Fn>
void walk_work_series(const IndexWork& work, Fn fn) {
  size_t g = 0, d = 0;
  while (g < work.global.size() || d < work.per_day.size()) {
    const uint32_t s = std::min(g < work.global.size() ? work.global[g] : UINT32_MAX,
                                d < work.per_day.size() ? work.per_day[d].first : UINT32_MAX);
    const bool global = g < work.global.size() && work.global[g] == s;
    g += global;
    const size_t d0 = d;
    while (d < work.per_day.size() && work.per_day[d].first == s) ++d;
    fn(s, global, d0, d - d0);
  }
}

// One series of an IndexWork, as the item writers walk them (index_stream.h in memory, the
// sorted runs of write_index_part): in id order (= creation order), its global group if it needs
// one, then its days.
struct WorkSeries {
  uint32_t id = 0;
  const Series* series = nullptr;
  ByteView canonical;
  const metric::MetricName* name = nullptr;               // canonical, decoded
  bool global = false;                                    // needs the global group
  std::span<const std::pair<uint32_t, uint32_t>> days;    // its (series, date) entries of per_day
};
// Calls fn for each series of work; a series without a TSID is an error.
Status for_each_work_series(const SeriesRegistry& reg, const IndexWork& work,
                            const std::function<Status(const WorkSeries&)>& fn);

// A part of index items written earlier by the same import (a run of its spilled series,
// series_spill.h), sorted; merged into the final part with the rest.
struct EarlierIndexPart {
  std::string dir;
  uint64_t items_generated = 0;
};

struct IndexPartOptions {
  uint64_t memory_budget = 128 << 20;  // bytes of items held before a run is written
  unsigned threads = 1;
  std::string runs_dir;                // where runs go when the items do not fit (created, then removed)
  // Merged in with the items of the work (which may then be empty); they stay where they are.
  std::vector<EarlierIndexPart> earlier;
  // A part this import reads once more and removes (a spill's): written at the fastest level, and
  // not fsynced.
  bool temporary = false;
};

struct IndexPartResult {
  uint64_t items_generated = 0;  // single-MetricID items they stand for, before combining tag rows
  uint64_t items = 0;            // items in the part
  uint64_t blocks = 0;
  uint64_t runs = 0;             // sorted runs written (0 when everything fit in memory)
  uint64_t size_bytes = 0;       // the four .bin files
};

// The prepareBlock callback indexdb installs (indexdb::merge_tag_to_metric_ids_rows).
mergeset::PrepareBlockFn tag_rows_prepare_block(metric::Tenancy t);

// Generates, sorts and writes the items of `work`, and those of opt.earlier, into part_dir (must
// not exist). Every series in `work` must have its TSID settled. There must be something to write.
Status write_index_part(const SeriesRegistry& registry, IndexWork work, const IndexPartOptions& opt,
                        const std::string& part_dir, IndexPartResult* out);

// The merge that ends write_index_part when it wrote runs. It reads the run directories only,
// not the registry, so a caller may let it go on beside its next work (a spill's, while the next
// series are read: importer.cpp).
struct IndexRunsMerge {
  std::vector<std::string> parts;  // the runs, then opt.earlier
  std::string part_dir, runs_dir;
  metric::Tenancy tenancy = metric::Tenancy::kCluster;
  bool temporary = false;
  uint64_t items_generated = 0;
  bool pending() const { return !parts.empty(); }
};

// write_index_part up to its merge: the part itself when no merge is needed (*merge left not
// pending), else the runs, with *merge describing the rest for merge_index_runs.
Status start_index_part(const SeriesRegistry& registry, IndexWork work, const IndexPartOptions& opt,
                        const std::string& part_dir, IndexPartResult* out, IndexRunsMerge* merge);
// The runs and earlier parts of `merge` into its part_dir (tag rows combined as the in-memory
// stream combines them); runs_dir removed. Fills out's items, blocks, runs and size.
Status merge_index_runs(const IndexRunsMerge& merge, IndexPartResult* out);

}  // namespace vmt::ingest
