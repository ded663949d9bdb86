#include "query/tsdb_status.h"

#include <xxhash.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "indexdb/item.h"
#include "base/huge_array.h"
#include "metric/metric_name.h"
#include "query/series_days.h"

namespace vmt::query {

namespace {

using namespace status;

// How the report is computed, on two cores:
//  rows:  the tag rows of the scope (ns 6 of the day, or ns 1), as the server walks them: per
//         label=value pair, the MetricIDs in scope (not deleted, selected). Exact when every
//         series has one MetricID;
//  names: every name in scope (ns 3) hashed, to find the MetricIDs that repeat a series already
//         seen (on this node or an earlier one); each repeat's labels are subtracted from the
//         rows' counts afterwards, so every series counts once. Repeats are rare: only they are
//         decoded;
//  days:  (whole range only) the per-day entries (ns 5) with repeats mapped to their first
//         MetricID, for each day's distinct series and each series' first and last day: the
//         first half of the days after the names, the second after the rows, then combined.

struct Key128 {
  uint64_t lo, hi;
  bool operator==(const Key128& o) const { return lo == o.lo && hi == o.hi; }
};
struct Key128Hash {
  size_t operator()(const Key128& k) const { return size_t(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull)); }
};

Key128 series_key(const metric::Tenant& t, ByteView canonical, Bytes& buf) {
  buf.clear();
  put_u32(buf, t.account_id);
  put_u32(buf, t.project_id);
  buf.append(canonical);
  XXH128_hash_t h = XXH3_128bits(buf.data(), buf.size());
  return Key128{h.low64, h.high64};
}

struct PairKey {
  std::string label, value;
  bool operator<(const PairKey& o) const { return label != o.label ? label < o.label : value < o.value; }
};

struct Names {  // the names pass
  uint64_t series = 0;
  std::map<std::string, uint64_t> by_tenant;
  std::vector<uint64_t> node_series, node_ids;
  std::unordered_map<NodeId, NodeId, NodeIdHash> repeat_of;  // a repeated MetricID -> the first one
  std::map<PairKey, uint64_t> repeated_pairs;               // to subtract from the rows' counts
  std::vector<uint64_t> shared_by_node;
  uint64_t on_several_nodes = 0;
  std::vector<SharedSeries> shared_examples;
};

struct Rows {  // the rows pass
  std::map<PairKey, uint64_t> pairs;
};

// One name in scope: 32 bytes, everything inline, so that the run loop reads no other array.
struct NameEntry {
  Key128 key;
  uint64_t id;
  uint32_t source;  // index into sources (which also names the node)
  uint32_t seq;     // reading order, nodes in order
  NodeId node_id(const std::vector<Source>& src) const { return NodeId{id, src[source].node}; }
};

// The entries ordered by key, then reading order, in a new array (the input is let go). The keys are hashes, so a
// stable counting scatter on their top 16 bits gives 65,536 even buckets of a few entries each,
// each then sorted in cache: a third of std::sort's time at 1M names, with no comparison of
// entries in different buckets.
std::unique_ptr<HugeArray<NameEntry>> sort_by_key(HugeVector<NameEntry> in) {
  auto less = [](const NameEntry& a, const NameEntry& b) {
    if (a.key.hi != b.key.hi) return a.key.hi < b.key.hi;
    if (a.key.lo != b.key.lo) return a.key.lo < b.key.lo;
    return a.seq < b.seq;
  };
  const size_t n = in.size();
  auto sorted = std::make_unique<HugeArray<NameEntry>>(n);
  NameEntry* out = sorted->data();
  constexpr int kBits = 16;
  std::vector<uint32_t> start((size_t(1) << kBits) + 1, 0);
  for (const auto& e : in) ++start[(e.key.hi >> (64 - kBits)) + 1];
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  std::vector<uint32_t> next(start.begin(), start.end() - 1);
  for (const auto& e : in) out[next[e.key.hi >> (64 - kBits)]++] = e;
  for (size_t b = 0; b + 1 < start.size(); ++b) {
    if (start[b + 1] - start[b] > 1) std::sort(out + start[b], out + start[b + 1], less);
  }
  return sorted;
}

Status names_pass(const std::vector<const layout::StorageDir*>& dirs, const std::vector<Source>& sources,
                  const TimeRange& range, size_t max_examples, Names* out) {
  // Every name in scope as (hash, where): sorted by hash, each run is one series; its first
  // entry (node, then reading order) is the series' MetricID, the others repeat it. A flat
  // array grown in place and one sort: no allocation per name.
  HugeVector<NameEntry> all;
  out->node_series.assign(dirs.size(), 0);
  out->node_ids.assign(dirs.size(), 0);
  out->shared_by_node.assign(dirs.size(), 0);
  std::vector<std::unique_ptr<StorageSearch>> open(dirs.size());
  Bytes buf;
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
    open[di] = std::make_unique<StorageSearch>(std::move(ss));
    for (uint32_t si = 0; si < sources.size(); ++si) {
      const Source& s = sources[si];
      if (s.node != di) continue;
      auto& tab = open[di]->tables()[s.table];
      auto take = [&](uint64_t id, ByteView canonical) -> Status {
        if (!in_scope(s, tab, id)) return Status::ok();
        all.push_back(NameEntry{series_key(s.tenant, canonical, buf), id, si, uint32_t(all.size())});
        return Status::ok();
      };
      if (s.scope) {
        VMT_TRY(tab.search->names(s.tenant, s.scope->ids(), take));
      } else {
        VMT_TRY(tab.search->all_names(s.tenant, take));
      }
    }
  }
  const size_t n = all.size();
  const auto sorted_names = sort_by_key(std::move(all));
  const NameEntry* sorted = sorted_names->data();
  std::vector<uint64_t> series_by_source(sources.size());
  std::vector<const NameEntry*> repeats;
  std::vector<std::pair<const NameEntry*, uint64_t>> shared;  // a series on several nodes: first entry, nodes
  for (size_t i = 0; i < n;) {
    size_t j = i;
    uint64_t nodes = 0;
    const NodeId first = sorted[i].node_id(sources);
    ++out->series;
    ++series_by_source[sorted[i].source];
    for (; j < n && sorted[j].key == sorted[i].key; ++j) {
      const NodeId e = sorted[j].node_id(sources);
      // The same item in another part (parts not merged yet) adds nothing.
      bool again = false;
      for (size_t k = i; k < j && !again; ++k) again = sorted[k].node_id(sources) == e;
      if (again) continue;
      ++out->node_ids[e.node];
      nodes |= uint64_t(1) << e.node;
      if (j != i) {
        out->repeat_of.emplace(e, first);
        repeats.push_back(&sorted[j]);
      }
    }
    for (size_t di = 0; di < dirs.size(); ++di) {
      if (nodes >> di & 1) {
        ++out->node_series[di];
        if (__builtin_popcountll(nodes) > 1) ++out->shared_by_node[di];
      }
    }
    if (__builtin_popcountll(nodes) > 1) {
      ++out->on_several_nodes;
      if (shared.size() < max_examples) shared.emplace_back(&sorted[i], nodes);
    }
    i = j;
  }
  for (size_t si = 0; si < sources.size(); ++si) {
    if (series_by_source[si]) out->by_tenant[sources[si].tenant.to_string()] += series_by_source[si];
  }
  // The labels of each repeat, to subtract from the rows' counts: the only names decoded.
  for (const NameEntry* e : repeats) {
    const Source& s = sources[e->source];
    auto& tab = open[s.node]->tables()[s.table];
    const metric::Tenancy tenancy = open[s.node]->tenancy();
    VMT_TRY(tab.search->names(s.tenant, {e->id}, [&](uint64_t, ByteView canonical) -> Status {
      VMT_ASSIGN_OR_RETURN(auto mn, metric::MetricName::decode_canonical(canonical, tenancy));
      if (!mn.metric_group.empty()) ++out->repeated_pairs[{"__name__", mn.metric_group}];
      for (const auto& t : mn.tags) ++out->repeated_pairs[{t.key, t.value}];
      return Status::ok();
    }));
  }
  for (const auto& entry : shared) {
    const auto* e = entry.first;
    const auto nodes = entry.second;   // a copy: lambdas may not capture structured bindings (C++17/clang)
    const Source& s = sources[e->source];
    auto& tab = open[s.node]->tables()[s.table];
    const metric::Tenancy tenancy = open[s.node]->tenancy();
    VMT_TRY(tab.search->names(s.tenant, {e->id}, [&](uint64_t, ByteView canonical) -> Status {
      SharedSeries ex;
      ex.tenant = s.tenant;
      VMT_ASSIGN_OR_RETURN(ex.name, metric::MetricName::decode_canonical(canonical, tenancy));
      for (size_t di = 0; di < dirs.size(); ++di) {
        if (nodes >> di & 1) ex.nodes.push_back(di);
      }
      out->shared_examples.push_back(std::move(ex));
      return Status::ok();
    }));
  }
  return Status::ok();
}

