// The cardinality report of /api/v1/status/tsdb, exact: each series (tenant + canonical
// MetricName) counted once, however many MetricIDs or cluster nodes hold it.
//
// The server (lib/storage/index_db.go getTSDBStatus at v1.93.7) sums the MetricIDs of the tag rows
// of one day (ns 6; date=1970-01-01: the global ns 1 rows), so a series with two MetricIDs counts
// twice, and vmselect adds the nodes' answers. Here the series in scope are read from the index:
// the MetricIDs of the day (ns 5) or of the whole storage (ns 3), without the deleted ones (ns 4),
// each resolved to its name (ns 3) and counted once per distinct name. Selectors are applied to
// the names with exactly the semantics the index search has (selector.h), since every name is
// read anyway. Distinct names are remembered by their 128-bit XXH3 hash with the tenant (memory:
// ~40 bytes a series, never the names), plus one counter per distinct label=value pair.
//
// Field names follow the server's JSON: totalSeries, totalLabelValuePairs, seriesCountByMetricName,
// seriesCountByLabelName, seriesCountByFocusLabelValue, seriesCountByLabelValuePair,
// labelValueCountByLabelName; each list sorted by count descending, then name, cut to topN.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "layout/storage_dir.h"
#include "metric/tenancy.h"
#include "query/index_search.h"
#include "query/selector.h"

namespace vmt::query {

struct StatusQuery {
  std::vector<Selector> match;
  std::optional<uint64_t> date;  // one UTC day (the server's `date`); else `range`
  TimeRange range;               // whole: every series the storage holds
  std::optional<metric::Tenant> tenant;
  size_t top_n = 10;
  std::string focus_label;
};

struct NameCount {
  std::string name;
  uint64_t value = 0;
};

struct DayCount {
  uint64_t date = 0;
  uint64_t series = 0;       // distinct series with samples that day (ns 5)
  uint64_t first_seen = 0;   // ... whose first day in the report is this one
  uint64_t last_seen = 0;    // ... whose last day in the report is this one
};

struct NodeCount {
  std::string dir;
  uint64_t series = 0;
  uint64_t metric_ids = 0;
  uint64_t shared_series = 0;  // of its series, those another directory holds too
};

// A series held by more than one directory (replication, rerouting, or a copied part).
struct SharedSeries {
  metric::Tenant tenant;
  metric::MetricName name;
  std::vector<size_t> nodes;  // indexes into the directories
};

struct TsdbStatus {
  uint64_t total_series = 0;
  uint64_t total_label_value_pairs = 0;
  uint64_t total_metric_ids = 0;  // what the server's totalSeries counts (summed over nodes)
  std::vector<NameCount> series_count_by_metric_name;
  std::vector<NameCount> series_count_by_label_name;
  std::vector<NameCount> series_count_by_focus_label_value;
  std::vector<NameCount> series_count_by_label_value_pair;
  std::vector<NameCount> label_value_count_by_label_name;
  std::vector<NameCount> series_count_by_tenant;  // "A:P"
  std::vector<DayCount> days;                     // without `date`: each day of the range
  std::vector<NodeCount> nodes;                   // one per directory
  uint64_t series_on_several_nodes = 0;
  std::vector<SharedSeries> shared_examples;  // up to top_n of them, in hash order (stable per data)
};

// Several directories are the nodes of one cluster (at most 64).
Result<TsdbStatus> tsdb_status(const std::vector<const layout::StorageDir*>& dirs, const StatusQuery& q);

// The top n of counts: by value descending, then name ascending.
std::vector<NameCount> top_n(std::vector<NameCount> all, size_t n);

}  // namespace vmt::query
