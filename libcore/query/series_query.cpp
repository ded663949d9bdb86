#include "query/series_query.h"

#include <algorithm>
#include <set>
#include <thread>

#include "mergeset/items_sort.h"

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

void FoundSeries::add(unsigned half, const metric::Tenant& t, ByteView canonical) {
  Bytes& d = keys_[half].mutable_data();
  put_u32(d, t.account_id);
  put_u32(d, t.project_id);
  d.append(canonical.data(), canonical.size());
  keys_[half].end_item();
}

void FoundSeries::reserve(size_t n) {
  constexpr size_t kBytesPerSeries = 256;  // a generous canonical name with its tenant
  for (auto& k : keys_) k.reserve(k.data_size() + (n / 2 + 1) * kBytesPerSeries, k.size() + n / 2 + 1);
}

void FoundSeries::sort_distinct() {
  std::vector<mergeset::SortedItem> o0, o1;
  if (keys_[1].empty()) {
    mergeset::sort_items(keys_[0], &o0, 2);
  } else {
    std::thread th([&] { mergeset::sort_items(keys_[1], &o1, 1); });
    mergeset::sort_items(keys_[0], &o0, 1);
    th.join();
  }
  const char* d0 = keys_[0].data().data();
  const char* d1 = keys_[1].data().data();
  order_.clear();
  order_.reserve(o0.size() + o1.size());
  auto push = [&](uint32_t half, const mergeset::SortedItem& s) {
    const Key k{s.off, s.len, half};
    if (order_.empty() || key(order_.back()) != key(k)) order_.push_back(k);
  };
  // Merge the halves (keys asked for a few ahead: they are anywhere in the buffers).
  constexpr size_t kAhead = 4;
  size_t i = 0, j = 0;
  while (i < o0.size() && j < o1.size()) {
    if (i + kAhead < o0.size()) __builtin_prefetch(d0 + o0[i + kAhead].off);
    if (j + kAhead < o1.size()) __builtin_prefetch(d1 + o1[j + kAhead].off);
    if (ByteView(d1 + o1[j].off, o1[j].len) < ByteView(d0 + o0[i].off, o0[i].len)) {
      push(1, o1[j++]);
    } else {
      push(0, o0[i++]);
    }
  }
  while (i < o0.size()) push(0, o0[i++]);
  while (j < o1.size()) push(1, o1[j++]);
}

Result<FoundSeries> find_series(const std::vector<const layout::StorageDir*>& dirs, const SeriesQuery& q) {
  FoundSeries out;
  VMT_TRY(for_each_table_tenant(dirs, q, [&](StorageSearch&, StorageSearch::Table& tab, const metric::Tenant& t) -> Status {
    VMT_ASSIGN_OR_RETURN(auto ids, tab.search->search(q.match, t, q.range, q.check_time_range));
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](uint64_t id) { return tab.is_deleted(id); }), ids.end());
    out.reserve(ids.size());
    return tab.search->names_halves(t, ids, [&](unsigned half, uint64_t, ByteView canonical) -> Status {
      out.add(half, t, canonical);
      return Status::ok();
    });
  }));
  out.sort_distinct();
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