Status rows_pass(const std::vector<const layout::StorageDir*>& dirs, const std::vector<Source>& sources,
                 const TimeRange& range, const std::optional<uint64_t>& date, Rows* out) {
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
    for (const auto& s : sources) {
      if (s.node != di) continue;
      auto& tab = ss.tables()[s.table];
      Bytes base;
      indexdb::tenant_prefix(base, date ? indexdb::kNsDateTagToMetricIDs : indexdb::kNsTagToMetricIDs,
                             ss.tenancy(), s.tenant.account_id, s.tenant.project_id);
      if (date) put_u64(base, *date);
      // The day's own rows need no scope: they are the day's.
      const bool use_scope = s.scope && !date;
      const bool plain = !use_scope && tab.deleted->empty() && !(tab.deleted_own && !tab.deleted_own->empty());
      PairKey last;
      uint64_t* counter = nullptr;
      VMT_TRY(tab.search->for_each_tag_row(base, std::nullopt, [&](const TableSearch::TagRowView& row) -> Result<TableSearch::Next> {
        uint64_t n = 0;
        if (plain) {
          n = row.id_count();
        } else {
          for (size_t i = 0; i < row.id_count(); ++i) {
            uint64_t id = row.id(i);
            n += (!use_scope || s.scope->contains(id)) && !tab.is_deleted(id);
          }
        }
        if (n == 0) return TableSearch::Next::kRow;
        if (!counter || last.value != row.value || last.label != (row.key.empty() ? ByteView("__name__") : row.key)) {
          last.label.assign(row.key.empty() ? ByteView("__name__") : row.key);
          last.value.assign(row.value);
          counter = &out->pairs[last];
        }
        *counter += n;
        return TableSearch::Next::kRow;
      }));
    }
  }
  return Status::ok();
}

