#include "query/index_search.h"

#include <re2/re2.h>

#include <algorithm>

#include "base/byte_reader.h"
#include "base/civil_time.h"
#include "indexdb/item.h"
#include "indexdb/tag_row.h"
#include "mergeset/part_reader.h"
#include "metric/metric_name.h"

namespace vmt::query {

namespace {

bool starts_with(ByteView s, ByteView p) { return s.size() >= p.size() && s.compare(0, p.size(), p) == 0; }

// The MetricIDs tail of a tag row whose prefix (through the value's terminator) is `plen` bytes.
Status append_tail_ids(ByteView item, size_t plen, std::vector<uint64_t>& out) {
  size_t n = item.size() - plen;
  if (n == 0 || n % 8 != 0) return corruption("tag row with a MetricIDs tail of " + std::to_string(n) + " bytes");
  for (size_t off = plen; off < item.size(); off += 8) out.push_back(load_u64(item.data() + off));
  return Status::ok();
}

// Bounds of the escaped values a regexp can match (RE2::PossibleMatchRange), usable when neither
// bound holds a byte that escaping changes (< 0x03): then every matching value's escaped form
// lies in [lo, hi + 0x01] bytewise (see the escaping in metric_name.h).
bool regexp_bounds(const re2::RE2& re, std::string* lo, std::string* hi) {
  if (!re.PossibleMatchRange(lo, hi, 64)) return false;
  for (const std::string* s : {lo, hi}) {
    for (char c : *s) {
      if (static_cast<unsigned char>(c) < 3) return false;
    }
  }
  return true;
}

}  // namespace

void sort_unique(std::vector<uint64_t>& v) {
  if (!std::is_sorted(v.begin(), v.end())) std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::vector<uint64_t> intersect_ids(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
std::vector<uint64_t> subtract_ids(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
std::vector<uint64_t> unite_ids(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::vector<uint64_t> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

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

Status TableSearch::scan_prefix(ByteView prefix, const std::function<Result<bool>(ByteView)>& fn) {
  for (auto& pr : parts_) {
    VMT_TRY(pr->seek(prefix));
    while (pr->valid()) {
      ByteView item = pr->item();
      if (!starts_with(item, prefix)) break;
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
    if (pr->valid() && starts_with(pr->item(), p)) return true;
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
      if (!pr->valid() || !starts_with(pr->item(), p)) break;
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

Result<std::vector<uint64_t>> TableSearch::ids_on_date(const metric::Tenant& t, uint64_t date) {
  std::vector<uint64_t> out;
  VMT_TRY(ids_on_date(t, date, out));
  return out;
}

Status TableSearch::ids_on_date(const metric::Tenant& t, uint64_t date, std::vector<uint64_t>& out) {
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
  sort_unique(out);
  return Status::ok();
}

// Every MetricID of the rows under `prefix` (a tag row prefix through some part of the key).
Result<std::vector<uint64_t>> TableSearch::ids_of_rows(ByteView p) {
  std::vector<uint64_t> out;
  VMT_TRY(scan_prefix(p, [&](ByteView item) -> Result<bool> {
    VMT_ASSIGN_OR_RETURN(size_t plen, indexdb::TagRow::prefix_len(item, tenancy_));
    VMT_TRY(append_tail_ids(item, plen, out));
    return true;
  }));
  sort_unique(out);
  return out;
}

// One filter against the rows of its label under `base` (ns·tenant[·date]). Where the filter
// holds for "" (the label missing), the answer is `all` minus the series whose value fails it;
// else the series whose value satisfies it.
Result<std::vector<uint64_t>> TableSearch::matcher_ids(const Matcher& m, const Bytes& base, const std::vector<uint64_t>& all) {
  Bytes kp = base;
  metric::escape_append(kp, m.is_name() ? ByteView() : ByteView(m.label));
  const bool empty_ok = m.matches("");
  if ((m.op == Matcher::kEq || m.op == Matcher::kNeq) && !m.value.empty()) {
    Bytes vp = kp;
    metric::escape_append(vp, m.value);
    VMT_ASSIGN_OR_RETURN(auto ids, ids_of_rows(vp));
    return m.op == Matcher::kEq ? ids : subtract_ids(all, ids);
  }
  if (m.op == Matcher::kEq || m.op == Matcher::kNeq) {  // ="" (label missing), !="" (label present)
    VMT_ASSIGN_OR_RETURN(auto present, ids_of_rows(kp));
    return m.op == Matcher::kEq ? subtract_ids(all, present) : intersect_ids(all, present);
  }
  // Regexps: read the label's rows (only those the regexp can match, when its bounds are known
  // and only matching values are wanted) and test each distinct value once.
  Bytes seek_from = kp, hi;
  bool bounded = false;
  if (!empty_ok && m.op == Matcher::kRe) {
    std::string lo, h;
    if (regexp_bounds(*m.re, &lo, &h)) {
      seek_from += lo;
      hi = kp + h + char(metric::kTagSeparatorChar);
      bounded = true;
    }
  }
  std::vector<uint64_t> ids;
  Bytes scratch, last_value;
  bool last_good = false, have_last = false;
  for (auto& pr : parts_) {
    VMT_TRY(pr->seek(seek_from));
    have_last = false;
    while (pr->valid()) {
      ByteView item = pr->item();
      if (!starts_with(item, kp)) break;
      if (bounded && item.compare(0, std::min(item.size(), hi.size()), hi) > 0) break;
      ByteReader r(item.substr(kp.size()));
      auto v = metric::unescape(r, scratch, "tag value");
      if (!v.is_ok()) return v.take_status().with_context(pr->path() + ": tag row");
      if (!have_last || *v != last_value) {
        last_value.assign(v->data(), v->size());
        last_good = m.matches(*v);
        have_last = true;
      }
      // Collect the values that decide: good ones, or (when "" is good) the bad ones.
      if (last_good != empty_ok) VMT_TRY(append_tail_ids(item, item.size() - r.remaining(), ids).with_context(pr->path()));
      VMT_TRY(pr->next());
    }
  }
  sort_unique(ids);
  return empty_ok ? subtract_ids(all, ids) : ids;
}

Result<std::vector<uint64_t>> TableSearch::conjunction(const Conjunction& c, const Bytes& base, const std::vector<uint64_t>& all) {
  if (c.matchers.empty()) return all;  // {__name__!=""}
  // Filters that name a value come first: they read the fewest rows and narrow the rest.
  std::vector<const Matcher*> order;
  for (const auto& m : c.matchers) order.push_back(&m);
  std::stable_sort(order.begin(), order.end(), [](const Matcher* a, const Matcher* b) {
    auto rank = [](const Matcher* m) { return m->op == Matcher::kEq && !m->value.empty() ? 0 : m->op == Matcher::kRe ? 1 : 2; };
    return rank(a) < rank(b);
  });
  std::vector<uint64_t> out;
  bool first = true;
  for (const Matcher* m : order) {
    VMT_ASSIGN_OR_RETURN(auto ids, matcher_ids(*m, base, first ? all : out));
    out = first ? intersect_ids(all, ids) : intersect_ids(out, ids);
    first = false;
    if (out.empty()) break;
  }
  return out;
}

Result<std::vector<uint64_t>> TableSearch::search(const std::vector<Selector>& sels, const metric::Tenant& t, const TimeRange& r,
                                                  bool check_time_range) {
  if (check_time_range) {
    VMT_ASSIGN_OR_RETURN(bool has, has_dates_from(t, r.min_date()));
    if (!has) return std::vector<uint64_t>{};
  }
  std::vector<uint64_t> out;
  auto one_base = [&](const Bytes& base) -> Status {
    Bytes name_rows = base;
    metric::escape_append(name_rows, ByteView());
    VMT_ASSIGN_OR_RETURN(auto all, ids_of_rows(name_rows));
    if (sels.empty()) {
      out = unite_ids(out, all);
      return Status::ok();
    }
    for (const auto& s : sels) {
      for (const auto& b : s.branches) {
        VMT_ASSIGN_OR_RETURN(auto ids, conjunction(b, base, all));
        out = unite_ids(out, ids);
      }
    }
    return Status::ok();
  };
  Bytes base;
  if (r.per_day()) {
    for (uint64_t d = r.min_date(); d <= r.max_date(); ++d) {
      prefix(base, indexdb::kNsDateTagToMetricIDs, t);
      put_u64(base, d);
      VMT_TRY(one_base(base));
    }
  } else {
    prefix(base, indexdb::kNsTagToMetricIDs, t);
    VMT_TRY(one_base(base));
  }
  return out;
}

Status TableSearch::names(const metric::Tenant& t, const std::vector<uint64_t>& ids,
                          const std::function<Status(uint64_t, ByteView)>& fn) {
  if (ids.empty()) return Status::ok();
  Bytes p;
  prefix(p, indexdb::kNsMetricIDToMetricName, t);
  const size_t head = p.size() + 8;
  // Few ids: one seek each; many: one pass over the tenant's names.
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
  std::vector<bool> seen(ids.size());
  return scan_prefix(p, [&](ByteView item) -> Result<bool> {
    if (item.size() < head) return corruption("ns 3 item of " + std::to_string(item.size()) + " bytes is too short");
    uint64_t id = load_u64(item.data() + p.size());
    auto it = std::lower_bound(ids.begin(), ids.end(), id);
    if (it == ids.end() || *it != id) return true;
    size_t k = size_t(it - ids.begin());
    if (seen[k]) return true;
    seen[k] = true;
    VMT_TRY(fn(id, item.substr(head)));
    return true;
  });
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
      if (!starts_with(item, start)) break;
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

IdSet::IdSet(std::vector<uint64_t> sorted_ids) : ids_(std::move(sorted_ids)) {
  if (ids_.empty()) return;
  const uint64_t span = ids_.back() - ids_.front();
  if (span / 64 <= ids_.size()) {  // at most ~8 bytes of bitmap per id
    base_ = ids_.front();
    bits_.assign(span / 64 + 1, 0);
    for (uint64_t id : ids_) bits_[(id - base_) / 64] |= uint64_t(1) << ((id - base_) % 64);
  }
}

bool IdSet::contains(uint64_t id) const {
  if (!bits_.empty()) {
    if (id < base_) return false;
    uint64_t off = id - base_;
    return off / 64 < bits_.size() && (bits_[off / 64] >> (off % 64) & 1);
  }
  return std::binary_search(ids_.begin(), ids_.end(), id);
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
