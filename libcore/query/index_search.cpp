#include "query/index_search.h"

#include <algorithm>
#include <thread>

#include "base/byte_reader.h"
#include "indexdb/item.h"
#include "indexdb/tag_row.h"
#include "mergeset/part_reader.h"
#include "metric/metric_name.h"

namespace vmt::query {

TableSearch::~TableSearch() = default;

Result<std::unique_ptr<TableSearch>> TableSearch::open(const layout::IndexTable& t, metric::Tenancy tenancy) {
  std::unique_ptr<TableSearch> s(new TableSearch());
  s->table_ = &t;
  s->tenancy_ = tenancy;
  for (const auto& part : t.parts) {
    if (!part.listed) continue;
    if (!part.exists) return not_found(part.path + ": listed in parts.json but missing");
    VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(part.path));
    s->parts_.push_back(std::move(pr));
  }
  return s;
}

bool TableSearch::empty() const {
  for (const auto& pr : parts_) {
    if (pr->header().items_count > 0) return false;
  }
  return true;
}

Status TableSearch::scan_prefix(ByteView prefix, const std::function<Result<bool>(ByteView)>& fn, ByteView from) {
  for (auto& pr : parts_) {
    VMT_TRY(pr->seek(from > prefix ? from : prefix));
    while (pr->valid()) {
      ByteView item = pr->item();
      if (!item.starts_with(prefix)) break;
      auto more = fn(item);
      if (!more.is_ok()) return more.take_status().with_context(pr->path());
      if (!*more) break;
      VMT_TRY(pr->next());
    }
  }
  return Status::ok();
}

void TableSearch::prefix(Bytes& out, uint8_t ns, const metric::Tenant& t) const {
  out.clear();
  indexdb::tenant_prefix(out, ns, tenancy_, t.account_id, t.project_id);
}

Result<std::vector<metric::Tenant>> TableSearch::tenants() {
  std::vector<metric::Tenant> out;
  const size_t tb = metric::tenant_bytes(tenancy_);
  if (tb == 0) {
    bool any = false;
    Bytes p(1, char(indexdb::kNsTagToMetricIDs));
    VMT_TRY(scan_prefix(p, [&](ByteView) -> Result<bool> {
      any = true;
      return false;
    }));
    if (any) out.push_back({});
    return out;
  }
  // Skip from tenant to tenant: seek to the first row at or after ns·acc·proj in every part.
  uint64_t next = 0;  // acc << 32 | proj
  for (;;) {
    std::optional<uint64_t> best;
    Bytes key(1, char(indexdb::kNsTagToMetricIDs));
    put_u64(key, next);
    for (auto& pr : parts_) {
      VMT_TRY(pr->seek(key));
      if (!pr->valid()) continue;
      ByteView item = pr->item();
      if (item.size() < 9 || byte_at(item, 0) != indexdb::kNsTagToMetricIDs) continue;
      uint64_t t = load_u64(item.data() + 1);
      if (!best || t < *best) best = t;
    }
    if (!best) break;
    out.push_back(metric::Tenant{uint32_t(*best >> 32), uint32_t(*best)});
    if (*best == UINT64_MAX) break;
    next = *best + 1;
  }
  return out;
}

Result<bool> TableSearch::has_dates_from(const metric::Tenant& t, uint64_t date) {
  Bytes p;
  prefix(p, indexdb::kNsDateToMetricID, t);
  Bytes key = p;
  put_u64(key, date);
  for (auto& pr : parts_) {
    VMT_TRY(pr->seek(key));
    if (pr->valid() && pr->item().starts_with(p)) return true;
  }
  return false;
}

