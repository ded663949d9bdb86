// The series a query selects, and what /api/v1/series, /api/v1/labels and /api/v1/label/N/values
// answer about them.
//
// A series is a tenant and a canonical MetricName: MetricIDs that share both (concurrent inserts
// that gave one series two ids, or the same series on several nodes of a cluster) count once,
// as the server's answers list them once. Several directories are the nodes of one cluster.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "layout/storage_dir.h"
#include "mergeset/items.h"
#include "metric/metric_name.h"
#include "metric/tenancy.h"
#include "query/index_search.h"
#include "query/selector.h"

namespace vmt::query {

struct SeriesQuery {
  std::vector<Selector> match;  // OR-ed; none = every series ({__name__!=""})
  TimeRange range;
  std::optional<metric::Tenant> tenant;  // none = every tenant
  // Skip tables with no day at or after the range's first (the server's containsTimeRange, which
  // its series search applies and its label search does not).
  bool check_time_range = true;
};

// The distinct series a query found, sorted by tenant, then canonical bytes. Keys (the tenant
// searched, AccountID and ProjectID big-endian, then the canonical name as in ns 3, with its own
// tenant prefix in the cluster) so that bytewise order is that order; two buffers, one for each
// thread that finds names (TableSearch::names_halves), and no allocation per series.
class FoundSeries {
 public:
  size_t size() const { return order_.size(); }
  metric::Tenant tenant(size_t i) const {
    const char* k = key(i).data();
    return metric::Tenant{load_u32(k), load_u32(k + 4)};
  }
  ByteView canonical(size_t i) const { return key(i).substr(kTenantBytes); }
  // Asks for series i's bytes ahead of reading them (a walk in sorted order visits the buffers at
  // random).
  void prefetch(size_t i) const {
    ByteView k = key(i);
    for (size_t at = 0; at < k.size(); at += 64) __builtin_prefetch(k.data() + at);
  }

  // Room for about n more series, split between the halves: the buffers then grow without the
  // copy (and twice the memory) of a doubling; room reserved but not written costs no memory.
  void reserve(size_t n);
  // half: 0 or 1, whose buffer (each is written by one thread at a time).
  void add(unsigned half, const metric::Tenant& t, ByteView canonical);
  // Sorts each half on a thread of its own, merges them and drops repeats. No add() after it.
  void sort_distinct();

 private:
  static constexpr size_t kTenantBytes = 8;
  // A key's place, not a pointer: a FoundSeries is moved, and a short buffer moves with it.
  struct Key {
    uint64_t off;
    uint32_t len;
    uint32_t half;
  };
  ByteView key(const Key& k) const { return ByteView(keys_[k.half].data().data() + k.off, k.len); }
  ByteView key(size_t i) const { return key(order_[i]); }
  mergeset::Items keys_[2];
  std::vector<Key> order_;
};

// The distinct series of the directories that the query selects. Errors name the directory.
Result<FoundSeries> find_series(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q);

// Label names of the series the query selects, "__name__" for the metric name, sorted
// (/api/v1/labels), and the values of one label (/api/v1/label/N/values). Read off the tag rows
// as the server reads them: a label (value) is in when one of its rows holds a selected, live
// MetricID; then the rest of its rows are skipped. No containsTimeRange check (the server's label
// search has none).
Result<std::vector<std::string>> label_names(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q);
Result<std::vector<std::string>> label_values(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q,
                                              const std::string& label);

}  // namespace vmt::query
