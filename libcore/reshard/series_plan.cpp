#include "reshard/series_plan.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "metric/metric_name.h"

namespace vmt::reshard {

namespace {

// The label list vminsert would hash for a row of this stored series (see series_plan.h).
void labels_of(const metric::MetricName& mn, std::vector<metric::Label>* out) {
  out->clear();
  out->push_back({ByteView(), ByteView(mn.metric_group)});
  for (const auto& tag : mn.tags) out->push_back({ByteView(tag.key), ByteView(tag.value)});
  std::stable_sort(out->begin() + 1, out->end(),
                   [](const metric::Label& a, const metric::Label& b) { return a.name < b.name; });
}

}  // namespace

Status plan_series(const std::vector<SourceNode>& sources, const PlanOptions& opt, SeriesPlan* plan) {
  const size_t n_targets = opt.placement->size();
  plan->targets.clear();
  for (size_t t = 0; t < n_targets; ++t) plan->targets.emplace_back(metric::Tenancy::kCluster);
  plan->by_metric_id.assign(n_targets, {});
  plan->ids.assign(sources.size(), std::vector<std::unordered_map<uint64_t, uint32_t>>(n_targets));
  plan->renumbered.assign(sources.size(), std::vector<bool>(n_targets, false));

  // Fresh MetricIDs start above every MetricID of every source, so none can clash.
  uint64_t next_metric_id = 0;
  for (const auto& s : sources) {
    for (const auto& [mid, tsid] : s.tsids) next_metric_id = std::max(next_metric_id, mid);
  }
  std::vector<std::unordered_set<uint64_t>> used(n_targets);
  std::map<std::pair<uint32_t, uint32_t>, route::KeyBuilder> keys;  // per tenant
  std::vector<metric::Label> labels;

  for (size_t si = 0; si < sources.size(); ++si) {
    const SourceNode& src = sources[si];
    for (uint64_t mid : src.live_metric_ids()) {
      const auto& entry = src.names.by_metric_id.at(mid);
      auto mn = metric::MetricName::decode_canonical(entry.canonical, metric::Tenancy::kCluster);
      if (!mn.is_ok()) {
        return corruption(src.dir + ": the name of MetricID " + std::to_string(mid) + " (ns 3) does not decode: " +
                          mn.status().message());
      }
      ++plan->source_series;
      if (!opt.match.empty() && !query::matches_any(opt.match, *mn)) {
        ++plan->skipped_series;
        continue;
      }
      auto kit = keys.find({entry.account_id, entry.project_id});
      if (kit == keys.end()) {
        route::KeyOptions ko;
        ko.account_id = entry.account_id;
        ko.project_id = entry.project_id;
        ko.order = opt.order;
        ko.sort_labels = opt.sort_labels;
        ko.limits.max_labels = SIZE_MAX;
        ko.limits.max_value_len = SIZE_MAX;
        kit = keys.emplace(std::make_pair(entry.account_id, entry.project_id), route::KeyBuilder(ko)).first;
      }
      route::KeyBuilder& kb = kit->second;
      labels_of(*mn, &labels);
      kb.build_from_labels(labels);
      bool rerouted = false;
      const size_t owner = opt.placement->owner(kb.key_hash(), kb.raw(), &rerouted);
      const metric::TSID& src_tsid = src.tsids.at(mid);
      const auto [d0, d1] = src.days_of(mid);
      const uint32_t first_date = d0 != d1 ? d0->second : 0;
      for (size_t t : opt.placement->copies(owner).nodes) {
        ingest::SeriesRegistry& reg = plan->targets[t];
        bool created = false;
        const uint32_t id = reg.find_or_add_canonical(entry.canonical, first_date, &created);
        ingest::Series& s = reg.at(id);
        if (created) {
          s.tsid = src_tsid;
          if (!used[t].insert(s.tsid.metric_id).second) {
            s.tsid.metric_id = ++next_metric_id;
            used[t].insert(s.tsid.metric_id);
            ++plan->renumbered_series;
          }
          s.origin = ingest::SeriesOrigin::created;
          plan->by_metric_id[t].emplace(s.tsid.metric_id, id);
        } else {
          ++plan->merged_series;
        }
        plan->ids[si][t].emplace(mid, id);
        if (!(s.tsid == src_tsid)) plan->renumbered[si][t] = true;
      }
    }
  }
  return Status::ok();
}

}  // namespace vmt::reshard