Result<std::vector<uint64_t>> TableSearch::dates(const metric::Tenant& t) {
  std::vector<uint64_t> out;
  Bytes p;
  prefix(p, indexdb::kNsDateToMetricID, t);
  const size_t want = indexdb::date_to_metric_id_item_size(tenancy_);
  for (auto& pr : parts_) {
    // Day to day: seek past each day found.
    uint64_t from = 0;
    for (;;) {
      Bytes key = p;
      put_u64(key, from);
      VMT_TRY(pr->seek(key));
      if (!pr->valid() || !pr->item().starts_with(p)) break;
      if (pr->item().size() != want) {
        return corruption(pr->path() + ": ns 5 item of " + std::to_string(pr->item().size()) + " bytes; want " + std::to_string(want));
      }
      uint64_t d = load_u64(pr->item().data() + p.size());
      out.push_back(d);
      if (d == UINT64_MAX) break;
      from = d + 1;
    }
  }
  sort_unique(out);
  return out;
}

Result<std::unordered_set<uint64_t>> TableSearch::deleted_ids() {
  std::unordered_set<uint64_t> out;
  Bytes p(1, char(indexdb::kNsDeletedMetricID));
  VMT_TRY(scan_prefix(p, [&](ByteView item) -> Result<bool> {
    if (item.size() != 9) return corruption("ns 4 item of " + std::to_string(item.size()) + " bytes; want 9");
    out.insert(load_u64(item.data() + 1));
    return true;
  }));
  return out;
}

Status TableSearch::ids_on_date(const metric::Tenant& t, uint64_t date, HugeVector<uint64_t>& out) {
  out.clear();
  Bytes p;
  prefix(p, indexdb::kNsDateToMetricID, t);
  put_u64(p, date);
  const size_t want = indexdb::date_to_metric_id_item_size(tenancy_);
  VMT_TRY(scan_prefix(p, [&](ByteView item) -> Result<bool> {
    if (item.size() != want) return corruption("ns 5 item of " + std::to_string(item.size()) + " bytes; want " + std::to_string(want));
    out.push_back(load_u64(item.data() + p.size()));
    return true;
  }));
  out.truncate(sort_unique(out.begin(), out.end()));
  return Status::ok();
}

Status TableSearch::names(const metric::Tenant& t, const std::vector<uint64_t>& ids,
                          const std::function<Status(uint64_t, ByteView)>& fn) {
  if (ids.empty()) return Status::ok();
  Bytes p;
  prefix(p, indexdb::kNsMetricIDToMetricName, t);
  const size_t head = p.size() + 8;
  // Few ids: one seek each; many: one pass over the ids' stretch of the tenant's names.
  if (ids.size() * parts_.size() < 4096) {
    for (uint64_t id : ids) {
      Bytes key = p;
      put_u64(key, id);
      bool found = false;
      VMT_TRY(scan_prefix(key, [&](ByteView item) -> Result<bool> {
        if (!found) {
          found = true;
          VMT_TRY(fn(id, item.substr(head)));
        }
        return false;
      }));
    }
    return Status::ok();
  }
  return names_pass(t, ids.data(), ids.size(), fn);
}

Status TableSearch::names_pass(const metric::Tenant& t, const uint64_t* ids, size_t n,
                               const std::function<Status(uint64_t, ByteView)>& fn) {
  if (n == 0) return Status::ok();
  Bytes p;
  prefix(p, indexdb::kNsMetricIDToMetricName, t);
  const size_t head = p.size() + 8;
  Bytes from = p;
  put_u64(from, ids[0]);
  const uint64_t last = ids[n - 1];
  std::vector<bool> seen(n);
  // Each part's items ascend by MetricID, and so do the ids: a cursor kept at the first id >= the
  // item's moves forward (a binary search when the item is far ahead, or behind: the next part).
  size_t at = 0;
  return scan_prefix(
      p,
      [&](ByteView item) -> Result<bool> {
        if (item.size() < head) return corruption("ns 3 item of " + std::to_string(item.size()) + " bytes is too short");
        const uint64_t id = load_u64(item.data() + p.size());
        if (id > last) return false;  // past the stretch: on to the next part
        if ((at > 0 && ids[at - 1] >= id) || (at + 16 < n && ids[at + 16] < id)) {
          at = size_t(std::lower_bound(ids, ids + n, id) - ids);
        }
        while (at < n && ids[at] < id) ++at;
        if (at == n || ids[at] != id || seen[at]) return true;
        seen[at] = true;
        VMT_TRY(fn(id, item.substr(head)));
        return true;
      },
      from);
}

