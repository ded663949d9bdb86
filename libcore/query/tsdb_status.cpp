#include "query/tsdb_status.h"

#include <algorithm>
#include <map>
#include <thread>
#include <unordered_map>

#include "indexdb/item.h"
#include "metric/metric_name.h"
#include "query/series_days.h"
#include "query/status_sources.h"

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
// The names pass is status_names.cpp.

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
      const bool plain = !use_scope && !tab.any_deleted();
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

// The sources: every table and tenant of every directory, with the MetricIDs the selectors pick
// (on the day or range, through the index) as their scope.
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
            if (ids.empty()) continue;
            s.scope = std::make_shared<IdSet>(std::move(ids));
          }
          sources.push_back(std::move(s));
        }
      }
      return Status::ok();
    }();
    if (!st.is_ok()) return std::move(st).with_context(dirs[di]->root);
  }
  return sources;
}

// A range without selectors: each source's scope is the MetricIDs of the range's days (ns 5);
// sources with none are dropped.
Status add_day_scopes(const std::vector<const layout::StorageDir*>& dirs, const TimeRange& range,
                      std::vector<Source>& sources) {
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    auto st = [&]() -> Status {
      VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
      for (auto& s : sources) {
        if (s.node != di) continue;
        auto& tab = ss.tables()[s.table];
        VMT_ASSIGN_OR_RETURN(auto days, tab.search->dates(s.tenant));
        std::vector<uint64_t> ids;
        HugeVector<uint64_t> on_day;
        for (uint64_t d : days) {
          if (d < range.min_date() || d > range.max_date()) continue;
          VMT_TRY(tab.search->ids_on_date(s.tenant, d, on_day));
          ids = unite_ids(ids, {on_day.begin(), on_day.end()});
        }
        s.scope = std::make_shared<IdSet>(std::move(ids));
      }
      return Status::ok();
    }();
    if (!st.is_ok()) return std::move(st).with_context(dirs[di]->root);
  }
  sources.erase(std::remove_if(sources.begin(), sources.end(), [](const Source& s) { return s.scope->size() == 0; }),
                sources.end());
  return Status::ok();
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
  VMT_ASSIGN_OR_RETURN(std::vector<Source> sources, status_sources(dirs, q, range));
  // The rows of the day itself when a day is asked without selectors (as the server reads them);
  // otherwise the global rows, narrowed by the scope.
  std::optional<uint64_t> rows_date = q.date && q.match.empty() ? q.date : std::nullopt;
  // A range without selectors is scoped by its days' MetricIDs. The rows of a day need no scope:
  // then only the names pass does, and finds it on its own core while the rows are walked.
  const bool day_scopes = q.match.empty() && !range.whole();
  const bool names_only_scopes = day_scopes && rows_date;
  if (day_scopes && !names_only_scopes) VMT_TRY(add_day_scopes(dirs, range, sources));
  std::vector<Source> name_sources = sources;

  TsdbStatus out;
  Names names;
  Rows rows;
  Status rows_st;
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
  Status names_st = names_only_scopes ? add_day_scopes(dirs, range, name_sources) : Status::ok();
  if (names_st.is_ok()) names_st = names_pass(dirs, name_sources, range, q.top_n, &names);
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
