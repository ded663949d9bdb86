// TableSearch's selector search: each filter of a selector resolved to MetricIDs through the tag
// rows of its label (lib/storage/tag_filters.go, index_db.go searchMetricIDs at v1.93.7).
#include "query/index_search.h"

#include <re2/re2.h>

#include <algorithm>

#include "base/byte_reader.h"
#include "indexdb/item.h"
#include "indexdb/tag_row.h"
#include "mergeset/part_reader.h"
#include "metric/metric_name.h"

namespace vmt::query {

namespace {

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
      if (!item.starts_with(kp)) break;
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
  for (const Bytes& base : tag_row_bases(t, r)) VMT_TRY(one_base(base));
  return out;
}

std::vector<Bytes> TableSearch::tag_row_bases(const metric::Tenant& t, const TimeRange& r) const {
  std::vector<Bytes> bases;
  Bytes base;
  if (!r.per_day()) {
    prefix(base, indexdb::kNsTagToMetricIDs, t);
    bases.push_back(base);
    return bases;
  }
  for (uint64_t d = r.min_date(); d <= r.max_date(); ++d) {
    prefix(base, indexdb::kNsDateTagToMetricIDs, t);
    put_u64(base, d);
    bases.push_back(base);
  }
  return bases;
}

}  // namespace vmt::query
