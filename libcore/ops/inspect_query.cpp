// tsdb-inspect series, labels, label-values and analyze: the server's /api/v1/series,
// /api/v1/labels, /api/v1/label/N/values and /api/v1/status/tsdb, answered from the index of one
// or more directories (the nodes of one cluster). The models are in libcore/query; this file
// opens the directories and renders: series as the server's `data` elements, one JSON object a
// line; names and values one a line (--json: the server's `data` array); analyze as a text report
// or the server's JSON object with our own fields beside it.
#include <algorithm>
#include <memory>

#include "base/json_string.h"
#include "base/worker_pool.h"
#include "metric/metric_name.h"
#include "ops/format.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "ops/render.h"
#include "query/series_query.h"
#include "query/tsdb_status.h"

namespace vmt::ops {

namespace {

struct OpenDirs {
  std::vector<layout::StorageDir> dirs;
  std::vector<const layout::StorageDir*> ptrs;
  metric::Tenancy tenancy = metric::Tenancy::kCluster;
};

Result<OpenDirs> open_dirs(const std::vector<std::string>& paths, const InspectCommon& c) {
  OpenDirs o;
  o.dirs.reserve(paths.size());
  for (const auto& p : paths) {
    VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(p, c.target_ptr()));
    if (!o.dirs.empty() && sd.flavour.tenancy != o.dirs.front().flavour.tenancy) {
      return invalid_argument(p + " is " + metric::tenancy_name(sd.flavour.tenancy) + " storage, " + o.dirs.front().root +
                              " is " + metric::tenancy_name(o.dirs.front().flavour.tenancy) + ": one query reads one kind");
    }
    o.dirs.push_back(std::move(sd));
  }
  for (const auto& d : o.dirs) o.ptrs.push_back(&d);
  if (!o.dirs.empty()) o.tenancy = o.dirs.front().flavour.tenancy;
  return o;
}

query::SeriesQuery series_query(const QueryOptions& qo) {
  query::SeriesQuery q;
  q.match = qo.match;
  q.range = qo.range;
  q.tenant = qo.tenant;
  return q;
}

Status render_strings(const std::vector<std::string>& v, const InspectCommon& c, Output& out) {
  if (c.json) {
    out.buf() += "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out.buf() += ",";
      append_json_string(out.buf(), v[i]);
    }
    out.buf() += "]\n";
  } else {
    for (const auto& s : v) {
      out.buf() += printable(s);
      out.buf() += "\n";
      VMT_TRY(out.maybe_flush());
    }
  }
  return out.flush();
}

}  // namespace

Result<std::vector<query::Selector>> parse_selectors(const std::vector<std::string>& texts) {
  std::vector<query::Selector> out;
  for (const auto& t : texts) {
    VMT_ASSIGN_OR_RETURN(auto s, query::parse_selector(t));
    out.push_back(std::move(s));
  }
  return out;
}

Status inspect_series(const std::vector<std::string>& dirs, const QueryOptions& qo, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(OpenDirs o, open_dirs(dirs, c));
  VMT_ASSIGN_OR_RETURN(auto series, query::find_series(o.ptrs, series_query(qo), qo.mem_limit_bytes));
  // Every tenant at once (cluster, no --tenant): each series says whose it is, with the labels the
  // server's multitenant queries add.
  const bool tenant_labels = o.tenancy == metric::Tenancy::kCluster && !qo.tenant;
  using query::FoundSeries;
  auto render = [&](const ByteView* keys, size_t n, Bytes& b) -> Status {
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        for (size_t at = 0; at < keys[i + kAhead].size(); at += 64) __builtin_prefetch(keys[i + kAhead].data() + at);
      }
      b.push_back('{');
      VMT_TRY(append_labels_json(b, FoundSeries::canonical_of(keys[i]), o.tenancy));
      if (tenant_labels) {
        const metric::Tenant t = FoundSeries::tenant_of(keys[i]);
        if (b.back() != '{') b.push_back(',');
        b += "\"vm_account_id\":\"" + std::to_string(t.account_id) + "\",\"vm_project_id\":\"" +
             std::to_string(t.project_id) + "\"";
      }
      b += "}\n";
    }
    return Status::ok();
  };
  // Batches rendered in two halves on two cores (one pool for the whole list), written in order.
  constexpr size_t kBatch = 1 << 16;
  WorkerPool pool(1);
  Bytes second;
  VMT_TRY(series.for_each_batch(kBatch, [&](const std::vector<ByteView>& keys) -> Status {
    const size_t mid = keys.size() / 2;
    second.clear();
    Status st[2];
    pool.run(2, [&](size_t k) {
      st[k] = k == 0 ? render(keys.data(), mid, out.buf()) : render(keys.data() + mid, keys.size() - mid, second);
    });
    VMT_TRY(st[0]);
    VMT_TRY(st[1]);
    return out.write(second);
  }));
  return out.flush();
}

