// StorageSearch: the index tables of a directory that a time range searches, and the deleted
// MetricIDs that apply to each (doc/flavours.md §2).
#include "query/index_search.h"

#include <algorithm>

#include "base/civil_time.h"

namespace vmt::query {

namespace {

// [first ms, last ms] of a partition index named YYYY_MM; false when the name is not one.
bool month_range(const std::string& name, int64_t* lo, int64_t* hi) {
  if (name.size() != 7 || name[4] != '_') return false;
  int y = 0, m = 0;
  for (int i = 0; i < 4; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    y = y * 10 + (name[i] - '0');
  }
  for (int i = 5; i < 7; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    m = m * 10 + (name[i] - '0');
  }
  if (m < 1 || m > 12) return false;
  *lo = days_from_civil(y, unsigned(m), 1) * int64_t(kMsPerDay);
  *hi = (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, unsigned(m + 1), 1)) * int64_t(kMsPerDay) - 1;
  return true;
}

}  // namespace

Result<StorageSearch> StorageSearch::open(const layout::StorageDir& sd, const TimeRange& r) {
  StorageSearch s;
  s.tenancy_ = sd.flavour.tenancy;
  auto legacy_deleted = std::make_shared<std::unordered_set<uint64_t>>();
  std::vector<Table> partitions;
  for (const auto* t : sd.searched_tables()) {
    VMT_ASSIGN_OR_RETURN(auto ts, TableSearch::open(*t, s.tenancy_));
    // A table with no items (a fresh directory's previous generation) holds no series and no
    // deleted MetricIDs: leaving it out changes no answer, and one table left lets the day sweep
    // read each day as the index holds it (series_days.cpp).
    if (ts->empty()) continue;
    VMT_ASSIGN_OR_RETURN(auto del, ts->deleted_ids());
    Table tab;
    if (t->role == "partition") {
      int64_t lo, hi;
      if (month_range(t->name, &lo, &hi) && (hi < r.start_ms || lo > r.end_ms)) continue;
      tab.deleted_own = std::make_shared<const std::unordered_set<uint64_t>>(std::move(del));
    } else {
      legacy_deleted->insert(del.begin(), del.end());
    }
    tab.search = std::move(ts);
    s.tables_.push_back(std::move(tab));
  }
  for (auto& tab : s.tables_) tab.deleted = legacy_deleted;
  return s;
}

Result<std::vector<metric::Tenant>> StorageSearch::tenants(const std::optional<metric::Tenant>& only) {
  if (only) return std::vector<metric::Tenant>{*only};
  std::vector<metric::Tenant> out;
  for (auto& tab : tables_) {
    VMT_ASSIGN_OR_RETURN(auto ts, tab.search->tenants());
    out.insert(out.end(), ts.begin(), ts.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace vmt::query
