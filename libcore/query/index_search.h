// Finding series through the inverted index, as the server's indexSearch does: selectors resolve
// to MetricIDs through the tag rows (ns 1 globally, ns 6 per day), never by reading every name.
//
// Spec: indexdb.md §2, §4 (items), §6 (search); lib/storage/index_db.go and tag_filters.go at
// v1.93.7 for the rules reproduced here:
//  - The time range [start, end] (ms) covers the UTC days start/day .. (end-1)/day. When that is
//    at most 40 days (maxDaysForPerDaySearch) the per-day rows (ns 6) of those days are searched,
//    else the global rows (ns 1), which know nothing of time: every series the table holds.
//  - A table whose newest day (ns 5 of the tenant) is before the first day is skipped
//    (containsTimeRange), on both paths.
//  - A filter that matches the empty value is "every series" minus the series whose value of the
//    label fails it; "every series" is the MetricIDs of the metric-name rows (key "").
//  - Deleted MetricIDs (ns 4) are removed: those of the legacy generations everywhere, those of a
//    partition index (v1.133+) in that partition only (doc/flavours.md §2).
// Every table of the directory that may hold the range is searched (curr, prev, and the partition
// indexes whose month overlaps it); MetricIDs are unique per storage, so results simply unite.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/coding.h"
#include "base/huge_array.h"
#include "base/status.h"
#include "layout/storage_dir.h"
#include "metric/tenancy.h"
#include "query/id_set.h"
#include "query/selector.h"

namespace vmt::mergeset {
class PartReader;
}

namespace vmt::query {

constexpr uint64_t kMsPerDay = 86400000;
constexpr uint64_t kMaxDaysForPerDaySearch = 40;

struct TimeRange {
  int64_t start_ms = 0;
  int64_t end_ms = INT64_MAX;
  bool whole() const { return start_ms <= 0 && end_ms == INT64_MAX; }
  uint64_t min_date() const { return start_ms <= 0 ? 0 : uint64_t(start_ms) / kMsPerDay; }
  uint64_t max_date() const { return end_ms <= 0 ? 0 : uint64_t(end_ms - 1) / kMsPerDay; }
  // The server's choice: per-day rows for at most 40 days, else the global rows.
  bool per_day() const {
    return !whole() && min_date() <= max_date() && max_date() - min_date() <= kMaxDaysForPerDaySearch;
  }
};

// One index table (a generation or a partition index) opened for lookups.
class TableSearch {
 public:
  static Result<std::unique_ptr<TableSearch>> open(const layout::IndexTable& t, metric::Tenancy tenancy);
  ~TableSearch();

  const layout::IndexTable& table() const { return *table_; }
  metric::Tenancy tenancy() const { return tenancy_; }

  // Calls fn for every item that starts with prefix, part after part (parts are not merged, so an
  // item may come more than once). fn returns false to stop reading the current part.
  // From `from` on when it sorts after prefix.
  Status scan_prefix(ByteView prefix, const std::function<Result<bool>(ByteView item)>& fn, ByteView from = {});

  // No item in any listed part (a table the server created and never filled, as the previous
  // generation of a fresh directory): nothing to read in it.
  bool empty() const;
  // Tenants with metric-name rows (ns 1) in this table; single-node: {0:0} when it has any.
  Result<std::vector<metric::Tenant>> tenants();
  // Whether the table has per-day entries (ns 5) of the tenant on or after `date` (containsTimeRange).
  Result<bool> has_dates_from(const metric::Tenant& t, uint64_t date);
  // Days that have per-day entries (ns 5) of the tenant, ascending.
  Result<std::vector<uint64_t>> dates(const metric::Tenant& t);
  // The MetricIDs of ns 4 in this table.
  Result<std::unordered_set<uint64_t>> deleted_ids();