Status inspect_labels(const std::vector<std::string>& dirs, const QueryOptions& qo, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(OpenDirs o, open_dirs(dirs, c));
  query::SeriesQuery q = series_query(qo);
  VMT_ASSIGN_OR_RETURN(auto names, query::label_names(o.ptrs, q));
  return render_strings(names, c, out);
}

Status inspect_label_values(const std::string& label, const std::vector<std::string>& dirs, const QueryOptions& qo,
                            const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(OpenDirs o, open_dirs(dirs, c));
  VMT_ASSIGN_OR_RETURN(auto values, query::label_values(o.ptrs, series_query(qo), label));
  return render_strings(values, c, out);
}

namespace {

nlohmann::ordered_json metric_json(const metric::MetricName& mn) {
  nlohmann::ordered_json m = nlohmann::ordered_json::object();
  if (!mn.metric_group.empty()) m["__name__"] = mn.metric_group;
  for (const auto& t : mn.tags) m[t.key] = t.value;
  return m;
}

// name{label="value",...} as Prometheus prints a series.
std::string prom_name(const metric::MetricName& mn) {
  Bytes out(mn.metric_group);
  out += "{";
  for (size_t i = 0; i < mn.tags.size(); ++i) {
    if (i) out += ",";
    out += mn.tags[i].key;
    out += "=";
    append_prom_label_value(out, mn.tags[i].value);
  }
  out += "}";
  return out;
}

nlohmann::ordered_json counts_json(const std::vector<query::NameCount>& v) {
  auto a = nlohmann::ordered_json::array();
  for (const auto& e : v) a.push_back({{"name", e.name}, {"value", e.value}});
  return a;
}

void counts_text(Bytes& out, const std::string& title, const std::string& what, const std::vector<query::NameCount>& v) {
  if (v.empty()) return;
  out += "\n" + title + "\n";
  Table t({what, "series"});
  for (const auto& e : v) t.add({printable(e.name), std::to_string(e.value)});
  t.render(out);
}

}  // namespace

