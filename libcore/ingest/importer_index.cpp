// The importer's index side: the indexes a series is looked up in (generations, or per-partition
// indexes), and the index parts to write.
#include "ingest/importer_stages.h"

#include "base/fs.h"
#include "ingest/tsid_settlement.h"
#include "layout/storage_dir.h"

namespace vmt::ingest::detail {

Result<ExistingIndex*> Importer::any_day_index() {
  if (!opt_.per_partition_index) return &existing_;
  // Per-partition layout: a name is looked up in every partition index and the legacy generations.
  if (!any_day_) {
    any_day_ = std::make_unique<ExistingIndex>();
    std::vector<std::string> tables;
    VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(opt_.dir));
    for (const auto* t : sd.searched_tables()) tables.push_back(t->path);
    VMT_TRY(any_day_->open_union(tables, opt_.tenancy));
    any_day_->add_deleted(legacy_deleted_);
  }
  return any_day_.get();
}

Result<ExistingIndex*> Importer::index_for(uint32_t date) {
  if (!opt_.per_partition_index) return &existing_;
  const std::string p = layout::partition_name_for(int64_t(date) * kMsPerDay);
  auto& slot = partition_index_[p];
  if (!slot) {
    slot = std::make_unique<ExistingIndex>();
    const std::string table = dir_.index_table(p);
    VMT_TRY(slot->open({}, fs::is_dir(table) ? table : "", "", opt_.tenancy));
    slot->add_deleted(legacy_deleted_);
  }
  return slot.get();
}

Status Importer::open_existing() {
  if (!opt_.per_partition_index) {
    VMT_TRY(dir_.remove_stale_temp(dir_.curr_table()));
    return existing_.open(dir_.tables(), dir_.curr_table(), dir_.prev_table(), opt_.tenancy);
  }
  // Every table for the largest MetricID; the legacy curr and prev (as the server opens them) for
  // the deleted MetricIDs that apply to every partition.
  VMT_TRY(existing_.open(dir_.tables(), "", "", opt_.tenancy));
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(opt_.dir));
  for (const auto* g : sd.searched_generations()) {
    ExistingIndex legacy;
    VMT_TRY(legacy.open({}, g->path, "", opt_.tenancy));
    legacy_deleted_.insert(legacy.deleted().begin(), legacy.deleted().end());
  }
  return Status::ok();
}

IndexPartOptions Importer::index_options() const {
  IndexPartOptions o;
  o.memory_budget = std::max<uint64_t>(opt_.mem_limit_bytes / 2, 1 << 20);
  o.threads = threads_;
  return o;
}

Status Importer::plan_index_works(std::map<std::string, IndexWork>* works) {
  if (opt_.per_partition_index) {
    std::map<std::string, IndexWork> by_partition;
    VMT_TRY(plan_partition_index_work(reg_, [this](uint32_t date) { return index_for(date); }, &by_partition));
    for (auto& [partition, work] : by_partition) {
      VMT_TRY(dir_.ensure_partition(partition));
      (*works)[dir_.index_table(partition)] = std::move(work);
    }
    return Status::ok();
  }
  IndexWork work;
  VMT_TRY(plan_index_work(reg_, existing_, &work));
  if (!work.empty()) (*works)[dir_.curr_table()] = std::move(work);
  return Status::ok();
}

Status Importer::plan_index(std::vector<IndexJob>* jobs) {
  std::map<std::string, IndexWork> works;
  VMT_TRY(plan_index_works(&works));
  // A table the spills gave items to gets its part even when the last series add none.
  for (const auto& [table, parts] : spilled_index_) works.try_emplace(table);
  for (auto& [table, work] : works) {
    if (opt_.per_partition_index) VMT_TRY(dir_.remove_stale_temp(table));
    IndexJob& j = jobs->emplace_back();
    j.work = std::move(work);
    j.part.table_dir = table;
    j.part.name = dir_.new_part_name({table});
    j.part.temp_dir = fs::join(table, std::string(TargetDir::kTempPrefix) + j.part.name);
    j.opt = index_options();
    j.opt.runs_dir = j.part.temp_dir + ".runs";
    if (auto it = spilled_index_.find(table); it != spilled_index_.end()) j.opt.earlier = it->second;
    temp_dirs_.push_back(j.part.temp_dir);
    temp_dirs_.push_back(j.opt.runs_dir);
  }
  return Status::ok();
}

}  // namespace vmt::ingest::detail
