// tsdb-merge's environment (merge_internal.h): the directory opened for writing under vmstorage's
// flock.lock, the deleted MetricIDs that apply where, the index's TSIDs for the sources'
// cross-checks, free space, and the unlisted parts removed by name.
#include <sys/statvfs.h>

#include <algorithm>

#include "base/fs.h"
#include "indexdb/item.h"
#include "layout/pending_parts.h"
#include "mergeset/part_reader.h"
#include "ops/merge_internal.h"
#include "ops/tool.h"
#include "query/id_set.h"

namespace vmt::ops::merge_detail {

namespace {

// ns 4 items of a table: deleted MetricIDs (§9, indexdb.md §4.4), appended to *out.
Status load_deleted_metric_ids(const layout::IndexTable& g, std::vector<uint64_t>* out) {
  const Bytes prefix(1, char(indexdb::kNsDeletedMetricID));
  for (const auto& part : g.parts) {
    if (!part.listed || !part.exists || part.name.starts_with(kTempPrefix)) continue;
    VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part.path));
    VMT_TRY(pr->seek(prefix));
    while (pr->valid() && !pr->item().empty() && byte_at(pr->item(), 0) == indexdb::kNsDeletedMetricID) {
      if (pr->item().size() != 9) {
        return corruption(part.path + ": namespace 4 (deleted MetricID) item of " +
                          std::to_string(pr->item().size()) + " bytes; want 9");
      }
      out->push_back(load_u64(pr->item().data() + 1));
      VMT_TRY(pr->next());
    }
  }
  query::sort_unique(*out);
  return Status::ok();
}

}  // namespace

// The directory checked (a storage directory, no vmrestore in progress), vmstorage's flock.lock
// taken, and the parts an interrupted run renamed but never listed removed.
Status open_for_writing(const MergeOptions& opt, fs::FlockFile& lock) {
  if (!fs::exists(opt.dir)) return invalid_argument(opt.dir + ": does not exist (want a vmstorage -storageDataPath)");
  if (!fs::is_dir(opt.dir)) return invalid_argument(opt.dir + ": not a directory (want a vmstorage -storageDataPath)");
  if (!opt.dry_run) {
    if (!fs::is_dir(fs::join(opt.dir, "data")) && !fs::is_dir(fs::join(opt.dir, "indexdb"))) {
      return not_found(opt.dir + ": no data/ or indexdb/ here; is it a vmstorage -storageDataPath?");
    }
    VMT_TRY(lock.lock(opt.dir));
  }
  if (fs::exists(fs::join(opt.dir, "restore-in-progress"))) {
    return corruption(fs::join(opt.dir, "restore-in-progress") +
                      ": an incomplete vmrestore run; vmstorage refuses to open this directory, and so do we");
  }
  if (!opt.dry_run) {
    std::vector<std::string> removed;
    VMT_TRY(layout::remove_pending_parts(opt.dir, &removed));
    for (const auto& r : removed) log_line("removed " + r + ": an interrupted run renamed it but did not list it");
  }
  return Status::ok();
}

// Deleted MetricIDs of (legacy) curr and prev apply everywhere; a partition index's own only to
// its partition (doc/flavours.md §2, ns 4).
Status load_deleted(const layout::StorageDir& sd, Env& env) {
  for (const auto* g : sd.searched_generations()) VMT_TRY(load_deleted_metric_ids(*g, &env.deleted_metric_ids));
  std::sort(env.deleted_metric_ids.begin(), env.deleted_metric_ids.end());
  for (const auto& t : sd.partition_indexes) {
    auto& ids = env.deleted_in_partition[t.name];
    ids = env.deleted_metric_ids;
    VMT_TRY(load_deleted_metric_ids(t, &ids));
    query::sort_unique(ids);
  }
  return Status::ok();
}

// --remove-unlisted: each name must be an unlisted directory somewhere (a usage error otherwise,
// before anything changes); all of them are removed (with --dry-run: only checked).
Status remove_unlisted_by_name(const layout::StorageDir& sd, const MergeOptions& opt) {
  std::vector<std::string> paths;
  for (const auto& name : opt.remove_unlisted) {
    size_t found = 0;
    const auto consider = [&](const layout::PartEntry& e) {
      if (e.name == name && !e.listed && e.exists) {
        paths.push_back(e.path);
        ++found;
      }
    };
    for (const auto& p : sd.partitions) std::for_each(p.parts.begin(), p.parts.end(), consider);
    for (const auto* t : sd.all_tables()) std::for_each(t->parts.begin(), t->parts.end(), consider);
    if (found == 0) {
      return invalid_argument("--remove-unlisted " + name + ": no directory of that name is unlisted in " + opt.dir +
                              " (tsdb-inspect verify names them)");
    }
  }
  if (opt.dry_run) return Status::ok();
  for (const auto& path : paths) {
    VMT_TRY(fs::remove_all(path));
    VMT_TRY(fs::fsync_path(fs::dir_name(path)));
    log_line("removed " + path + " (--remove-unlisted)");
  }
  return Status::ok();
}

Result<storage::IndexTsidLookup> Env::index_tsids(const std::string& partition) {
  const bool per_partition = flavour.per_partition_index();
  const std::string key = per_partition ? partition : "";
  std::lock_guard<std::mutex> g(tsid_mu);
  auto& slot = tsid_scopes[key];
  if (!slot) {
    std::vector<std::pair<uint64_t, metric::TSID>> v;
    std::vector<const layout::IndexTable*> tables = sd->searched_generations();
    if (per_partition) {
      if (const auto* t = sd->partition_index(partition)) tables.push_back(t);
    }
    const Bytes prefix(1, char(indexdb::kNsMetricIDToTSID));
    for (const auto* t : tables) {
      for (const auto& part : t->parts) {
        if (!part.listed || !part.exists) continue;
        VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part.path));
        VMT_TRY(pr->seek(prefix));
        while (pr->valid() && !pr->item().empty() && byte_at(pr->item(), 0) == indexdb::kNsMetricIDToTSID) {
          auto it = indexdb::decode_item(pr->item(), flavour.tenancy);
          if (!it.is_ok()) return it.take_status().with_context(part.path + ": namespace 2 (MetricID -> TSID) item");
          v.emplace_back(it->metric_ids.at(0), it->tsid);
          VMT_TRY(pr->next());
        }
      }
    }
    slot = std::make_shared<const storage::IndexTsids>(std::move(v));
  }
  return slot;
}

uint64_t Env::free_bytes(const std::string& path) const {
  if (opt.max_disk_bytes) return *opt.max_disk_bytes;
  return fs::free_disk_bytes(path);
}

}  // namespace vmt::ops::merge_detail
