// ExistingIndex: what the indexdb of the target directory already says, for appending.
//
// Spec: metricname-tsid.md §5.2 (new MetricIDs must exceed every MetricID in the indexdb), §5.3
// (a series is found by its (date, canonical MetricName) per-day entry, ns 7, in curr then prev;
// entries of deleted MetricIDs are skipped; found in prev only -> global and per-day items are
// re-created in curr with the same TSID), §5.3 step 5 / indexdb.md §5 (a known series gets the
// per-day items of a day unless curr has its ns 5 item), indexdb.md §4.4 (ns 4, deleted
// MetricIDs, loaded from curr and prev), §4.6 (ns 7 layout), §7 (ns 5 layout).
// Reads with mergeset::ItemMerger over the listed parts of each generation. Lookups come in
// batches of sorted keys and walk each generation forward once (a seek when the next key is far),
// so memory stays small whatever the size of the indexdb.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/merge.h"
#include "mergeset/part_reader.h"
#include "metric/tsid.h"

namespace vmt::ingest {

class ExistingIndex {
 public:
  // Opens the listed parts of every generation table (tables), and scans them for the largest
  // MetricID (ns 2 and ns 4) and, in curr and prev, the deleted MetricIDs (ns 4).
  // `tenancy` is the layout of the TSIDs in ns 7 items.
  Status open(const std::vector<std::string>& tables, const std::string& curr, const std::string& prev,
              metric::Tenancy tenancy);

  uint64_t max_metric_id() const { return max_metric_id_; }
  // Whether curr or prev holds any part (otherwise no lookup can succeed).
  bool searchable() const { return !curr_.empty() || !prev_.empty(); }
  const std::unordered_set<uint64_t>& deleted() const { return deleted_; }
  // Per-partition layout: the legacy tables' deleted MetricIDs apply to every partition.
  void add_deleted(const std::unordered_set<uint64_t>& ids) { deleted_.insert(ids.begin(), ids.end()); }

  struct NameLookup {
    Bytes key;                 // 07 · date · canonicalMN · 02   (ns7_key)
    uint32_t series = 0;       // the caller's reference
    int found_in = 0;          // 0 = not found, 1 = curr, 2 = prev
    metric::TSID tsid;
  };
  // Resolves lookups (sorted here by key) against curr, then prev.
  Status resolve(std::vector<NameLookup>& lookups);

  struct AnyDayLookup {
    ByteView canonical;        // the series' canonical MetricName (the tenant first, in cluster)
    uint32_t series = 0;       // the caller's reference
    int found_in = 0;          // 0 = not found, 1 = curr, 2 = prev
    metric::TSID tsid;
  };
  // For series without a (date, name) entry: the TSID the same name has on any other day, as a
  // server whose tsid cache still holds it reuses it instead of creating a second MetricID. The
  // name is looked up in ns 3 (MetricID -> name) of curr, then prev; of several MetricIDs of one
  // name the largest that is not deleted wins, and its ns 2 item gives the TSID.
  Status resolve_any_day(std::vector<AnyDayLookup>& lookups);

  // Opens every table as one searched "curr" (per-partition layout: every partition index and the
  // legacy generations), for resolve_any_day; deleted MetricIDs of any of them count everywhere.
  Status open_union(const std::vector<std::string>& tables, metric::Tenancy tenancy);

  struct DateCheck {
    Bytes key;                 // 05 · acc · proj · date · MetricID   (ns5_key), or ns2_prefix
    size_t ref = 0;            // the caller's reference
    bool prefix = false;       // an item starting with key exists (ns 2: is.hasMetricID)
    bool exists = false;
  };
  // Whether each ns 5 item (or an item with the ns 2 prefix) exists in curr (sorted here by key).
  Status check_dates(std::vector<DateCheck>& checks);

 private:
  using Readers = std::vector<std::unique_ptr<mergeset::PartReader>>;
  static Result<Readers> open_table(const std::string& table);
  Status scan_ids(const Readers& parts, bool deleted_set);

  Readers curr_, prev_;
  std::string curr_where_, prev_where_;  // their table directories, for errors
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  uint64_t max_metric_id_ = 0;
  std::unordered_set<uint64_t> deleted_;
};

// Moves m forward to the first item >= key, for keys that come sorted: a few steps, else a seek
// (the first call seeks).
Status advance_to(mergeset::ItemMerger& m, bool* started, ByteView key);

void ns7_key(Bytes& out, uint32_t date, ByteView canonical_mn);
// 02 · [acc · proj] · MetricID: the prefix of a MetricID's ns 2 item (is.hasMetricID at v1.148).
void ns2_prefix(Bytes& out, metric::Tenancy t, uint32_t account_id, uint32_t project_id, uint64_t metric_id);
void ns5_key(Bytes& out, metric::Tenancy t, uint32_t account_id, uint32_t project_id, uint32_t date, uint64_t metric_id);

}  // namespace vmt::ingest