Status inspect_analyze(const std::vector<std::string>& dirs, const AnalyzeOptions& ao, const InspectCommon& c, Output& out) {
  VMT_ASSIGN_OR_RETURN(OpenDirs o, open_dirs(dirs, c));
  query::StatusQuery q;
  q.match = ao.query.match;
  q.range = ao.query.range;
  q.tenant = ao.query.tenant;
  q.date = ao.date;
  q.top_n = ao.top_n;
  q.focus_label = ao.focus_label;
  VMT_ASSIGN_OR_RETURN(query::TsdbStatus st, query::tsdb_status(o.ptrs, q));
  if (c.json) {
    nlohmann::ordered_json j;
    j["totalSeries"] = st.total_series;
    j["totalLabelValuePairs"] = st.total_label_value_pairs;
    j["seriesCountByMetricName"] = counts_json(st.series_count_by_metric_name);
    j["seriesCountByLabelName"] = counts_json(st.series_count_by_label_name);
    j["seriesCountByFocusLabelValue"] = counts_json(st.series_count_by_focus_label_value);
    j["seriesCountByLabelValuePair"] = counts_json(st.series_count_by_label_value_pair);
    j["labelValueCountByLabelName"] = counts_json(st.label_value_count_by_label_name);
    j["totalMetricIDs"] = st.total_metric_ids;
    j["seriesCountByTenant"] = counts_json(st.series_count_by_tenant);
    auto days = nlohmann::ordered_json::array();
    for (const auto& d : st.days) {
      days.push_back({{"date", format_date(d.date)}, {"series", d.series}, {"firstSeen", d.first_seen}, {"lastSeen", d.last_seen}});
    }
    j["seriesCountByDay"] = days;
    if (ao.per_node) {
      auto nodes = nlohmann::ordered_json::array();
      for (const auto& n : st.nodes) {
        nodes.push_back({{"dir", n.dir}, {"series", n.series}, {"metricIDs", n.metric_ids}, {"sharedSeries", n.shared_series}});
      }
      j["nodes"] = nodes;
      j["seriesOnSeveralNodes"] = st.series_on_several_nodes;
      auto shared = nlohmann::ordered_json::array();
      for (const auto& s : st.shared_examples) {
        nlohmann::ordered_json dirs_of = nlohmann::ordered_json::array();
        for (size_t di : s.nodes) dirs_of.push_back(st.nodes[di].dir);
        shared.push_back({{"tenant", s.tenant.to_string()}, {"metric", metric_json(s.name)}, {"dirs", dirs_of}});
      }
      j["seriesOnSeveralNodesExamples"] = shared;
    }
    append_json_line(out.buf(), j);
    return out.flush();
  }
  Bytes& b = out.buf();
  b += "series: " + std::to_string(st.total_series) + " (MetricIDs: " + std::to_string(st.total_metric_ids) +
       ", label=value pairs: " + std::to_string(st.total_label_value_pairs) + ")";
  if (ao.date) b += " on " + format_date(*ao.date);
  b += "\n";
  counts_text(b, "Top metric names by series", "metric name", st.series_count_by_metric_name);
  counts_text(b, "Top label names by series", "label", st.series_count_by_label_name);
  if (!ao.focus_label.empty()) counts_text(b, "Top values of " + ao.focus_label + " by series", "value", st.series_count_by_focus_label_value);
  counts_text(b, "Top label=value pairs by series", "pair", st.series_count_by_label_value_pair);
  if (!st.label_value_count_by_label_name.empty()) {
    b += "\nTop label names by distinct values\n";
    Table t({"label", "values"});
    for (const auto& e : st.label_value_count_by_label_name) t.add({printable(e.name), std::to_string(e.value)});
    t.render(b);
  }
  if (st.series_count_by_tenant.size() > 1) counts_text(b, "Series by tenant", "tenant", st.series_count_by_tenant);
  if (!st.days.empty()) {
    b += "\nSeries by day (first seen / last seen: series whose first / last day in the report this is)\n";
    Table t({"date", "series", "first seen", "last seen"});
    for (const auto& d : st.days) {
      t.add({format_date(d.date), std::to_string(d.series), std::to_string(d.first_seen), std::to_string(d.last_seen)});
    }
    t.render(b);
  }
  if (ao.per_node) {
    b += "\nSeries by node (" + std::to_string(st.series_on_several_nodes) + " series on more than one node)\n";
    Table t({"#", "directory", "series", "MetricIDs", "also elsewhere"});
    for (size_t di = 0; di < st.nodes.size(); ++di) {
      const auto& n = st.nodes[di];
      t.add({std::to_string(di), n.dir, std::to_string(n.series), std::to_string(n.metric_ids), std::to_string(n.shared_series)});
    }
    t.render(b);
    if (!st.shared_examples.empty()) {
      b += "\nSeries on more than one node (" + std::to_string(st.shared_examples.size()) + " of " +
           std::to_string(st.series_on_several_nodes) + ")\n";
      Table s({"tenant", "series", "directories"});
      for (const auto& e : st.shared_examples) {
        std::string where;
        for (size_t di : e.nodes) where += (where.empty() ? "" : ",") + std::to_string(di);
        s.add({e.tenant.to_string(), printable(prom_name(e.name)), where});
      }
      s.render(b);
    }
  }
  return out.flush();
}

}  // namespace vmt::ops