std::vector<NameCount> to_list(const std::map<std::string, uint64_t>& m) {
  std::vector<NameCount> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) out.push_back({k, v});
  return out;
}

}  // namespace

std::vector<NameCount> top_n(std::vector<NameCount> all, size_t n) {
  auto by_count = [](const NameCount& a, const NameCount& b) {
    return a.value != b.value ? a.value > b.value : a.name < b.name;
  };
  if (all.size() > n) {
    std::partial_sort(all.begin(), all.begin() + ptrdiff_t(n), all.end(), by_count);
    all.resize(n);
  } else {
    std::sort(all.begin(), all.end(), by_count);
  }
  return all;
}

namespace {

// The sources and their scopes: every table and tenant of every directory; the MetricIDs the
// selectors pick (on the day or range, through the index), or those of the range's days.
Result<std::vector<Source>> status_sources(const std::vector<const layout::StorageDir*>& dirs, const StatusQuery& q,
                                           const TimeRange& range) {
  std::vector<Source> sources;
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    auto st = [&]() -> Status {
      VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
      VMT_ASSIGN_OR_RETURN(auto tenants, ss.tenants(q.tenant));
      for (size_t ti = 0; ti < ss.tables().size(); ++ti) {
        auto& tab = ss.tables()[ti];
        for (const auto& t : tenants) {
          Source s{di, ti, t, nullptr};
          if (!q.match.empty()) {
            VMT_ASSIGN_OR_RETURN(auto ids, tab.search->search(q.match, t, range, /*check_time_range=*/false));
            s.scope = std::make_shared<IdSet>(std::move(ids));
          } else if (!range.whole()) {
            VMT_ASSIGN_OR_RETURN(auto days, tab.search->dates(t));
            std::vector<uint64_t> ids;
            for (uint64_t d : days) {
              if (d < range.min_date() || d > range.max_date()) continue;
              VMT_ASSIGN_OR_RETURN(auto on_day, tab.search->ids_on_date(t, d));
              ids = unite_ids(ids, on_day);
            }
            s.scope = std::make_shared<IdSet>(std::move(ids));
          }
          if (s.scope && s.scope->size() == 0) continue;
          sources.push_back(std::move(s));
        }
      }
      return Status::ok();
    }();
    if (!st.is_ok()) return std::move(st).with_context(dirs[di]->root);
  }

  return sources;
}

