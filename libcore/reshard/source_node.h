// SourceNode: one vmstorage -storageDataPath a reshard reads, with what its index says about each
// live series.
//
// Spec: indexdb.md §4.2 (ns 2: MetricID -> TSID), §4.3 (ns 3: MetricID -> MetricName), §4.4 (ns 4:
// deleted MetricIDs), §4.5 (ns 5: one item per (tenant, UTC day, MetricID) with samples, the
// per-day gate of every query); doc/flavours.md §2 (per-partition indexes, v1.133+).
// Every table a query searches is read (partition indexes, curr, prev), so a series is seen
// exactly when the server would serve it. Names and deleted sets come from query/name_index.h
// (the one reader of ns 3 and ns 4); this file adds ns 2 and ns 5.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "layout/storage_dir.h"
#include "metric/tsid.h"
#include "query/name_index.h"

namespace vmt::reshard {

struct SourceNode {
  std::string dir;
  layout::StorageDir sd;
  query::NameIndex names;                                 // ns 3, ns 4
  std::unordered_map<uint64_t, metric::TSID> tsids;     // ns 2: MetricID -> TSID
  std::vector<std::pair<uint64_t, uint32_t>> days;      // ns 5: (MetricID, date), sorted, unique

  // The live MetricIDs with a name, ascending (deleted ones of the searched generations left out).
  std::vector<uint64_t> live_metric_ids() const;
  // The ns 5 days of one MetricID (a range of `days`).
  std::pair<const std::pair<uint64_t, uint32_t>*, const std::pair<uint64_t, uint32_t>*> days_of(uint64_t metric_id) const;
};

// Opens `dir` (refused when a running server holds it, or when it is not a cluster storage) and
// loads its index; `account_id`/`project_id` (both or neither) keep one tenant only.
Status load_source(const std::string& dir, const layout::Flavour* target, const uint32_t* account_id,
                   const uint32_t* project_id, SourceNode* out);

}  // namespace vmt::reshard