Status TableSearch::names_halves(const metric::Tenant& t, const std::vector<uint64_t>& ids,
                                 const std::function<Status(unsigned half, uint64_t, ByteView)>& fn,
                                 size_t halves_from) {
  if (ids.size() < halves_from) return names(t, ids, [&](uint64_t id, ByteView c) { return fn(0, id, c); });
  VMT_ASSIGN_OR_RETURN(auto second, TableSearch::open(*table_, tenancy_));
  const size_t mid = ids.size() / 2;
  Status st1;
  std::thread th([&] {
    st1 = second->names_pass(t, ids.data() + mid, ids.size() - mid, [&](uint64_t id, ByteView c) { return fn(1, id, c); });
  });
  Status st0 = names_pass(t, ids.data(), mid, [&](uint64_t id, ByteView c) { return fn(0, id, c); });
  th.join();
  VMT_TRY(st0);
  return st1;
}

Status TableSearch::for_each_tag_row(ByteView base, const std::optional<std::string>& key,
                                     const std::function<Result<Next>(const TagRowView&)>& fn) {
  Bytes start(base);
  if (key) metric::escape_append(start, *key);
  const size_t plain_end = base.size();
  Bytes scratch_k, scratch_v, seek_to;
  for (auto& pr : parts_) {
    VMT_TRY(pr->seek(start));
    while (pr->valid()) {
      ByteView item = pr->item();
      if (!item.starts_with(start)) break;
      const unsigned char first = item.size() > plain_end ? static_cast<unsigned char>(item[plain_end]) : 0;
      if (first == 0xFE) {  // composite keys: jump past them all
        seek_to.assign(base.data(), base.size());
        seek_to.push_back(char(0xFF));
        VMT_TRY(pr->seek(seek_to));
        continue;
      }
      if (first == 0xFF) break;  // the Graphite reverse key sorts last
      ByteReader r(item.substr(plain_end));
      auto k = metric::unescape(r, scratch_k, "tag key");
      if (!k.is_ok()) return k.take_status().with_context(pr->path() + ": tag row");
      const size_t key_end = item.size() - r.remaining();
      auto v = metric::unescape(r, scratch_v, "tag value");
      if (!v.is_ok()) return v.take_status().with_context(pr->path() + ": tag row");
      const size_t value_end = item.size() - r.remaining();
      size_t n = item.size() - value_end;
      if (n == 0 || n % 8 != 0) {
        return corruption(pr->path() + ": tag row with a MetricIDs tail of " + std::to_string(n) + " bytes");
      }
      TagRowView row{*k, *v, item.substr(value_end)};
      auto next = fn(row);
      if (!next.is_ok()) return next.take_status().with_context(pr->path());
      if (*next == Next::kRow) {
        VMT_TRY(pr->next());
        continue;
      }
      // The first row after this label (or value): its escaped form with the terminator bumped.
      size_t end = *next == Next::kNextKey ? key_end : value_end;
      seek_to.assign(item.data(), end);
      seek_to.back() = char(seek_to.back() + 1);
      VMT_TRY(pr->seek(seek_to));
    }
  }
  return Status::ok();
}

Status TableSearch::all_names(const metric::Tenant& t, const std::function<Status(uint64_t, ByteView)>& fn) {
  Bytes p;
  prefix(p, indexdb::kNsMetricIDToMetricName, t);
  const size_t head = p.size() + 8;
  return scan_prefix(p, [&](ByteView item) -> Result<bool> {
    if (item.size() < head) return corruption("ns 3 item of " + std::to_string(item.size()) + " bytes is too short");
    VMT_TRY(fn(load_u64(item.data() + p.size()), item.substr(head)));
    return true;
  });
}

}  // namespace vmt::query
