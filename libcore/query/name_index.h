// The names and deleted sets of a storage directory, read from its index tables: MetricID -> name
// (ns 3) and the deleted MetricIDs (ns 4) of every table a query searches, and the walk over a
// table's items they are read with. Used by export, verify and the dumps (ops) and by resharding
// (reshard/source_node.h).
//
// Spec: indexdb.md §1.3 (curr and prev are searched), §4.3 (ns 3), §4.4 (deleted MetricIDs), §6;
// doc/flavours.md §2 (deleted ids of a partition index hide the id only in that partition).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/coding.h"
#include "base/status.h"
#include "layout/storage_dir.h"

namespace vmt::query {

// Calls fn(item, part_path) for every item of every listed, existing part of g, in each part's
// order (parts are not merged). Errors carry the part path.
Status for_each_item(const layout::IndexTable& g, const std::function<Status(ByteView item, const std::string& part)>& fn);

// MetricID -> name and the deleted MetricIDs, from every table a query searches. MetricIDs are
// unique per storage (a series may have several, never one id two series), so one map serves all
// tables. Deleted ids of a generation (or a legacy one) hide the id everywhere; those of a
// partition index only in that partition.
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

// fn for every item whose namespace byte is in [first_ns, last_ns], part after part (each part
// read from the first such item on; an empty item ends the range).
Status for_each_item_in(const layout::IndexTable& g, uint8_t first_ns, uint8_t last_ns,
                        const std::function<Status(ByteView, const std::string&)>& fn);

// Loads ns 3 and ns 4 items of the searched tables: partition indexes first, then curr and prev
// (only ns 3 items of `tenant` when given; the first name of a MetricID wins).
Status load_name_index(const layout::StorageDir& sd, const uint32_t* account_id, const uint32_t* project_id, NameIndex* out);

}  // namespace vmt::query
