#include "ingest/tsid_settlement.h"

#include "metric/metric_name.h"
#include "metric/tsid_gen.h"

namespace vmt::ingest {

Status settle_tsids(SeriesRegistry& reg, size_t from, ExistingIndex& existing, uint64_t* counter,
                    SettlementCounts* counts) {
  const size_t n = reg.size();
  if (from >= n) return Status::ok();
  if (existing.searchable()) {
    std::vector<ExistingIndex::NameLookup> lookups(n - from);
    for (size_t i = from; i < n; ++i) {
      auto& l = lookups[i - from];
      l.series = uint32_t(i);
      ns7_key(l.key, reg.at(uint32_t(i)).first_date, reg.canonical(uint32_t(i)));
    }
    VMT_TRY(existing.resolve(lookups));
    for (const auto& l : lookups) {
      if (l.found_in == 0) continue;
      Series& s = reg.at(l.series);
      s.tsid = l.tsid;
      s.origin = l.found_in == 1 ? SeriesOrigin::curr : SeriesOrigin::prev;
      ++(l.found_in == 1 ? counts->curr : counts->prev);
    }
  }
  for (size_t i = from; i < n; ++i) {
    Series& s = reg.at(uint32_t(i));
    if (s.origin != SeriesOrigin::pending) continue;
    VMT_ASSIGN_OR_RETURN(metric::MetricName mn, metric::MetricName::decode_canonical(reg.canonical(uint32_t(i)), reg.tenancy()));
    s.tsid = metric::generate_tsid(mn, ++*counter);
    if (mn.tags.size() < 2) {  // v1.93.7's leftovers (see the header); the source is settled already
      const metric::TSID* src = s.inherit_from == UINT32_MAX ? nullptr : &reg.at(s.inherit_from).tsid;
      if (mn.tags.empty()) s.tsid.job_id = src ? src->job_id : 0;
      s.tsid.instance_id = src ? src->instance_id : 0;
    }
    s.origin = SeriesOrigin::created;
    if (counts->first_metric_id == 0) counts->first_metric_id = *counter;
    counts->last_metric_id = *counter;
    ++counts->created;
  }
  return Status::ok();
}

Status plan_index_work(const SeriesRegistry& reg, ExistingIndex& existing, IndexWork* work) {
  std::vector<ExistingIndex::DateCheck> checks;
  for (size_t i = 0; i < reg.size(); ++i) {
    const Series& s = reg.at(uint32_t(i));
    if (s.origin == SeriesOrigin::created || s.origin == SeriesOrigin::prev) work->global.push_back(uint32_t(i));
  }
  const auto& dates = reg.dates();
  for (size_t k = 0; k < dates.size(); ++k) {
    const Series& s = reg.at(dates[k].first);
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
