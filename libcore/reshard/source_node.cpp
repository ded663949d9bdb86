#include "reshard/source_node.h"

#include <algorithm>

#include "base/coding.h"
#include "indexdb/item.h"

namespace vmt::reshard {

std::vector<uint64_t> SourceNode::live_metric_ids() const {
  std::vector<uint64_t> ids;
  ids.reserve(names.by_metric_id.size());
  for (const auto& [mid, e] : names.by_metric_id) {
    if (!names.deleted.count(mid)) ids.push_back(mid);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::pair<const std::pair<uint64_t, uint32_t>*, const std::pair<uint64_t, uint32_t>*> SourceNode::days_of(
    uint64_t metric_id) const {
  auto lo = std::lower_bound(days.begin(), days.end(), std::make_pair(metric_id, uint32_t(0)));
  auto hi = lo;
  while (hi != days.end() && hi->first == metric_id) ++hi;
  return {days.data() + (lo - days.begin()), days.data() + (hi - days.begin())};
}

Status load_source(const std::string& dir, const layout::Flavour* target, const uint32_t* account_id,
                   const uint32_t* project_id, SourceNode* out) {
  out->dir = dir;
  VMT_ASSIGN_OR_RETURN(out->sd, layout::open_storage_dir(dir, target));
  if (out->sd.locked) {
    return invalid_argument(dir + ": a running vmstorage holds flock.lock; stop the node before resharding it "
                            "(its data would change while it is read)");
  }
  const metric::Tenancy t = out->sd.flavour.tenancy;
  if (t != metric::Tenancy::kCluster) {
    return invalid_argument(dir + ": a single-node storage has no vminsert to route by; --from-storage reads "
                            "vmstorage directories of a cluster");
  }
  VMT_TRY(query::load_name_index(out->sd, account_id, project_id, &out->names));
  const size_t tsid_item = indexdb::metric_id_to_tsid_item_size(t);
  const size_t date_item = indexdb::date_to_metric_id_item_size(t);
  const size_t tb = metric::tenant_bytes(t);
  for (const auto* g : out->sd.searched_tables()) {
    VMT_TRY(query::for_each_item(*g, [&](ByteView item, const std::string& part) -> Status {
      if (item.empty()) return Status::ok();
      const uint8_t ns = byte_at(item, 0);
      if (ns == indexdb::kNsMetricIDToTSID) {
        // 02 · acc · proj · MetricID · TSID (the TSID repeats the tenant)
        if (item.size() != tsid_item) {
          return corruption(part + ": ns 2 item of " + std::to_string(item.size()) + " bytes; want " + std::to_string(tsid_item));
        }
        const uint64_t mid = load_u64(item.data() + 1 + tb);
        if (!out->names.by_metric_id.count(mid)) return Status::ok();  // another tenant, or no name
        out->tsids.try_emplace(mid, metric::TSID::load(item.data() + 1 + tb + 8, t));
      } else if (ns == indexdb::kNsDateToMetricID) {
        // 05 · acc · proj · date (u64) · MetricID
        if (item.size() != date_item) {
          return corruption(part + ": ns 5 item of " + std::to_string(item.size()) + " bytes; want " + std::to_string(date_item));
        }
        const uint64_t date = load_u64(item.data() + 1 + tb);
        const uint64_t mid = load_u64(item.data() + 1 + tb + 8);
        if (date > UINT32_MAX || !out->names.by_metric_id.count(mid)) return Status::ok();
        out->days.emplace_back(mid, uint32_t(date));
      }
      return Status::ok();
    }));
  }
  std::sort(out->days.begin(), out->days.end());
  out->days.erase(std::unique(out->days.begin(), out->days.end()), out->days.end());
  for (const auto& [mid, e] : out->names.by_metric_id) {
    if (out->names.deleted.count(mid)) continue;
    if (!out->tsids.count(mid)) {
      return corruption(dir + ": MetricID " + std::to_string(mid) + " has a name (ns 3) but no TSID (ns 2) in any "
                        "searched index table; the index is damaged (tsdb-inspect verify " + dir + ")");
    }
  }
  return Status::ok();
}

}  // namespace vmt::reshard
