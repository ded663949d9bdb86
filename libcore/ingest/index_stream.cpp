#include "ingest/index_stream.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "base/hash_slots.h"
#include "base/huge_array.h"
#include "indexdb/item.h"
#include "indexdb/series_items.h"
#include "indexdb/tag_row.h"
#include "indexdb/tag_rows_merge.h"
#include "mergeset/items.h"
#include "mergeset/items_sort.h"
#include "metric/metric_name.h"
#include "metric/tsid_gen.h"

namespace vmt::ingest {

namespace {

// Tag rows per group of a series: 1 (metric name) + 1 if the name has a '.' + 2 per tag. Counted
// from the canonical name: 0x01 ends the group and each key and value (escaped 0x01 is 00 31).
uint64_t tag_rows_of(ByteView canonical, metric::Tenancy t) {
  ByteView rest = canonical.substr(metric::tenant_bytes(t));
  uint64_t ends = 0;
  for (char c : rest) ends += c == '\x01';
  const ByteView group = rest.substr(0, rest.find('\x01'));
  return ends + (group.find('.') != ByteView::npos ? 1 : 0);  // 1 + 2T (+1)
}

// Interns tenant · esc(key) · esc(value) byte strings.
class TagTable {
 public:
  TagTable() : index_(1 << 12) {}
  uint32_t intern(ByteView key) {
    const uint64_t h = metric::xxhash64(key);
    size_t pos = 0;
    if (const uint32_t ref = index_.find(h, [&](uint32_t r) { return key_of(r - 1) == key; }, &pos)) return ref - 1;
    offs_.push_back(arena_.size());
    arena_.append(key);
    const uint32_t id = uint32_t(offs_.size() - 1);
    index_.insert_at(pos, h, id + 1);
    return id;
  }
  ByteView key_of(uint32_t id) const {
    const size_t b = offs_[id], e = id + 1 < offs_.size() ? offs_[id + 1] : arena_.size();
    return ByteView(arena_.data() + b, e - b);
  }
  size_t size() const { return offs_.size(); }
  void clear() {
    arena_.clear();
    offs_.clear();
    index_.reset(1 << 12);
  }

