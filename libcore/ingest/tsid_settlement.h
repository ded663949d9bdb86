// Settling the TSIDs of the series an import found, and deciding which index items they need.
//
// Spec: metricname-tsid.md §5.2 (generateTSID; MetricIDs above every MetricID in the indexdb),
// §5.3 (a series is looked up by (UTC day of its first sample, canonical name) in curr, then prev;
// found in prev -> global and per-day items again in curr; not found -> a new MetricID), §5.3
// step 5 and indexdb.md §5 (a known series gets the per-day items of a day that curr lacks).
// Where the real server disagrees with §5.2, which says JobID / InstanceID are 0 without a first /
// second tag: v1.93.7's Storage.add generates every TSID of one call into the same variable and
// sets JobID / InstanceID only when those tags exist, so a series with fewer than 1 / 2 tags keeps
// the values of the TSID of the row before it (every fixture written by the server shows it).
// The importer models one call per input file (Series::inherit_from).
#pragma once

#include <functional>
#include <map>
#include <string>

#include <cstdint>

#include "base/status.h"
#include "ingest/existing_index.h"
#include "ingest/index_builder.h"
#include "ingest/series_registry.h"

namespace vmt::ingest {

struct SettlementCounts {
  uint64_t created = 0, curr = 0, prev = 0;
  uint64_t other_day = 0;  // of curr + prev: found by name on another day (resolve_any_day)
  uint64_t first_metric_id = 0, last_metric_id = 0;  // of the created series
};

// The index a series is looked up in by the UTC day of its first sample: always curr (then prev)
// with generations; that day's partition index with the per-partition layout (v1.133+: the server
// looks a new row up in its own partition's index for its own day only, doc/flavours.md §3).
using IndexForDate = std::function<Result<ExistingIndex*>(uint32_t date)>;

// Settles series [from, registry.size()): found in the index of their first day, else by name on
// any other day in `any_day` (ExistingIndex::resolve_any_day; null: not looked up), or created with
// the MetricIDs ++*metric_id_counter in id (= input) order.
Status settle_tsids(SeriesRegistry& registry, size_t from, const IndexForDate& index_for, ExistingIndex* any_day,
                    uint64_t* metric_id_counter, SettlementCounts* counts);

// The index work for every settled series: the global group for created and prev series, the
// per-day group for each (series, day) pair unless the series is known and curr has its ns 5 item.
Status plan_index_work(const SeriesRegistry& registry, ExistingIndex& existing, IndexWork* work);

// Per-partition layout: the index work of each partition P (by name) with samples: the global
// group of every series with samples in P unless P's index has its MetricID->TSID item (the server
// adds it when a cached TSID is new to P), and the per-day group of each (series, day) of P unless
// P has its ns 5 item.
Status plan_partition_index_work(const SeriesRegistry& registry, const IndexForDate& index_for,
                                 std::map<std::string, IndexWork>* works);

}  // namespace vmt::ingest
