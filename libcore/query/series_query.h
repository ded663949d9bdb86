// The series a query selects, and what /api/v1/series, /api/v1/labels and /api/v1/label/N/values
// answer about them.
//
// A series is a tenant and a canonical MetricName: MetricIDs that share both (concurrent inserts
// that gave one series two ids, or the same series on several nodes of a cluster) count once,
// as the server's answers list them once. Several directories are the nodes of one cluster.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "layout/storage_dir.h"
#include "metric/metric_name.h"
#include "metric/tenancy.h"
#include "query/found_series.h"
#include "query/index_search.h"
#include "query/selector.h"

namespace vmt::query {

struct SeriesQuery {
  std::vector<Selector> match;  // OR-ed; none = every series ({__name__!=""})
  TimeRange range;
  std::optional<metric::Tenant> tenant;  // none = every tenant
  // Skip tables with no day at or after the range's first (the server's containsTimeRange, which
  // its series search applies and its label search does not).
  bool check_time_range = true;
};

// The distinct series of the directories that the query selects, finished (found_series.h; its
// budget and temporary directory as given). Errors name the directory.
Result<FoundSeries> find_series(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q,
                                uint64_t budget_bytes = 0, const std::string& tmp_root = "");

// Label names of the series the query selects, "__name__" for the metric name, sorted
// (/api/v1/labels), and the values of one label (/api/v1/label/N/values). Read off the tag rows
// as the server reads them: a label (value) is in when one of its rows holds a selected, live
// MetricID; then the rest of its rows are skipped. No containsTimeRange check (the server's label
// search has none).
Result<std::vector<std::string>> label_names(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q);
Result<std::vector<std::string>> label_values(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q,
                                              const std::string& label);

}  // namespace vmt::query