// The report from the passes: tag-row counts less the repeats the names pass found, folded by
// label, value and metric name; the series and nodes from the names pass.
Status fold_counts(const std::vector<const layout::StorageDir*>& dirs, const StatusQuery& q, Names& names, Rows& rows,
                   TsdbStatus& out) {
  for (const auto& [pair, n] : names.repeated_pairs) {
    auto it = rows.pairs.find(pair);
    if (it == rows.pairs.end() || it->second < n) {
      return corruption("the index's tag rows hold fewer MetricIDs of " + pair.label + "=" + pair.value +
                        " than its MetricID->MetricName items name: the index is inconsistent (tsdb-inspect verify)");
    }
    it->second -= n;
  }
  std::map<std::string, uint64_t> by_label, values_by_label, by_name, by_focus;
  std::vector<NameCount> pairs;
  for (const auto& [p, n] : rows.pairs) {
    if (n == 0) continue;
    out.total_label_value_pairs += n;
    by_label[p.label] += n;
    ++values_by_label[p.label];
    if (p.label == "__name__") by_name[p.value] += n;
    if (!q.focus_label.empty() && p.label == q.focus_label) by_focus[p.value] += n;
    pairs.push_back({p.label + "=" + p.value, n});
  }
  out.total_series = names.series;
  for (size_t di = 0; di < dirs.size(); ++di) {
    out.nodes.push_back(NodeCount{dirs[di]->root, names.node_series[di], names.node_ids[di], names.shared_by_node[di]});
    out.total_metric_ids += names.node_ids[di];
  }
  out.series_on_several_nodes = names.on_several_nodes;
  out.shared_examples = std::move(names.shared_examples);
  out.series_count_by_metric_name = top_n(to_list(by_name), q.top_n);
  out.series_count_by_label_name = top_n(to_list(by_label), q.top_n);
  out.series_count_by_focus_label_value = top_n(to_list(by_focus), q.top_n);
  out.series_count_by_label_value_pair = top_n(std::move(pairs), q.top_n);
  out.label_value_count_by_label_name = top_n(to_list(values_by_label), q.top_n);
  out.series_count_by_tenant = top_n(to_list(names.by_tenant), SIZE_MAX);
  return Status::ok();
}

}  // namespace

Result<TsdbStatus> tsdb_status(const std::vector<const layout::StorageDir*>& dirs, const StatusQuery& q) {
  if (dirs.size() > 64) return invalid_argument("at most 64 directories at once; got " + std::to_string(dirs.size()));
  TimeRange range = q.range;
  if (q.date) {
    range.start_ms = int64_t(*q.date * kMsPerDay);
    range.end_ms = int64_t((*q.date + 1) * kMsPerDay);
  }
  VMT_ASSIGN_OR_RETURN(const std::vector<Source> sources, status_sources(dirs, q, range));

  TsdbStatus out;
  Names names;
  Rows rows;
  Status rows_st;
  // The rows of the day itself when a day is asked without selectors (as the server reads them);
  // otherwise the global rows, narrowed by the scope.
  std::optional<uint64_t> rows_date = q.date && q.match.empty() ? q.date : std::nullopt;
  // Two cores: the names then the first half of the days on one, the rows then the second half
  // on the other. The days are counted before the repeats are known and counted again with them
  // in the rare case there are any.
  std::vector<uint64_t> days;
  if (!q.date) {
    VMT_ASSIGN_OR_RETURN(days, report_days(dirs, sources, range));
  }
  const size_t half = days.size() / 2;
  const RepeatMap no_repeats;
  DaySweep first_half, second_half;
  std::thread rows_thread([&] {
    rows_st = rows_pass(dirs, sources, range, rows_date, &rows);
    if (rows_st.is_ok()) rows_st = sweep_days(dirs, sources, range, no_repeats, days, half, days.size(), &second_half);
  });
  Status names_st = names_pass(dirs, sources, range, q.top_n, &names);
  if (names_st.is_ok() && names.repeat_of.empty()) {
    names_st = sweep_days(dirs, sources, range, no_repeats, days, 0, half, &first_half);
  }
  rows_thread.join();
  VMT_TRY(names_st);
  VMT_TRY(rows_st);
  if (!names.repeat_of.empty()) {
    first_half = DaySweep();
    second_half = DaySweep();
    VMT_TRY(sweep_days(dirs, sources, range, names.repeat_of, days, 0, half, &first_half));
    VMT_TRY(sweep_days(dirs, sources, range, names.repeat_of, days, half, days.size(), &second_half));
  }
  out.days = combine_days(days, first_half, second_half);

  VMT_TRY(fold_counts(dirs, q, names, rows, out));
  return out;
}

}  // namespace vmt::query