  // The MetricIDs that the selectors (OR-ed; none = every series) match for the tenant on the
  // range, sorted and unique; deleted ones are still in.
  // check_time_range: nothing when the table has no day at or after the range's first.
  Result<std::vector<uint64_t>> search(const std::vector<Selector>& sels, const metric::Tenant& t, const TimeRange& r,
                                       bool check_time_range = true);
  // The MetricIDs of one day's (ns 5) entries of the tenant, sorted and unique, into `out`
  // (cleared first), reusing its memory: callers read day after day. A HugeVector grows in place:
  // a vector's doublings touched twice a day's size in fresh pages.
  Status ids_on_date(const metric::Tenant& t, uint64_t date, HugeVector<uint64_t>& out);
  // fn(metric_id, canonical MetricName) for each of the sorted `ids` that has an ns 3 item (the
  // first one found; ids without a name are left out, as the server leaves them out).
  Status names(const metric::Tenant& t, const std::vector<uint64_t>& ids,
               const std::function<Status(uint64_t, ByteView canonical)>& fn);
  // names() on two threads when there are many ids: each half of them read by a reader of its
  // own; fn(half, ...) with half 0 or 1, each half's calls in order, the two halves' at once.
  static constexpr size_t kHalvesFrom = 1 << 16;
  Status names_halves(const metric::Tenant& t, const std::vector<uint64_t>& ids,
                      const std::function<Status(unsigned half, uint64_t, ByteView canonical)>& fn,
                      size_t halves_from = kHalvesFrom);
  // One tag row under a base prefix: its label ("" for the metric name), value and MetricIDs
  // (8 bytes each, big-endian).
  struct TagRowView {
    ByteView key, value, ids;
    size_t id_count() const { return ids.size() / 8; }
    uint64_t id(size_t i) const { return load_u64(ids.data() + 8 * i); }
  };
  // What to do after a row: go on, skip the rest of its label, skip the rest of its value.
  enum class Next { kRow, kNextKey, kNextValue };
  // Every plain tag row under `base` (ns 1 · tenant, or ns 6 · tenant · date), part after part, in
  // each part's order; the artificial rows (composite keys FE..., Graphite's reverse key FF) are
  // skipped as the server skips them. `key` narrows to one label.
  Status for_each_tag_row(ByteView base, const std::optional<std::string>& key,
                          const std::function<Result<Next>(const TagRowView&)>& fn);
  // The bases of the tag rows a query of the range reads: ns 6 · tenant · date for each day when
  // the range is searched per day, else ns 1 · tenant (TimeRange::per_day).
  std::vector<Bytes> tag_row_bases(const metric::Tenant& t, const TimeRange& r) const;
  // fn(metric_id, canonical) for every ns 3 item of the tenant (duplicates possible across parts).
  Status all_names(const metric::Tenant& t, const std::function<Status(uint64_t, ByteView canonical)>& fn);

 private:
  TableSearch() = default;
  void prefix(Bytes& out, uint8_t ns, const metric::Tenant& t) const;
  Result<std::vector<uint64_t>> ids_of_rows(ByteView prefix);
  // names() of ids[0, n) by one pass over each part's stretch of ns 3 from ids[0] to ids[n-1].
  Status names_pass(const metric::Tenant& t, const uint64_t* ids, size_t n,
                    const std::function<Status(uint64_t, ByteView)>& fn);
  Result<std::vector<uint64_t>> conjunction(const Conjunction& c, const Bytes& base, const std::vector<uint64_t>& all);
  Result<std::vector<uint64_t>> matcher_ids(const Matcher& m, const Bytes& base, const std::vector<uint64_t>& all);

  const layout::IndexTable* table_ = nullptr;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  std::vector<std::unique_ptr<mergeset::PartReader>> parts_;
};

// Every table of a directory a query on `r` searches, opened, with the deleted MetricIDs that
// apply to each.
class StorageSearch {
 public:
  static Result<StorageSearch> open(const layout::StorageDir& sd, const TimeRange& r);

  struct Table {
    std::unique_ptr<TableSearch> search;
    std::shared_ptr<const std::unordered_set<uint64_t>> deleted;          // legacy generations: all
    std::shared_ptr<const std::unordered_set<uint64_t>> deleted_own;      // partition index: its own, else null
    bool is_deleted(uint64_t id) const { return deleted->count(id) || (deleted_own && deleted_own->count(id)); }
    bool any_deleted() const { return !deleted->empty() || (deleted_own && !deleted_own->empty()); }
  };
  std::vector<Table>& tables() { return tables_; }
  metric::Tenancy tenancy() const { return tenancy_; }

  // Tenants present in any table (just `only` when given).
  Result<std::vector<metric::Tenant>> tenants(const std::optional<metric::Tenant>& only);

 private:
  std::vector<Table> tables_;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
};

}  // namespace vmt::query
