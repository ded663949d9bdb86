// The command line of tsdb-inspect: its options, their checks, and the call into the operation.
// tools/tsdb-inspect/main.cpp calls inspect_main; man/tsdb-inspect.1 documents every option.
#include "ops/cli.h"

#include <CLI/CLI.hpp>

#include "indexdb/item.h"
#include "ops/import_args.h"
#include "ops/inspect.h"

namespace vmt::ops {

namespace {

// The option values of one run (CLI11 writes them) and the subcommands.
struct InspectArgs {
  std::string output = "-";
  InspectCommon common;
  std::string dir;
  CLI::App *parts = nullptr, *metaindex = nullptr, *blocks = nullptr, *index = nullptr, *dates = nullptr;
  CLI::App *exp = nullptr, *verify = nullptr, *series = nullptr, *labels = nullptr, *label_values = nullptr;
  CLI::App* analyze = nullptr;
  bool rows = false;
  std::string ns, tenant, date, start, end, target;
  bool all_gens = false, ids = false;
  ExportOptions eo;
  std::vector<std::string> dirs, match;
  std::string label, analyze_date, mem_limit = "256MiB";
  AnalyzeOptions ao;
};

void add_subcommands(CLI::App& app, InspectArgs& a) {
  a.parts = app.add_subcommand("parts", "partitions, parts and indexdb generations of DIR");
  a.metaindex = app.add_subcommand("metaindex", "metaindex rows of one part directory");
  a.blocks = app.add_subcommand("blocks", "block headers (and rows with --rows) of one part directory");
  a.index = app.add_subcommand("index", "indexdb items decoded per namespace");
  a.dates = app.add_subcommand("dates", "Date->MetricID keys (namespace 5): MetricIDs per day and tenant");
  a.exp = app.add_subcommand("export", "samples joined with their metric names, as /api/v1/export prints them");
  a.verify = app.add_subcommand("verify", "check every structure and cross-reference; exit 1 on any problem");
  a.series = app.add_subcommand("series", "series matching --match, one JSON object a line, as /api/v1/series");
  a.labels = app.add_subcommand("labels", "label names of the series matching --match, as /api/v1/labels");
  a.label_values = app.add_subcommand("label-values", "values of one label, as /api/v1/label/NAME/values");
  a.analyze = app.add_subcommand("analyze", "exact cardinality report, as /api/v1/status/tsdb: each series counted once");
}

void add_options(InspectArgs& a) {
  for (auto* sc : {a.series, a.labels, a.label_values, a.analyze}) {
    if (sc == a.label_values) sc->add_option("NAME", a.label, "the label name (__name__ for metric names)")->required();
    sc->add_option("DIR", a.dirs, "vmstorage -storageDataPath directories: the nodes of one cluster, or one directory")->required();
    sc->add_option("-o,--output", a.output, "write to FILE instead of stdout (- = stdout)");
    sc->add_option("--target", a.target, kTargetHelp)->type_name("VERSION");
    if (sc != a.series) sc->add_flag("--json", a.common.json, sc == a.analyze ? "one JSON object with the server's field names"
                                                                        : "the server's data array instead of one a line");
    sc->add_option("--match", a.match, "series selector, e.g. 'up{job=~\"node.*\"}' (repeatable, OR-ed like match[])")
        ->allow_extra_args(false)->type_name("SELECTOR");
    sc->add_option("--start", a.start, "first timestamp: RFC3339, YYYY-MM-DD, unix seconds or <N>ms (day-granular, as the server)");
    sc->add_option("--end", a.end, "last timestamp, same forms");
    sc->add_option("--tenant", a.tenant, "only this tenant, accountID[:projectID] (default: every tenant)");
  }
  a.series->add_option("--mem-limit", a.mem_limit, "memory for the found series before sorted runs of them go to "
                       "$TMPDIR (default 256MiB)")->type_name("SIZE");
  a.analyze->add_option("--date", a.analyze_date, "only series with samples on this UTC day, YYYY-MM-DD (the server's date)");
  a.analyze->add_option("--top", a.ao.top_n, "entries per list (default 10)")->check(CLI::Range(1, 1000000));
  a.analyze->add_option("--focus-label", a.ao.focus_label, "also count the series of each value of this label");
  a.analyze->add_flag("--per-node", a.ao.per_node, "series per directory, and how many are on more than one");
  for (auto* sc : {a.parts, a.metaindex, a.blocks, a.index, a.dates, a.exp, a.verify}) {
    sc->add_option("DIR", a.dir, sc == a.metaindex || sc == a.blocks ? "a part directory (data or indexdb)"
                                                               : "a vmstorage -storageDataPath")->required();
    sc->add_option("-o,--output", a.output, "write to FILE instead of stdout (- = stdout)");
    sc->add_option("--target", a.target, kTargetHelp)->type_name("VERSION");
    if (sc != a.exp) sc->add_flag("--json", a.common.json, "JSON lines instead of a text table");
  }
  a.verify->add_flag("--strict", a.common.strict, "warnings (bytes the server never reads) count as problems");
  a.blocks->add_flag("--rows", a.rows, "also print each block's rows (data parts) or items (indexdb parts)");
  a.index->add_option("--ns", a.ns, "only this namespace: 0-7 or its name (see the man page)");
  a.index->add_option("--tenant", a.tenant, "only this tenant, accountID[:projectID]");
  a.index->add_option("--date", a.date, "only per-day items of this UTC day, YYYY-MM-DD");
  a.index->add_flag("--all-generations", a.all_gens, "also the next and stale generations (default: curr and prev)");
  a.dates->add_option("--tenant", a.tenant, "only this tenant, accountID[:projectID]");
  a.dates->add_flag("--ids", a.ids, "list the MetricIDs of each day, not only their count");
  a.exp->add_option("--tenant", a.tenant, "only this tenant, accountID[:projectID] (default: every tenant)");
  a.exp->add_option("--format", a.eo.format, "jsonl (as /api/v1/export) or prom (exposition, ms timestamps)")
      ->check(CLI::IsMember({"jsonl", "prom"}));
  a.exp->add_option("--match", a.match, "only series matching this selector (repeatable, OR-ed like match[])")
      ->allow_extra_args(false)->type_name("SELECTOR");
  a.exp->add_option("--start", a.start, "first timestamp: RFC3339, YYYY-MM-DD, unix seconds or <N>ms");
  a.exp->add_option("--end", a.end, "last timestamp (inclusive), same forms");
  a.exp->add_flag("--skip-damaged", a.eo.skip_damaged, "leave out each part that does not read through cleanly (named on stderr) and export the rest; exit 1");
}

Result<IndexFilter> index_filter(const InspectArgs& a, const std::optional<Tenant>& t) {
  IndexFilter f;
  f.tenant = t;
  f.all_generations = a.all_gens;
  if (!a.ns.empty()) {
    uint8_t n;
    if (!indexdb::parse_ns(a.ns, &n)) {
      std::string names;
      for (uint8_t k = 0; k <= 7; ++k) names += std::string(k ? ", " : "") + std::to_string(k) + " " + indexdb::ns_name(k);
      return invalid_argument("unknown namespace \"" + a.ns + "\": want one of " + names);
    }
    f.ns = n;
  }
  if (!a.date.empty()) {
    VMT_ASSIGN_OR_RETURN(uint64_t d, parse_date(a.date));
    f.date = d;
  }
  return f;
}

Status run_export(InspectArgs& a, const std::optional<Tenant>& t, const std::vector<query::Selector>& selectors, Output& out,
                  int* exit_code) {
  a.eo.tenant = t;
  a.eo.match = selectors;
  if (!a.start.empty()) { VMT_ASSIGN_OR_RETURN(a.eo.start_ms, parse_time_ms(a.start)); }
  if (!a.end.empty()) { VMT_ASSIGN_OR_RETURN(a.eo.end_ms, parse_time_ms(a.end)); }
  ExportStats stats;
  Status st = inspect_export(a.dir, a.eo, out, &stats);
  if (st.is_ok() && stats.damaged_parts > 0) {
    log_line(std::to_string(stats.damaged_parts) + " damaged parts were skipped (--skip-damaged)");
    *exit_code = kExitData;
  }
  return st;
}

// The subcommand that was given, run with its options.
Status run(InspectArgs& a, int* exit_code) {
  Output out;
  VMT_TRY(out.open(a.output));
  std::optional<Tenant> t;
  if (!a.tenant.empty()) {
    VMT_ASSIGN_OR_RETURN(Tenant parsed, parse_tenant(a.tenant));
    t = parsed;
  }
  VMT_ASSIGN_OR_RETURN(a.common.target, parse_target_flag(a.target));
  a.eo.target = a.common.target;
  VMT_ASSIGN_OR_RETURN(auto selectors, parse_selectors(a.match));
  QueryOptions qo;
  qo.match = selectors;
  qo.tenant = t;
  if (!a.start.empty()) { VMT_ASSIGN_OR_RETURN(qo.range.start_ms, parse_time_ms(a.start)); }
  if (!a.end.empty()) { VMT_ASSIGN_OR_RETURN(qo.range.end_ms, parse_time_ms(a.end)); }
  Status st;
  if (a.parts->parsed()) {
    st = inspect_parts(a.dir, a.common, out);
  } else if (a.metaindex->parsed()) {
    st = inspect_metaindex(a.dir, a.common, out);
  } else if (a.blocks->parsed()) {
    st = inspect_blocks(a.dir, a.rows, a.common, out);
  } else if (a.index->parsed()) {
    VMT_ASSIGN_OR_RETURN(IndexFilter f, index_filter(a, t));
    st = inspect_index(a.dir, f, a.common, out);
  } else if (a.dates->parsed()) {
    DatesOptions o;
    o.tenant = t;
    o.ids = a.ids;
    st = inspect_dates(a.dir, o, a.common, out);
  } else if (a.series->parsed()) {
    VMT_ASSIGN_OR_RETURN(qo.mem_limit_bytes, parse_mem_limit(a.mem_limit, 64u << 10));
    st = inspect_series(a.dirs, qo, a.common, out);
  } else if (a.labels->parsed()) {
    st = inspect_labels(a.dirs, qo, a.common, out);
  } else if (a.label_values->parsed()) {
    st = inspect_label_values(a.label, a.dirs, qo, a.common, out);
  } else if (a.analyze->parsed()) {
    a.ao.query = qo;
    if (!a.analyze_date.empty()) {
      VMT_ASSIGN_OR_RETURN(uint64_t d, parse_date(a.analyze_date));
      a.ao.date = d;
    }
    st = inspect_analyze(a.dirs, a.ao, a.common, out);
  } else if (a.exp->parsed()) {
    st = run_export(a, t, selectors, out, exit_code);
  } else if (a.verify->parsed()) {
    st = inspect_verify(a.dir, a.common, out, exit_code);
  }
  Status cst = out.close();
  if (!st.is_ok()) return st;
  return cst;
}

}  // namespace

int inspect_main(int argc, char** argv) {
  CLI::App app{"tsdb-inspect: dump and verify a VictoriaMetrics data directory: vmstorage or single-node, v1.93, v1.136, v1.148 (read-only)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tsdb-inspect (vmtsdb-tools) 0.1");
  InspectArgs a;
  add_subcommands(app, a);
  add_options(a);
  return run_tool("tsdb-inspect", app, argc, argv, [&](int* exit_code) { return run(a, exit_code); },
                  {{"-storageDataPath", ""}});
}

}  // namespace vmt::ops
