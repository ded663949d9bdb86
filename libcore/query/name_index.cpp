#include "query/name_index.h"

#include "indexdb/item.h"
#include "mergeset/part_reader.h"

namespace vmt::query {

Status for_each_item(const layout::IndexTable& g, const std::function<Status(ByteView, const std::string&)>& fn) {
  for (const auto& part : g.parts) {
    if (!part.listed || !part.exists) continue;
    VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part.path));
    VMT_TRY(pr->seek_to_first());
    while (pr->valid()) {
      VMT_TRY(fn(pr->item(), part.path));
      VMT_TRY(pr->next());
    }
  }
  return Status::ok();
}

Status for_each_item_in(const layout::IndexTable& g, uint8_t first_ns, uint8_t last_ns,
                        const std::function<Status(ByteView, const std::string&)>& fn) {
  const Bytes from(1, char(first_ns));
  for (const auto& part : g.parts) {
    if (!part.listed || !part.exists) continue;
    VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part.path));
    VMT_TRY(pr->seek(from));
    while (pr->valid() && !pr->item().empty() && byte_at(pr->item(), 0) <= last_ns) {
      VMT_TRY(fn(pr->item(), part.path));
      VMT_TRY(pr->next());
    }
  }
  return Status::ok();
}

bool NameIndex::is_deleted(uint64_t metric_id, const std::string& partition) const {
  if (deleted.count(metric_id)) return true;
  auto it = deleted_in_partition.find(partition);
  return it != deleted_in_partition.end() && it->second.count(metric_id);
}

Status load_name_index(const layout::StorageDir& sd, const uint32_t* account_id, const uint32_t* project_id,
                       NameIndex* out) {
  const metric::Tenancy tenancy = sd.flavour.tenancy;
  const size_t tb = metric::tenant_bytes(tenancy);
  for (const auto* g : sd.searched_tables()) {
    auto& deleted = g->role == "partition" ? out->deleted_in_partition[g->name] : out->deleted;
    // ns 3 and ns 4 are next to each other: the tag rows and per-day items around them are skipped.
    static_assert(indexdb::kNsDeletedMetricID == indexdb::kNsMetricIDToMetricName + 1);
    VMT_TRY(for_each_item_in(*g, indexdb::kNsMetricIDToMetricName, indexdb::kNsDeletedMetricID,
                             [&](ByteView item, const std::string& part) -> Status {
      uint8_t ns = byte_at(item, 0);
      if (ns == indexdb::kNsDeletedMetricID) {
        if (item.size() != 9) return corruption(part + ": ns 4 item of " + std::to_string(item.size()) + " bytes; want 9");
        deleted.insert(load_u64(item.data() + 1));
      } else if (ns == indexdb::kNsMetricIDToMetricName) {
        if (item.size() < 1 + tb + 8 + tb) {
          return corruption(part + ": ns 3 item of " + std::to_string(item.size()) + " bytes is too short");
        }
        uint32_t acc = tb ? load_u32(item.data() + 1) : 0, proj = tb ? load_u32(item.data() + 5) : 0;
        if (account_id && (acc != *account_id || proj != *project_id)) return Status::ok();
        uint64_t mid = load_u64(item.data() + 1 + tb);
        // curr is scanned before prev: the first name found wins, as in searchMetricName.
        auto [it, inserted] = out->by_metric_id.try_emplace(mid);
        if (inserted) {
          it->second.account_id = acc;
          it->second.project_id = proj;
          it->second.canonical.assign(item.substr(1 + tb + 8));
        }
      }
      return Status::ok();
    }));
  }
  return Status::ok();
}

}  // namespace vmt::query
