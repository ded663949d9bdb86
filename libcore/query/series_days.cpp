#include "query/series_days.h"

#include <algorithm>
#include <memory>
#include <set>

#include "query/id_set.h"

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
  // One day's series (repeats mapped to their series' first MetricID), sorted and unique: read
  // straight from the MetricIDs of the day (sorted, unique) when one source has nothing to leave
  // out or map, else gathered into `day`. A copy of a day is 16 MB at 1M series, and on a VM each
  // fresh page costs more than the work done on it.
  const StorageSearch::Table* only = sources.size() == 1 ? &open[sources[0].node]->tables()[sources[0].table] : nullptr;
  const bool as_read = only && !sources[0].scope && repeat_of.empty() && !only->any_deleted();
  HugeVector<uint64_t> ids;
  HugeVector<NodeId> day, merged;
  auto day_series = [&](uint64_t d) -> Status {
    day.clear();
    for (const auto& s : sources) {
      auto& tab = open[s.node]->tables()[s.table];
      VMT_TRY(tab.search->ids_on_date(s.tenant, d, ids));
      if (as_read) return Status::ok();
      for (uint64_t id : ids) {
        if (!in_scope(s, tab, id)) continue;
        NodeId k{id, s.node};
        if (!repeat_of.empty()) {
          auto r = repeat_of.find(k);
          if (r != repeat_of.end()) k = r->second;
        }
        day.push_back(k);
      }
    }
    // One source per day reads already in order; several (or repeats mapped) need the sort.
    day.truncate(sort_unique(day.begin(), day.end()));
    return Status::ok();
  };
  const uint32_t only_node = only ? sources[0].node : 0;
  HugeVector<uint32_t> merged_first, merged_last;
  for (size_t k = from; k < to; ++k) {
    VMT_TRY(day_series(days[k]));
    const size_t day_n = as_read ? ids.size() : day.size();
    auto day_at = [&](size_t j) { return as_read ? NodeId{ids[j], only_node} : day[j]; };
    auto& seen = out->seen;
    if (seen.empty()) {  // the first day: its series are the seen ones
      if (as_read) {
        seen.resize(day_n);
        for (size_t j = 0; j < day_n; ++j) seen[j] = day_at(j);
      } else {
        swap(seen, day);
      }
      out->first.resize(day_n);
      out->last.resize(day_n);
      std::fill(out->first.begin(), out->first.end(), uint32_t(k));
      std::fill(out->last.begin(), out->last.end(), uint32_t(k));
      out->series.push_back(day_n);
      continue;
    }
    // Most days hold only series already seen: their last day is set in place, and the arrays are
    // rebuilt by a merge only from the day's first new series on (on a steady day, never).
    size_t i = 0, j = 0;
    for (; j < day_n; ++j) {
      const NodeId e = day_at(j);
      while (i < seen.size() && seen[i] < e) ++i;
      if (i == seen.size() || !(seen[i] == e)) break;
      out->last[i] = uint32_t(k);
    }
    out->series.push_back(day_n);
    if (j == day_n) continue;
    merged.clear();
    merged_first.clear();
    merged_last.clear();
    merged.append(seen.data(), i);
    merged_first.append(out->first.data(), i);
    merged_last.append(out->last.data(), i);
    while (i < seen.size() || j < day_n) {
      if (j == day_n || (i < seen.size() && seen[i] < day_at(j))) {
        merged.push_back(seen[i]);
        merged_first.push_back(out->first[i]);
        merged_last.push_back(out->last[i++]);
        continue;
      }
      const NodeId e = day_at(j++);
      const bool old = i < seen.size() && seen[i] == e;
      merged.push_back(e);
      merged_first.push_back(old ? out->first[i] : uint32_t(k));
      merged_last.push_back(uint32_t(k));
      i += old;
    }
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