 private:
  Bytes arena_;
  std::vector<size_t> offs_;
  HashSlots index_;
};

// One tag row of a series, whatever groups it is written in: the global ns 1 row if the series
// needs the global group, and an ns 6 row for each of its days. `slot` is the series' place in the
// work (its SlotInfo). The same (tag, MetricID) pairs make both namespaces, so they are sorted once.
struct TagRow {
  uint32_t rank;   // first the tag's id in the TagTable, then its place in the tags' byte order
  uint32_t slot;
  uint64_t metric_id;
  bool operator<(const TagRow& o) const { return rank != o.rank ? rank < o.rank : metric_id < o.metric_id; }
};
// A series of the work: whether it needs the global group, and its days (work.per_day[d0, d0 + days),
// dates ascending). `cursor` walks those days as the per-day groups of its tenant are emitted in
// date order.
struct SlotInfo {
  size_t d0;
  uint32_t days;
  uint32_t cursor;
  bool global;
};

// ns 2 and ns 3 items (tenant · MetricID · ...) and ns 5 items (tenant · date · MetricID) sort by
// these integers exactly as by their bytes (big-endian fields, MetricIDs unique); ns 7 items
// (date · canonical name · 0x01 · TSID) by the date and the series' place among those names, and
// are written from the name when emitted.
struct IdItem {
  uint64_t tenant, metric_id;
  uint32_t item;
  bool operator<(const IdItem& o) const { return tenant != o.tenant ? tenant < o.tenant : metric_id < o.metric_id; }
};
struct DayIdItem {
  uint64_t tenant, date, metric_id;
  uint32_t item;
  bool operator<(const DayIdItem& o) const {
    if (tenant != o.tenant) return tenant < o.tenant;
    return date != o.date ? date < o.date : metric_id < o.metric_id;
  }
};
struct DayNameItem {
  uint64_t date;
  uint32_t rank;  // first the series' index among the names, then its place in their order
  bool operator<(const DayNameItem& o) const { return date != o.date ? date < o.date : rank < o.rank; }
};

// Tag rows in (rank, MetricID) order. Rows come series by series, and the registry numbers new
// series in order, so a stable counting pass by rank usually gives it; checked, and sorted by
// comparison when MetricIDs did not ascend (series of an existing index among them).
// The pass needs one more copy of the rows for the moment of the sort: outside the stream's
// estimate (sorted_stream_size), within --mem-limit (the index budget is half of it).
void sort_by_rank(HugeVector<TagRow>& rows, size_t ranks, HugeVector<TagRow>& tmp) {
  const size_t n = rows.size();
  if (n < 2) return;
  tmp.resize(n);
  std::vector<size_t> start(ranks + 1, 0);
  for (size_t i = 0; i < n; ++i) ++start[rows[i].rank + 1];
  for (size_t b = 1; b <= ranks; ++b) start[b] += start[b - 1];
  for (size_t i = 0; i < n; ++i) tmp[start[rows[i].rank]++] = rows[i];
  std::copy(tmp.data(), tmp.data() + n, rows.data());
  if (!std::is_sorted(rows.begin(), rows.end())) std::sort(rows.begin(), rows.end());
}

// The stream's bytes for one series: its global group if `global`, and `days` per-day groups.
// Byte strings count twice (their arrays grow by doubling): the series' tag strings (at most
// about its name twice over, when none is shared), ns 2 and ns 3 of the global group, and the
// name ns 7 is written from (once, whatever the days); integers once: 16 + 4 bytes per tag row of
// the series (once: its ns 1 and ns 6 rows are the same rows), 24 + 40 per day for ns 5 and the
// sort keys, 24 for its place in the work.
uint64_t series_stream_bytes(const SeriesRegistry& reg, uint32_t s, bool global, size_t days, uint64_t* items) {
  const uint64_t rows = tag_rows_of(reg.canonical(s), reg.tenancy());
  const uint64_t name = reg.at(s).canonical_len;
  *items = (global ? 2 + rows : 0) + days * (2 + rows);
  uint64_t bytes = 2 * name + 24 + rows * (16 + 4);
  if (global) bytes += 2 * (name + 70);
  if (days > 0) bytes += 2 * (name + 40) + days * 110;
  return bytes;
}

}  // namespace

void sorted_stream_size(const SeriesRegistry& reg, const IndexWork& work, uint64_t* items, uint64_t* bytes,
                        std::vector<uint64_t>* series_bytes) {
  *items = *bytes = 0;
  if (series_bytes) series_bytes->clear();
  walk_work_series(work, [&](uint32_t s, bool global, size_t, size_t days) {
    uint64_t n = 0;
    const uint64_t b = series_stream_bytes(reg, s, global, days, &n);
    *bytes += b;
    *items += n;
    if (series_bytes) series_bytes->push_back(b);
  });
}

std::vector<IndexWork> split_work(const SeriesRegistry& reg, const IndexWork& work, uint64_t budget,
                                  const std::vector<uint64_t>* series_bytes) {
  std::vector<IndexWork> out(1);
  uint64_t bytes = 0;
  size_t k = 0;
  walk_work_series(work, [&](uint32_t s, bool global, size_t d0, size_t days) {
    uint64_t n = 0;
    const uint64_t b = series_bytes ? (*series_bytes)[k++] : series_stream_bytes(reg, s, global, days, &n);
    if (bytes > 0 && bytes + b > budget) {
      out.emplace_back();
      bytes = 0;
    }
    bytes += b;
    if (global) out.back().global.push_back(s);
    out.back().per_day.insert(out.back().per_day.end(), work.per_day.begin() + d0, work.per_day.begin() + d0 + days);
  });
  return out;
}

// The arrays of one stream (see EmitScratch).
struct EmitScratch::Arrays {
  TagTable tags;
  // Tens of millions of rows at a million series: grown in place (base/huge_array.h).
  HugeVector<TagRow> tag_rows, sort_tmp;
  std::vector<SlotInfo> slots;
  mergeset::Items scratch;
  // The other items as bytes, each with the integers that order it: one string sort in all, of
  // one name per series (its ns 7 suffix), however many days it has.
  mergeset::Items ns2_items, ns3_items, ns5_items, names;
  std::vector<IdItem> ids;
  std::vector<DayIdItem> day_ids;
  std::vector<DayNameItem> day_names;
  mergeset::Items keys;
  std::vector<uint32_t> order, name_order, rank;
  std::vector<uint64_t> group_ids;
  void clear() {
    tags.clear();
    tag_rows.clear(), sort_tmp.clear(), slots.clear(), scratch.clear();
    ns2_items.clear(), ns3_items.clear(), ns5_items.clear(), names.clear();
    ids.clear(), day_ids.clear(), day_names.clear();
    keys.clear(), order.clear(), name_order.clear(), rank.clear(), group_ids.clear();
  }
};

EmitScratch::EmitScratch() : a_(std::make_unique<Arrays>()) {}
EmitScratch::~EmitScratch() = default;

Status emit_sorted_items(const SeriesRegistry& reg, const IndexWork& work, unsigned threads,
                         const std::function<Status(ByteView)>& sink, uint64_t* items, EmitScratch* keep) {
  const size_t ids_per_row = indexdb::kMaxMetricIDsPerRow;
  const metric::Tenancy tenancy = reg.tenancy();
  const size_t tenant_bytes = metric::tenant_bytes(tenancy);
  EmitScratch own;
  EmitScratch::Arrays& a = (keep ? keep : &own)->arrays();
  a.clear();
  // Named references, not a structured binding: the lambdas below capture them, which C++20
  // allows for bindings but clang before 16 (make fuzz) does not.
  auto& tags = a.tags;
  auto& tag_rows = a.tag_rows;
  auto& sort_tmp = a.sort_tmp;
  auto& slots = a.slots;
  auto& scratch = a.scratch;
  auto& ns2_items = a.ns2_items;
  auto& ns3_items = a.ns3_items;
  auto& ns5_items = a.ns5_items;
  auto& names = a.names;
  auto& ids = a.ids;
  auto& day_ids = a.day_ids;
  auto& day_names = a.day_names;
  auto& keys = a.keys;
  auto& order = a.order;
  auto& name_order = a.name_order;
  auto& rank = a.rank;
  auto& group_ids = a.group_ids;
  // The arrays are sized up front, the byte arrays by the first series' sizes: grown by doubling,
  // they had copied their bytes over and over into fresh pages (at 20k series, a quarter of this
  // stream's time, which ends the import there).
  size_t series = 0;
  walk_work_series(work, [&](uint32_t, bool, size_t, size_t) { ++series; });
  slots.reserve(series);
  ids.reserve(work.global.size());
  day_ids.reserve(work.per_day.size());
  day_names.reserve(work.per_day.size());
  constexpr size_t kSizingSample = 64;
  auto size_like_sample = [&](mergeset::Items& it) {
    const size_t n = it.size() * series / kSizingSample + 16;
    it.reserve(it.data_size() * series / kSizingSample * 9 / 8 + 4096, n + n / 8);
    Bytes& bytes = it.mutable_data();
    populate_for_write(bytes.data() + bytes.size(), bytes.capacity() - bytes.size());
  };
  // Pass 1: intern the tag strings; collect each series' tag rows once as integers and the other
  // items as bytes.
  VMT_TRY(for_each_work_series(reg, work, [&](const WorkSeries& w) -> Status {
    if (slots.size() == kSizingSample && series > 2 * kSizingSample) {
      for (mergeset::Items* it : {&ns2_items, &ns3_items, &ns5_items, &names}) size_like_sample(*it);
    }
    const Series& ser = *w.series;
    const metric::MetricName& mn = *w.name;
    const ByteView canonical = w.canonical;
    scratch.clear();
    indexdb::append_global_items(scratch, tenancy, ser.tsid, mn, canonical);
    // scratch: ns 3, ns 2, then the ns 1 rows 01 · [acc · proj] · tag · MetricID.
    const uint64_t tenant = (uint64_t(ser.tsid.account_id) << 32) | ser.tsid.project_id;
    const uint64_t mid = ser.tsid.metric_id;
    const uint32_t slot = uint32_t(slots.size());
    slots.push_back(SlotInfo{size_t(w.days.data() - work.per_day.data()), uint32_t(w.days.size()), 0, w.global});
    for (size_t i = 2; i < scratch.size(); ++i) {
      ByteView row = scratch[i];
      tag_rows.push_back(TagRow{tags.intern(row.substr(1, row.size() - 1 - 8)), slot, mid});  // [acc · proj] · tag
    }
    if (w.global) {
      ids.push_back(IdItem{tenant, mid, uint32_t(ns3_items.size())});
      ns3_items.push_back(scratch[0]);
      ns2_items.push_back(scratch[1]);
    }
    bool first_day = true;
    for (const auto& [s, date] : w.days) {
      // ns 5 and ns 7 as series_items.h writes them; the ns 6 rows come from the tag rows.
      scratch.clear();
      indexdb::append_per_day_id_items(scratch, tenancy, date, ser.tsid, canonical);
      if (first_day) names.push_back(scratch[1].substr(1 + 8));  // name · 01 · TSID, the same every day
      first_day = false;
      day_ids.push_back(DayIdItem{tenant, date, mid, uint32_t(ns5_items.size())});
      ns5_items.push_back(scratch[0]);
      day_names.push_back(DayNameItem{date, uint32_t(names.size() - 1)});
    }
    return Status::ok();
  }));
  // Rank the distinct tags by their bytes (tenant first: fixed width), and the names.
  for (uint32_t i = 0; i < tags.size(); ++i) keys.push_back(tags.key_of(i));
  mergeset::sort_items(keys, &order, threads);
  mergeset::sort_items(names, &name_order, threads);
  rank.assign(tags.size(), 0);
  for (uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
  for (auto& x : tag_rows) x.rank = rank[x.rank];
  rank.assign(names.size(), 0);
  for (uint32_t r = 0; r < name_order.size(); ++r) rank[name_order[r]] = r;
  for (auto& x : day_names) x.rank = rank[x.rank];
  auto sort_some = [&] { sort_by_rank(tag_rows, tags.size(), sort_tmp); };
  auto sort_rest = [&] {
    std::sort(ids.begin(), ids.end());
    std::sort(day_names.begin(), day_names.end());
    std::sort(day_ids.begin(), day_ids.end());
  };
  if (threads > 1) {
    std::thread t(sort_some);
    sort_rest();
    t.join();
  } else {
    sort_some();
    sort_rest();
  }

  // Emit in namespace order: 1, then 2 3 5, then 6, then 7. Tag rows of one prefix
  // are combined, 64 MetricIDs per row at most, as mergeTagToMetricIDsRows combines them
  // (mergeset.md §11; indexdb.md §10 item 4 allows a writer to do it): IDs ascending, so every
  // row still sorts before the next one of its prefix.
  uint64_t n = 0;
  Bytes item;
  // group_ids: the MetricIDs of one prefix (rows of one rank that the group takes), as items of
  // up to 64.
  auto emit_rows = [&](ByteView prefix) -> Status {
    for (size_t a = 0; a < group_ids.size(); a += ids_per_row) {
      item.assign(prefix);
      for (size_t k = a; k < std::min(group_ids.size(), a + ids_per_row); ++k) put_u64(item, group_ids[k]);
      VMT_TRY(sink(item));
    }
    n += group_ids.size();
    return Status::ok();
  };
  // `take(row)`: whether the group has the row. Calls emit(prefix of a rank) for each rank of
  // [from, to) with at least one row taken, group_ids holding their MetricIDs.
  auto walk_ranks = [&](size_t from, size_t to, auto take, auto emit) -> Status {
    for (size_t i = from; i < to;) {
      const uint32_t r = tag_rows[i].rank;
      group_ids.clear();
      for (; i < to && tag_rows[i].rank == r; ++i) {
        if (take(tag_rows[i])) group_ids.push_back(tag_rows[i].metric_id);
      }
      if (!group_ids.empty()) VMT_TRY(emit(tags.key_of(order[r])));
    }
    return Status::ok();
  };
  Bytes prefix;
  VMT_TRY(walk_ranks(0, tag_rows.size(), [&](const TagRow& t) { return slots[t.slot].global; }, [&](ByteView key) {
    prefix.clear();
    put_u8(prefix, indexdb::kNsTagToMetricIDs);
    prefix.append(key);  // [acc · proj] · tag
    return emit_rows(prefix);
  }));
  for (const auto& x : ids) VMT_TRY(sink(ns2_items[x.item]));
  for (const auto& x : ids) VMT_TRY(sink(ns3_items[x.item]));
  for (const auto& x : day_ids) VMT_TRY(sink(ns5_items[x.item]));
  n += 2 * ids.size() + day_ids.size();
  // ns 6: per (tenant, date), in that order, the tag rows of the tenant's series with that day.
  // The tags rank tenant first (its bytes lead the key), so a tenant's rows are one range.
  auto tenant_of = [&](const TagRow& t) {
    const ByteView key = tags.key_of(order[t.rank]);
    return tenant_bytes == 0 ? uint64_t(0) : load_u64(key.data());
  };
  size_t tenant_begin = 0, tenant_end = 0;
  uint64_t tenant = 0;
  bool have_tenant = false;
  for (size_t i = 0; i < day_ids.size();) {
    const uint64_t group_tenant = day_ids[i].tenant, date = day_ids[i].date;
    while (i < day_ids.size() && day_ids[i].tenant == group_tenant && day_ids[i].date == date) ++i;
    if (!have_tenant || group_tenant != tenant) {
      have_tenant = true;
      tenant = group_tenant;
      tenant_begin = tenant_end;
      while (tenant_begin < tag_rows.size() && tenant_of(tag_rows[tenant_begin]) < tenant) ++tenant_begin;
      tenant_end = tenant_begin;
      while (tenant_end < tag_rows.size() && tenant_of(tag_rows[tenant_end]) == tenant) ++tenant_end;
    }
    auto has_day = [&](const TagRow& t) {
      SlotInfo& si = slots[t.slot];
      while (si.cursor < si.days && work.per_day[si.d0 + si.cursor].second < date) ++si.cursor;
      return si.cursor < si.days && work.per_day[si.d0 + si.cursor].second == date;
    };
    VMT_TRY(walk_ranks(tenant_begin, tenant_end, has_day, [&](ByteView key) {
      prefix.clear();
      put_u8(prefix, indexdb::kNsDateTagToMetricIDs);
      prefix.append(key.substr(0, tenant_bytes));
      put_u64(prefix, date);
      prefix.append(key.substr(tenant_bytes));
      return emit_rows(prefix);
    }));
  }
  for (const auto& x : day_names) {  // 07 · date · name · 01 · TSID
    item.clear();
    put_u8(item, indexdb::kNsDateMetricNameToTSID);
    put_u64(item, x.date);
    item.append(names[name_order[x.rank]]);
    VMT_TRY(sink(item));
  }
  n += day_names.size();
  *items = n;
  return Status::ok();
}

Status TagRowCombiner::push(ByteView item, const Sink& sink) {
  const uint8_t ns = item.empty() ? 0 : uint8_t(item[0]);
  if (ns != indexdb::kNsTagToMetricIDs && ns != indexdb::kNsDateTagToMetricIDs) {
    VMT_TRY(finish(sink));
    row_.clear();  // no current prefix
    return sink(item);
  }
  VMT_ASSIGN_OR_RETURN(const size_t plen, indexdb::TagRow::prefix_len(item, tenancy_));
  const ByteView prefix = item.substr(0, plen), ids = item.substr(plen);
  if (ids.empty() || ids.size() % 8 != 0) {
    return corruption("index run: tag row " + mergeset::item_hex(item) + " has a MetricID tail of " +
                      std::to_string(ids.size()) + " bytes");
  }
  if (row_.empty() || prefix_len_ != plen || ByteView(row_).substr(0, plen) != prefix) {
    VMT_TRY(finish(sink));
    row_.assign(prefix);
    prefix_len_ = plen;
    have_last_ = false;
  }
  // Held MetricIDs below this row's first are final: every later row of the prefix starts higher.
  VMT_TRY(release(load_u64(ids.data()), false, sink));
  merged_.clear();
  size_t h = 0;
  for (size_t k = 0; k < ids.size(); k += 8) {
    const uint64_t id = load_u64(ids.data() + k);
    if (k > 0 && id <= load_u64(ids.data() + k - 8)) {
      return corruption("internal: index runs: tag row " + mergeset::item_hex(item) + " holds MetricIDs out of order");
    }
    for (; h < held_.size() && held_[h] < id; ++h) merged_.push_back(held_[h]);
    if (h < held_.size() && held_[h] == id) {
      return corruption("internal: index runs: MetricID " + std::to_string(id) + " twice in tag rows " +
                        mergeset::item_hex(prefix));
    }
    merged_.push_back(id);
  }
  merged_.insert(merged_.end(), held_.begin() + long(h), held_.end());
  held_.swap(merged_);
  return Status::ok();
}

Status TagRowCombiner::release(uint64_t below, bool all, const Sink& sink) {
  size_t n = 0;
  for (; n < held_.size() && (all || held_[n] < below); ++n) {
    const uint64_t id = held_[n];
    if (have_last_ && id <= last_id_) {
      return corruption("internal: index runs: MetricIDs of tag row " + mergeset::item_hex(ByteView(row_).substr(0, prefix_len_)) +
                        " do not ascend (" + std::to_string(id) + " after " + std::to_string(last_id_) + ")");
    }
    if (ids_ == indexdb::kMaxMetricIDsPerRow) VMT_TRY(flush_row(sink));
    put_u64(row_, id);
    ++ids_;
    last_id_ = id;
    have_last_ = true;
  }
  held_.erase(held_.begin(), held_.begin() + long(n));
  return Status::ok();
}

Status TagRowCombiner::flush_row(const Sink& sink) {
  if (ids_ == 0) return Status::ok();
  ids_ = 0;
  VMT_TRY(sink(row_));
  row_.resize(prefix_len_);
  return Status::ok();
}

Status TagRowCombiner::finish(const Sink& sink) {
  VMT_TRY(release(0, true, sink));
  return flush_row(sink);
}

}  // namespace vmt::ingest
