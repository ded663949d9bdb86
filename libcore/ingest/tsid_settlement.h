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

#include <cstdint>

#include "base/status.h"
#include "ingest/existing_index.h"
#include "ingest/index_builder.h"
#include "ingest/series_registry.h"

namespace vmt::ingest {

struct SettlementCounts {
  uint64_t created = 0, curr = 0, prev = 0;
  uint64_t first_metric_id = 0, last_metric_id = 0;  // of the created series
};

// Settles series [from, registry.size()): found in `existing`, or created with the MetricIDs
// ++*metric_id_counter in id (= input) order.
Status settle_tsids(SeriesRegistry& registry, size_t from, ExistingIndex& existing, uint64_t* metric_id_counter,
                    SettlementCounts* counts);

// The index work for every settled series: the global group for created and prev series, the
// per-day group for each (series, day) pair unless the series is known and curr has its ns 5 item.
Status plan_index_work(const SeriesRegistry& registry, ExistingIndex& existing, IndexWork* work);

}  // namespace vmt::ingest
