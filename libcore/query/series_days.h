// Per-day series and churn for the cardinality report (tsdb_status.h): for each day of the
// report, the distinct series with samples that day (ns 5, repeats mapped to their series' first
// MetricID), and how many series were first and last seen that day. The days run forward in
// sweeps of consecutive days, two of which (the halves) can run on two cores and are combined by
// series. Spec: indexdb.md §4.5 (ns 5: date -> MetricID).
#pragma once

#include <cstdint>
#include <vector>

#include "base/huge_array.h"
#include "layout/storage_dir.h"
#include "query/status_sources.h"
#include "query/tsdb_status.h"

namespace vmt::query::status {

// The days of the report: every day of the sources' per-day entries within the range.
Result<std::vector<uint64_t>> report_days(const std::vector<const layout::StorageDir*>& dirs,
                                          const std::vector<Source>& sources, const TimeRange& range);

// A run of consecutive days swept forward: each day's distinct series, and every series seen
// with the first and last of those days it was seen on (indexes into the report's days).
struct DaySweep {
  std::vector<uint64_t> series;  // per day of the run
  HugeVector<NodeId> seen;  // ascending
  HugeVector<uint32_t> first, last;
};

// Days [from, to) of `days`. Memory: the series seen so far and one day, whatever the number of
// days.
Status sweep_days(const std::vector<const layout::StorageDir*>& dirs, const std::vector<Source>& sources,
                  const TimeRange& range, const RepeatMap& repeat_of, const std::vector<uint64_t>& days, size_t from,
                  size_t to, DaySweep* out);

// The report's days from the sweeps of its first and second halves: a series' first day is the
// earlier half's first, its last the later half's last. Days with no series in scope are left out.
std::vector<DayCount> combine_days(const std::vector<uint64_t>& days, const DaySweep& a, const DaySweep& b);

}  // namespace vmt::query::status
