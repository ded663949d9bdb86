// tsdb-merge --delete: the series selected are marked deleted as the server's delete API marks
// them, before any part is rewritten. See merge.h and man/tsdb-merge.1 (DELETING SERIES).
//
// What the server does (lib/storage: indexDB.DeleteTSIDs at v1.93.7; Storage.DeleteSeries and
// indexDB.DeleteSeries at v1.148): each index table searched by queries (curr and prev; from
// v1.133 also every partition index) resolves the filters over the whole time range through its
// global tag rows and adds one ns 4 item (04 · MetricID) per MetricID it found to itself. Before
// writing the items it resets the MetricName -> TSID cache, so that a series that comes back after
// an unclean shutdown gets a new MetricID. Offline, the persisted caches are made to go with
// cache/reset_cache_on_startup, which vmstorage honours at open (it removes the cache directory's
// contents) from v1.93 on.
#include "base/fs.h"
#include "indexdb/item.h"
#include "ops/merge_internal.h"
#include "query/index_search.h"

namespace vmt::ops::merge_detail {

namespace {

constexpr const char* kResetCacheFile = "reset_cache_on_startup";

// Adds the sorted unique ids to the sorted unique set `into`.
void add_ids(std::vector<uint64_t>& into, const std::vector<uint64_t>& ids) { into = query::unite_ids(into, ids); }

}  // namespace

namespace {

bool is_tenant_label(const std::string& label) { return label == "vm_account_id" || label == "vm_project_id"; }

// Whether a tenant satisfies a branch's vm_account_id / vm_project_id filters (the server's
// multitenant and enterprise retention-filter pseudo-labels: the tenant's IDs as decimal text).
bool tenant_matches(const query::Conjunction& b, const metric::Tenant& t) {
  for (const auto& m : b.matchers) {
    if (m.label == "vm_account_id" && !m.matches(std::to_string(t.account_id))) return false;
    if (m.label == "vm_project_id" && !m.matches(std::to_string(t.project_id))) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<uint64_t>> match_all_time(query::TableSearch& ts, const std::vector<metric::Tenant>& tenants,
                                             const std::vector<query::Selector>& sels) {
  std::vector<uint64_t> ids;
  bool pseudo = false;
  for (const auto& sel : sels) {
    for (const auto& b : sel.branches) {
      for (const auto& m : b.matchers) pseudo = pseudo || is_tenant_label(m.label);
    }
  }
  if (!pseudo) {
    for (const auto& tenant : tenants) {
      VMT_ASSIGN_OR_RETURN(auto got, ts.search(sels, tenant, query::TimeRange{}, /*check_time_range=*/false));
      ids = query::unite_ids(ids, got);
    }
    return ids;
  }
  // Branch by branch: the tenant filters pick the tenants, the other filters are searched in them
  // (a branch of tenant filters only is every named series of those tenants).
  for (const auto& sel : sels) {
    for (const auto& b : sel.branches) {
      query::Selector rest;
      rest.text = sel.text;
      auto& conj = rest.branches.emplace_back();
      for (const auto& m : b.matchers) {
        if (!is_tenant_label(m.label)) conj.matchers.push_back(m);
      }
      for (const auto& tenant : tenants) {
        if (!tenant_matches(b, tenant)) continue;
        VMT_ASSIGN_OR_RETURN(auto got, ts.search({rest}, tenant, query::TimeRange{}, /*check_time_range=*/false));
        ids = query::unite_ids(ids, got);
      }
    }
  }
  return ids;
}

Status mark_deleted(Env& env, const layout::StorageDir& sd, DeleteReport* report) {
  std::vector<query::Selector> sels;
  for (const auto& text : env.opt.delete_selectors) {
    VMT_ASSIGN_OR_RETURN(auto sel, query::parse_selector(text));
    sels.push_back(std::move(sel));
    report->selectors.push_back(text);
  }
  // The tables a query searches, each with the ids it finds (not yet deleted where they apply).
  struct Found {
    const layout::IndexTable* table;
    std::vector<uint64_t> ids;
  };
  std::vector<Found> found;
  std::vector<const layout::IndexTable*> tables = sd.searched_generations();
  for (const auto& t : sd.partition_indexes) tables.push_back(&t);
  std::vector<uint64_t> all, already;
  for (const auto* t : tables) {
    VMT_ASSIGN_OR_RETURN(auto ts, query::TableSearch::open(*t, env.flavour.tenancy));
    std::vector<metric::Tenant> tenants;
    if (env.opt.tenant) {
      tenants.push_back(*env.opt.tenant);
    } else {
      VMT_ASSIGN_OR_RETURN(tenants, ts->tenants());
    }
    VMT_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, match_all_time(*ts, tenants, sels));
    const std::vector<uint64_t>& deleted = env.deleted_for_table(*t);
    add_ids(already, query::intersect_ids(ids, deleted));
    ids = query::subtract_ids(ids, deleted);
    add_ids(all, ids);
    if (!ids.empty()) found.push_back({t, std::move(ids)});
  }
  already = query::subtract_ids(already, all);
  report->series = all.size();
  report->already_deleted = already.size();
  for (const auto& f : found) report->tables.emplace_back(f.table->rel, f.ids.size());

  if (!env.opt.dry_run && !found.empty()) {
    // The server's order (issue 1347): caches first, then the ns 4 items.
    const std::string cache = fs::join(env.opt.dir, "cache");
    VMT_TRY(mkdir_durable(cache));
    VMT_TRY(fs::write_file_sync(fs::join(cache, kResetCacheFile), ByteView()));
    VMT_TRY(fs::fsync_path(cache));
    report->cache_reset = true;
    for (const auto& f : found) {
      std::vector<Bytes> items;
      items.reserve(f.ids.size());
      for (uint64_t id : f.ids) {
        Bytes b(1, char(indexdb::kNsDeletedMetricID));
        put_u64(b, id);
        items.push_back(std::move(b));
      }
      std::string name;
      VMT_TRY(add_table_part(env, *f.table, items, &name));
      log_line(f.table->rel + ": " + std::to_string(f.ids.size()) + " MetricIDs marked deleted (part " + name + ")");
    }
  }
  // From here on every rewrite drops them: a legacy table's ids everywhere, a partition index's in
  // its partition only (as the server applies them).
  for (const auto& f : found) {
    if (f.table->role == "partition") {
      auto it = env.deleted_in_partition.find(f.table->name);
      if (it == env.deleted_in_partition.end()) {
        it = env.deleted_in_partition.emplace(f.table->name, env.deleted_metric_ids).first;
      }
      add_ids(it->second, f.ids);
    } else {
      add_ids(env.deleted_metric_ids, f.ids);
      for (auto& [name, ids] : env.deleted_in_partition) add_ids(ids, f.ids);
    }
  }
  return Status::ok();
}

}  // namespace vmt::ops::merge_detail
