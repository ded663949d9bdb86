// Walking the items of index tables (indexdb generations, per-partition indexes), and the lookups built from them that several
// operations need (export, verify, dates). Spec: indexdb.md §1.3 (curr and prev are searched),
// §4.4 (deleted MetricIDs), §6.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "base/coding.h"
#include "layout/storage_dir.h"

namespace vmt::ops {

// open_storage_dir for the read-only tools: warns on stderr when a running server holds the
// directory (its flock.lock is taken), since what is read may change while it is read.
Result<layout::StorageDir> open_for_reading(const std::string& dir, const layout::Flavour* target);

// Calls fn(item, part_path) for every item of every listed, existing part of g, in each part's
// order (parts are not merged). Errors carry the part path.
Status for_each_item(const layout::IndexTable& g, const std::function<Status(ByteView item, const std::string& part)>& fn);

// The tables queries search (partition indexes, curr, prev) or all of them.
std::vector<const layout::IndexTable*> tables_to_scan(const layout::StorageDir& sd, bool all);

// MetricID -> name and the deleted MetricIDs, from every table a query searches. MetricIDs are
// unique per storage (a series may have several, never one id two series), so one map serves all
// tables. Deleted ids of a generation (or a legacy one) hide the id everywhere; those of a
// partition index only in that partition (doc/flavours.md §2, ns 4).
struct NameIndex {
  struct Entry {
    uint32_t account_id = 0, project_id = 0;
    Bytes canonical;  // the canonical MetricName from ns 3
  };
  std::unordered_map<uint64_t, Entry> by_metric_id;  // ns 3
  std::unordered_set<uint64_t> deleted;                // ns 4 of the searched generations
  std::unordered_map<std::string, std::unordered_set<uint64_t>> deleted_in_partition;  // ns 4 of data/indexdb/P

  bool is_deleted(uint64_t metric_id, const std::string& partition) const;
};
// Loads ns 3 and ns 4 items of the searched tables: partition indexes first, then curr and prev
// (only ns 3 items of `tenant` when given; the first name of a MetricID wins).
Status load_name_index(const layout::StorageDir& sd, const uint32_t* account_id, const uint32_t* project_id, NameIndex* out);

}  // namespace vmt::ops
