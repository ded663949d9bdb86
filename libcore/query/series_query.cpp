#include "query/series_query.h"

#include <algorithm>
#include <set>

namespace vmt::query {

namespace {

// fn(search, table, tenant) for every table each directory's query of q.range searches and every
// tenant in it (q.tenant's only, when given); errors name the directory.
template <typename Fn>
Status for_each_table_tenant(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q, Fn fn) {
  for (const auto* sd : dirs) {
    auto st = [&]() -> Status {
      VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*sd, q.range));
      VMT_ASSIGN_OR_RETURN(auto tenants, ss.tenants(q.tenant));
      for (auto& tab : ss.tables()) {
        for (const auto& t : tenants) VMT_TRY(fn(ss, tab, t));
      }
      return Status::ok();
    }();
    if (!st.is_ok()) return std::move(st).with_context(sd->root);
  }
  return Status::ok();
}

}  // namespace

Result<FoundSeries> find_series(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q,
                                uint64_t budget_bytes, const std::string& tmp_root) {
  FoundSeries out(budget_bytes, tmp_root);
  VMT_TRY(for_each_table_tenant(dirs, q, [&](StorageSearch&, StorageSearch::Table& tab, const metric::Tenant& t) -> Status {
    VMT_ASSIGN_OR_RETURN(auto ids, tab.search->search(q.match, t, q.range, q.check_time_range));
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](uint64_t id) { return tab.is_deleted(id); }), ids.end());
    out.reserve(ids.size());
    return tab.search->names_halves(t, ids, [&](unsigned half, uint64_t, ByteView canonical) -> Status {
      return out.add(half, t, canonical);
    });
  }));
  VMT_TRY(out.finish());
  return out;
}

namespace {

// Names (label empty) or values (of `label`) whose rows hold a selected, live MetricID.
Result<std::vector<std::string>> distinct_in_rows(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q,
                                                  const std::optional<std::string>& label) {
  std::set<std::string> out;
  std::optional<std::string> key;
  if (label) key = *label == "__name__" ? std::string() : *label;
  VMT_TRY(for_each_table_tenant(dirs, q, [&](StorageSearch&, StorageSearch::Table& tab, const metric::Tenant& t) -> Status {
    std::optional<IdSet> scope;
    if (!q.match.empty()) {
      VMT_ASSIGN_OR_RETURN(auto ids, tab.search->search(q.match, t, q.range, /*check_time_range=*/false));
      if (ids.empty()) return Status::ok();
      scope.emplace(std::move(ids));
    }
    for (const auto& b : tab.search->tag_row_bases(t, q.range)) {
      VMT_TRY(tab.search->for_each_tag_row(b, key, [&](const TableSearch::TagRowView& row) -> Result<TableSearch::Next> {
        for (size_t i = 0; i < row.id_count(); ++i) {
          uint64_t id = row.id(i);
          if ((scope && !scope->contains(id)) || tab.is_deleted(id)) continue;
          if (label) {
            out.emplace(row.value);
            return TableSearch::Next::kNextValue;
          }
          out.emplace(row.key.empty() ? ByteView("__name__") : row.key);
          return TableSearch::Next::kNextKey;
        }
        return TableSearch::Next::kRow;
      }));
    }
    return Status::ok();
  }));
  return std::vector<std::string>(out.begin(), out.end());
}

}  // namespace

Result<std::vector<std::string>> label_names(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q) {
  return distinct_in_rows(dirs, q, std::nullopt);
}

Result<std::vector<std::string>> label_values(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q,
                                              const std::string& label) {
  return distinct_in_rows(dirs, q, label);
}

}  // namespace vmt::query
