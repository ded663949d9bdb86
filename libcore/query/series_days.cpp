#include "query/series_days.h"

#include <algorithm>
#include <memory>
#include <set>

namespace vmt::query::status {

// The days of the report: every day of the sources' per-day entries within the range.
Result<std::vector<uint64_t>> report_days(const std::vector<const layout::StorageDir*>& dirs,
                                          const std::vector<Source>& sources, const TimeRange& range) {
  std::set<uint64_t> all;
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
    for (const auto& s : sources) {
      if (s.node != di) continue;
      VMT_ASSIGN_OR_RETURN(auto days, ss.tables()[s.table].search->dates(s.tenant));
      for (uint64_t d : days) {
        if (range.whole() || (d >= range.min_date() && d <= range.max_date())) all.insert(d);
      }
    }
  }
  return std::vector<uint64_t>(all.begin(), all.end());
}

// Days [from, to) of `days`. Memory: the series seen so far and one day, whatever the number of
// days; every buffer lives across days and keeps its memory (a day of 1M series is 16 MiB that
// would otherwise be faulted in anew each day).
Status sweep_days(const std::vector<const layout::StorageDir*>& dirs, const std::vector<Source>& sources,
                  const TimeRange& range, const RepeatMap& repeat_of, const std::vector<uint64_t>& days, size_t from,
                  size_t to, DaySweep* out) {
  std::vector<std::unique_ptr<StorageSearch>> open(dirs.size());
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
    open[di] = std::make_unique<StorageSearch>(std::move(ss));
  }
  // One day's series (repeats mapped to their series' first MetricID), sorted.
  std::vector<uint64_t> ids;
  auto day_series = [&](uint64_t d, HugeVector<NodeId>& v) -> Status {
    v.clear();
    for (const auto& s : sources) {
      auto& tab = open[s.node]->tables()[s.table];
      VMT_TRY(tab.search->ids_on_date(s.tenant, d, ids));
      for (uint64_t id : ids) {
        if (!in_scope(s, tab, id)) continue;
        NodeId k{id, s.node};
        if (!repeat_of.empty()) {
          auto r = repeat_of.find(k);
          if (r != repeat_of.end()) k = r->second;
        }
        v.push_back(k);
      }
    }
    // One source per day reads already in order; several (or repeats mapped) need the sort.
    if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
    return Status::ok();
  };
  HugeVector<NodeId> day, merged;
  HugeVector<uint32_t> merged_first, merged_last;
  for (size_t k = from; k < to; ++k) {
    VMT_TRY(day_series(days[k], day));
    auto& seen = out->seen;
    if (seen.empty()) {  // the first day: its series are the seen ones (no merge, no second array)
      const size_t distinct = size_t(std::unique(day.begin(), day.end()) - day.begin());
      swap(seen, day);
      day.clear();
      seen.truncate(distinct);
      out->first.clear();
      out->last.clear();
      for (size_t i = 0; i < distinct; ++i) out->first.push_back(uint32_t(k)), out->last.push_back(uint32_t(k));
      out->series.push_back(distinct);
      continue;
    }
    merged.clear();
    merged_first.clear();
    merged_last.clear();
    size_t i = 0, j = 0, distinct = 0;
    while (i < seen.size() || j < day.size()) {
      if (j == day.size() || (i < seen.size() && seen[i] < day[j])) {
        merged.push_back(seen[i]);
        merged_first.push_back(out->first[i]);
        merged_last.push_back(out->last[i++]);
        continue;
      }
      const NodeId e = day[j++];
      while (j < day.size() && day[j] == e) ++j;  // the same MetricID in several parts or tables
      ++distinct;
      const bool old = i < seen.size() && seen[i] == e;
      merged.push_back(e);
      merged_first.push_back(old ? out->first[i] : uint32_t(k));
      merged_last.push_back(uint32_t(k));
      i += old;
    }
    out->series.push_back(distinct);
    swap(out->seen, merged);
    swap(out->first, merged_first);
    swap(out->last, merged_last);
  }
  return Status::ok();
}

// The report's days from the sweeps of its first and second halves: a series' first day is the
// earlier half's first, its last the later half's last.
std::vector<DayCount> combine_days(const std::vector<uint64_t>& days, const DaySweep& a, const DaySweep& b) {
  std::vector<DayCount> out(days.size());
  for (size_t k = 0; k < days.size(); ++k) {
    out[k].date = days[k];
    out[k].series = k < a.series.size() ? a.series[k] : b.series[k - a.series.size()];
  }
  size_t i = 0, j = 0;
  while (i < a.seen.size() || j < b.seen.size()) {
    if (j == b.seen.size() || (i < a.seen.size() && a.seen[i] < b.seen[j])) {
      ++out[a.first[i]].first_seen, ++out[a.last[i]].last_seen, ++i;
    } else if (i == a.seen.size() || b.seen[j] < a.seen[i]) {
      ++out[b.first[j]].first_seen, ++out[b.last[j]].last_seen, ++j;
    } else {
      ++out[a.first[i]].first_seen, ++out[b.last[j]].last_seen, ++i, ++j;
    }
  }
  // Days whose entries are all out of scope (other series, deleted ones) are no day of the report.
  out.erase(std::remove_if(out.begin(), out.end(), [](const DayCount& c) { return c.series == 0; }), out.end());
  return out;
}

}  // namespace vmt::query::status
