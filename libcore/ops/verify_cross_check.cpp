// tsdb-inspect verify: the data of each partition against the index a query of that partition
// searches, and each index group's per-day entries against the group (storage-layout.md §6.2:
// what a series needs to be found; indexdb.md §4, §10).
#include "ops/args.h"
#include "ops/verifier.h"

namespace vmt::ops::verify_detail {

Verifier::Scope Verifier::scope_of(const std::string& partition, bool per_partition) {
  Scope sc;
  if (per_partition) {
    sc.groups = {&groups[partition], &groups["legacy"]};
    sc.where = "data/indexdb/" + partition + " or the legacy curr and prev";
  } else {
    sc.groups = {&groups["searched"]};
    sc.where = "curr or prev";
  }
  return sc;
}

void Verifier::cross_check_data(const std::string& root, const std::unordered_map<uint64_t, DataSeries>& series, const Scope& sc) {
  for (const auto& [mid_binding, ds] : series) {
    const uint64_t mid = mid_binding;   // a plain variable: lambdas below capture it (clang 14)
    if (sc.deleted(mid)) continue;
    std::string who = "MetricID " + std::to_string(mid) + " (tenant " + std::to_string(ds.tsid.account_id) + ":" +
                      std::to_string(ds.tsid.project_id) + ")";
    const std::pair<uint32_t, uint32_t> tenant{ds.tsid.account_id, ds.tsid.project_id};
    const std::pair<uint32_t, uint32_t>* name_tenant = nullptr;
    for (const auto* g : sc.groups) {
      if (auto n = g->names.find(mid); n != g->names.end()) {
        name_tenant = &n->second;
        break;
      }
    }
    if (!name_tenant) {
      problem(root, who + " has data but no MetricID->MetricName item (ns 3) in " + sc.where +
                        ": the server hides it and marks it deleted");
    } else if (*name_tenant != tenant) {
      problem(root, who + ": its MetricID->MetricName item is in tenant " + std::to_string(name_tenant->first) + ":" +
                        std::to_string(name_tenant->second));
    }
    const metric::TSID* tsid = nullptr;
    for (const auto* g : sc.groups) {
      if (auto t = g->tsids.find(mid); t != g->tsids.end()) {
        tsid = &t->second;
        break;
      }
    }
    // A TSID that is not the index's names the part holding it: that part is the damaged one
    // (a flipped bit gave a block another series' MetricID), not the sound parts of the series.
    if (!tsid) {
      problem(root, who + " has data but no MetricID->TSID item (ns 2) in " + sc.where);
      for (const auto& [part, other] : ds.others) {
        problem(root, who + " appears with two TSIDs: " + ds.tsid.to_string() + " in " + ds.part + " and " +
                          other.to_string() + " in " + part);
      }
    } else {
      if (*tsid != ds.tsid) {
        problem(ds.part, who + ": data blocks have TSID " + ds.tsid.to_string() + " but the MetricID->TSID item has " +
                             tsid->to_string());
      }
      for (const auto& [part, other] : ds.others) {
        if (other != *tsid) {
          problem(part, who + ": data blocks have TSID " + other.to_string() + " but the MetricID->TSID item has " +
                            tsid->to_string());
        }
      }
    }
    for (uint64_t d : ds.days) {
      if (!sc.any([&](const IndexFacts& g) { return g.dates.count({tenant.first, tenant.second, d, mid}) > 0; })) {
        problem(root, who + " has samples on " + format_date(d) + " but no Date->MetricID item (ns 5) for that day in " +
                          sc.where + ": queries of that day do not find it");
      }
    }
  }
}

void Verifier::cross_check_dates(const std::string& root, const IndexFacts& facts, const Scope& sc) {
  for (const auto& entry : facts.dates) {
    const auto [acc, proj, date, mid_binding] = entry;
    const uint64_t mid = mid_binding;   // captured by the lambdas below (clang 14)
    if (sc.deleted(mid)) continue;
    std::string who = "Date->MetricID " + format_date(date) + " " + std::to_string(mid) + " (tenant " +
                      std::to_string(acc) + ":" + std::to_string(proj) + ")";
    if (!facts.date_names.count({date, mid})) problem(root, who + " has no (Date,MetricName)->TSID item (ns 7)");
    if (!facts.date_name_rows.count({acc, proj, date, mid})) problem(root, who + " has no per-day metric name row (ns 6)");
    if (!sc.any([&](const IndexFacts& g) { return g.names.count(mid) > 0; })) {
      problem(root, who + " has no MetricID->MetricName item (ns 3)");
    }
  }
}

void Verifier::cross_check(const std::string& root, bool per_partition) {
  for (const auto& [partition, series] : data_in) cross_check_data(root, series, scope_of(partition, per_partition));
  for (auto& [name, facts] : groups) {
    const bool legacy_or_searched = name == "legacy" || name == "searched";
    Scope sc = legacy_or_searched ? Scope{{&facts}, name} : scope_of(name, per_partition);
    cross_check_dates(root, facts, sc);
  }
}

}  // namespace vmt::ops::verify_detail
