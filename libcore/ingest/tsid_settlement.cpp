#include "ingest/tsid_settlement.h"

#include <algorithm>
#include <set>

#include "layout/storage_dir.h"
#include "metric/metric_name.h"
#include "metric/tsid_gen.h"

namespace vmt::ingest {

Status settle_tsids(SeriesRegistry& reg, size_t from, const IndexForDate& index_for, ExistingIndex* any_day,
                    uint64_t* counter, SettlementCounts* counts) {
  const size_t n = reg.size();
  if (from >= n) return Status::ok();
  // The lookups of each index, in one sorted batch per index.
  std::map<ExistingIndex*, std::vector<ExistingIndex::NameLookup>> batches;
  for (size_t i = from; i < n; ++i) {
    if (reg.at(uint32_t(i)).origin != SeriesOrigin::pending) continue;  // returning: settled from the spill
    VMT_ASSIGN_OR_RETURN(ExistingIndex * existing, index_for(reg.at(uint32_t(i)).first_date));
    if (!existing || !existing->searchable()) continue;
    auto& l = batches[existing].emplace_back();
    l.series = uint32_t(i);
    ns7_key(l.key, reg.at(uint32_t(i)).first_date, reg.canonical(uint32_t(i)));
  }
  // A series found in curr (1) or prev (2) keeps that TSID.
  auto found = [&](uint32_t series, int found_in, const metric::TSID& tsid) {
    Series& s = reg.at(series);
    s.tsid = tsid;
    s.origin = found_in == 1 ? SeriesOrigin::curr : SeriesOrigin::prev;
    ++(found_in == 1 ? counts->curr : counts->prev);
  };
  for (auto& [existing, lookups] : batches) {
    VMT_TRY(existing->resolve(lookups));
    for (const auto& l : lookups) {
      if (l.found_in != 0) found(l.series, l.found_in, l.tsid);
    }
  }
  // Not indexed on its first day: the same name on any other day keeps its TSID (issue: a second
  // MetricID for one series splits it in the index and in every per-series limit).
  if (any_day && any_day->searchable()) {
    std::vector<ExistingIndex::AnyDayLookup> lookups;
    for (size_t i = from; i < n; ++i) {
      if (reg.at(uint32_t(i)).origin != SeriesOrigin::pending) continue;
      auto& l = lookups.emplace_back();
      l.canonical = reg.canonical(uint32_t(i));
      l.series = uint32_t(i);
    }
    VMT_TRY(any_day->resolve_any_day(lookups));
    for (const auto& l : lookups) {
      if (l.found_in == 0) continue;
      found(l.series, l.found_in, l.tsid);
      ++counts->other_day;
    }
  }
  Bytes scratch;
  for (size_t i = from; i < n; ++i) {
    Series& s = reg.at(uint32_t(i));
    if (s.origin != SeriesOrigin::pending) continue;
    size_t tags = 0;
    VMT_ASSIGN_OR_RETURN(s.tsid, metric::generate_tsid_canonical(reg.canonical(uint32_t(i)), reg.tenancy(), ++*counter, &tags, scratch));
    if (tags < 2) {  // v1.93.7's leftovers (see the header); the source is settled already
      const metric::TSID* src = s.inherit_from == UINT32_MAX ? nullptr : &reg.at(s.inherit_from).tsid;
      if (tags == 0) s.tsid.job_id = src ? src->job_id : 0;
      s.tsid.instance_id = src ? src->instance_id : 0;
    }
    s.origin = SeriesOrigin::created;
    if (counts->first_metric_id == 0) counts->first_metric_id = *counter;
    counts->last_metric_id = *counter;
    ++counts->created;
  }
  return Status::ok();
}

namespace {

// Whether returning series `sid` indexed a day of `partition` before it was spilled.
bool spilled_in(const SeriesRegistry& reg, uint32_t sid, const std::string& partition) {
  for (uint32_t d : reg.spilled_days(sid)) {
    if (layout::partition_name_for(int64_t(d) * 86400000) == partition) return true;
  }
  return false;
}

}  // namespace

Status plan_partition_index_work(const SeriesRegistry& reg, const IndexForDate& index_for,
                                 std::map<std::string, IndexWork>* works) {
  // (partition, series) pairs: the global group of a known series is checked once per partition.
  std::set<std::pair<std::string, uint32_t>> global_seen;
  std::map<ExistingIndex*, std::vector<ExistingIndex::DateCheck>> checks;
  struct Pending {
    std::string partition;
    uint32_t series = 0;
    size_t date_ref = SIZE_MAX;  // index into reg.dates() for a per-day check, SIZE_MAX for a global one
  };
  std::vector<Pending> pending;
  const auto& dates = reg.dates();
  for (size_t k = 0; k < dates.size(); ++k) {
    const auto [sid, date] = dates[k];
    const Series& s = reg.at(sid);
    const std::string partition = layout::partition_name_for(int64_t(date) * 86400000);
    IndexWork& w = (*works)[partition];
    // A returning series has its global items in every partition of a day it indexed before.
    const bool new_here = global_seen.emplace(partition, sid).second && !(s.returning() && spilled_in(reg, sid, partition));
    if (s.returning() && reg.spilled_on(sid, date)) continue;
    if (s.origin == SeriesOrigin::created) {
      if (new_here) w.global.push_back(sid);
      w.per_day.push_back(dates[k]);
      continue;
    }
    VMT_ASSIGN_OR_RETURN(ExistingIndex * existing, index_for(date));
    auto& batch = checks[existing];
    if (new_here) {
      ExistingIndex::DateCheck c;
      ns2_prefix(c.key, reg.tenancy(), s.tsid.account_id, s.tsid.project_id, s.tsid.metric_id);
      c.prefix = true;
      c.ref = pending.size();
      pending.push_back(Pending{partition, sid, SIZE_MAX});
      batch.push_back(std::move(c));
    }
    ExistingIndex::DateCheck c;
    ns5_key(c.key, reg.tenancy(), s.tsid.account_id, s.tsid.project_id, date, s.tsid.metric_id);
    c.ref = pending.size();
    pending.push_back(Pending{partition, sid, k});
    batch.push_back(std::move(c));
  }
  std::vector<bool> missing(pending.size(), false);
  for (auto& [existing, batch] : checks) {
    if (existing) VMT_TRY(existing->check_dates(batch));
    for (const auto& c : batch) missing[c.ref] = !c.exists;
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (!missing[i]) continue;
    IndexWork& w = (*works)[pending[i].partition];
    if (pending[i].date_ref == SIZE_MAX) {
      w.global.push_back(pending[i].series);
    } else {
      w.per_day.push_back(dates[pending[i].date_ref]);
    }
  }
  // write_index_part wants both lists sorted (series id order) and free of duplicates.
  for (auto& [partition, w] : *works) {
    std::sort(w.global.begin(), w.global.end());
    std::sort(w.per_day.begin(), w.per_day.end());
  }
  for (auto it = works->begin(); it != works->end();) it = it->second.empty() ? works->erase(it) : std::next(it);
  return Status::ok();
}

Status plan_index_work(const SeriesRegistry& reg, ExistingIndex& existing, IndexWork* work) {
  std::vector<ExistingIndex::DateCheck> checks;
  for (size_t i = 0; i < reg.size(); ++i) {
    const Series& s = reg.at(uint32_t(i));
    // A returning series (series_spill.h) had its global items written when it was spilled.
    if ((s.origin == SeriesOrigin::created || s.origin == SeriesOrigin::prev) && !s.returning()) work->global.push_back(uint32_t(i));
  }
  const auto& dates = reg.dates();
  for (size_t k = 0; k < dates.size(); ++k) {
    const Series& s = reg.at(dates[k].first);
    if (s.returning() && reg.spilled_on(dates[k].first, dates[k].second)) continue;
    if (s.origin == SeriesOrigin::created) {
      work->per_day.push_back(dates[k]);
    } else {
      ExistingIndex::DateCheck c;
      ns5_key(c.key, reg.tenancy(), s.tsid.account_id, s.tsid.project_id, dates[k].second, s.tsid.metric_id);
      c.ref = k;
      checks.push_back(std::move(c));
    }
  }
  VMT_TRY(existing.check_dates(checks));
  for (const auto& c : checks) {
    if (!c.exists) work->per_day.push_back(dates[c.ref]);
  }
  return Status::ok();
}

}  // namespace vmt::ingest
