// The command line of tsdb-inspect: its options, their checks, and the call into the operation.
// tools/tsdb-inspect/main.cpp calls inspect_main; man/tsdb-inspect.1 documents every option.
#include "ops/cli.h"

#include <CLI/CLI.hpp>

#include "indexdb/item.h"
#include "ops/inspect.h"

namespace vmt::ops {

int inspect_main(int argc, char** argv) {
  CLI::App app{"tsdb-inspect: dump and verify a VictoriaMetrics data directory: vmstorage or single-node, v1.93, v1.136, v1.148 (read-only)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tsdb-inspect (vmtsdb-tools) 0.1");
  std::string output = "-";
  InspectCommon common;

  std::string dir;
  auto* parts = app.add_subcommand("parts", "partitions, parts and indexdb generations of DIR");
  auto* metaindex = app.add_subcommand("metaindex", "metaindex rows of one part directory");
  auto* blocks = app.add_subcommand("blocks", "block headers (and rows with --rows) of one part directory");
  auto* index = app.add_subcommand("index", "indexdb items decoded per namespace");
  auto* dates = app.add_subcommand("dates", "Date->MetricID keys (namespace 5): MetricIDs per day and tenant");
  auto* exp = app.add_subcommand("export", "samples joined with their metric names, as /api/v1/export prints them");
  auto* verify = app.add_subcommand("verify", "check every structure and cross-reference; exit 1 on any problem");
  auto* series = app.add_subcommand("series", "series matching --match, one JSON object a line, as /api/v1/series");
  auto* labels = app.add_subcommand("labels", "label names of the series matching --match, as /api/v1/labels");
  auto* label_values = app.add_subcommand("label-values", "values of one label, as /api/v1/label/NAME/values");
  auto* analyze = app.add_subcommand("analyze", "exact cardinality report, as /api/v1/status/tsdb: each series counted once");

  bool rows = false;
  std::string ns, tenant, date, start, end, target;
  bool all_gens = false, ids = false;
  ExportOptions eo;
  std::vector<std::string> dirs, match;
  std::string label, analyze_date;
  AnalyzeOptions ao;
  for (auto* sc : {series, labels, label_values, analyze}) {
    if (sc == label_values) sc->add_option("NAME", label, "the label name (__name__ for metric names)")->required();
    sc->add_option("DIR", dirs, "vmstorage -storageDataPath directories: the nodes of one cluster, or one directory")->required();
    sc->add_option("-o,--output", output, "write to FILE instead of stdout (- = stdout)");
    sc->add_option("--target", target, kTargetHelp)->type_name("VERSION");
    if (sc != series) sc->add_flag("--json", common.json, sc == analyze ? "one JSON object with the server's field names"
                                                                        : "the server's data array instead of one a line");
    sc->add_option("--match", match, "series selector, e.g. 'up{job=~\"node.*\"}' (repeatable, OR-ed like match[])")
        ->allow_extra_args(false)->type_name("SELECTOR");
    sc->add_option("--start", start, "first timestamp: RFC3339, YYYY-MM-DD, unix seconds or <N>ms (day-granular, as the server)");
    sc->add_option("--end", end, "last timestamp, same forms");
    sc->add_option("--tenant", tenant, "only this tenant, accountID[:projectID] (default: every tenant)");
  }
  analyze->add_option("--date", analyze_date, "only series with samples on this UTC day, YYYY-MM-DD (the server's date)");
  analyze->add_option("--top", ao.top_n, "entries per list (default 10)")->check(CLI::Range(1, 1000000));
  analyze->add_option("--focus-label", ao.focus_label, "also count the series of each value of this label");
  analyze->add_flag("--per-node", ao.per_node, "series per directory, and how many are on more than one");
  for (auto* sc : {parts, metaindex, blocks, index, dates, exp, verify}) {
    sc->add_option("DIR", dir, sc == metaindex || sc == blocks ? "a part directory (data or indexdb)"
                                                               : "a vmstorage -storageDataPath")->required();
    sc->add_option("-o,--output", output, "write to FILE instead of stdout (- = stdout)");
    sc->add_option("--target", target, kTargetHelp)->type_name("VERSION");
    if (sc != exp) sc->add_flag("--json", common.json, "JSON lines instead of a text table");
  }
  verify->add_flag("--strict", common.strict, "warnings (bytes the server never reads) count as problems");
  blocks->add_flag("--rows", rows, "also print each block's rows (data parts) or items (indexdb parts)");
  index->add_option("--ns", ns, "only this namespace: 0-7 or its name (see the man page)");
  index->add_option("--tenant", tenant, "only this tenant, accountID[:projectID]");
  index->add_option("--date", date, "only per-day items of this UTC day, YYYY-MM-DD");
  index->add_flag("--all-generations", all_gens, "also the next and stale generations (default: curr and prev)");
  dates->add_option("--tenant", tenant, "only this tenant, accountID[:projectID]");
  dates->add_flag("--ids", ids, "list the MetricIDs of each day, not only their count");
  exp->add_option("--tenant", tenant, "only this tenant, accountID[:projectID] (default: every tenant)");
  exp->add_option("--format", eo.format, "jsonl (as /api/v1/export) or prom (exposition, ms timestamps)")
      ->check(CLI::IsMember({"jsonl", "prom"}));
  exp->add_option("--match", match, "only series matching this selector (repeatable, OR-ed like match[])")
      ->allow_extra_args(false)->type_name("SELECTOR");
  exp->add_option("--start", start, "first timestamp: RFC3339, YYYY-MM-DD, unix seconds or <N>ms");
  exp->add_option("--end", end, "last timestamp (inclusive), same forms");
  exp->add_flag("--skip-damaged", eo.skip_damaged, "leave out each part that does not read through cleanly (named on stderr) and export the rest; exit 1");

  return run_tool("tsdb-inspect", app, argc, argv, [&](int* exit_code) -> Status {
    Output out;
    VMT_TRY(out.open(output));
    std::optional<Tenant> t;
    if (!tenant.empty()) {
      VMT_ASSIGN_OR_RETURN(Tenant parsed, parse_tenant(tenant));
      t = parsed;
    }
    VMT_ASSIGN_OR_RETURN(common.target, parse_target_flag(target));
    eo.target = common.target;
    VMT_ASSIGN_OR_RETURN(auto selectors, parse_selectors(match));
    QueryOptions qo;
    qo.match = selectors;
    qo.tenant = t;
    if (!start.empty()) { VMT_ASSIGN_OR_RETURN(qo.range.start_ms, parse_time_ms(start)); }
    if (!end.empty()) { VMT_ASSIGN_OR_RETURN(qo.range.end_ms, parse_time_ms(end)); }
    Status st;
    if (parts->parsed()) {
      st = inspect_parts(dir, common, out);
    } else if (metaindex->parsed()) {
      st = inspect_metaindex(dir, common, out);
    } else if (blocks->parsed()) {
      st = inspect_blocks(dir, rows, common, out);
    } else if (index->parsed()) {
      IndexFilter f;
      f.tenant = t;
      f.all_generations = all_gens;
      if (!ns.empty()) {
        uint8_t n;
        if (!indexdb::parse_ns(ns, &n)) {
          std::string names;
          for (uint8_t k = 0; k <= 7; ++k) names += std::string(k ? ", " : "") + std::to_string(k) + " " + indexdb::ns_name(k);
          return invalid_argument("unknown namespace \"" + ns + "\": want one of " + names);
        }
        f.ns = n;
      }
      if (!date.empty()) {
        VMT_ASSIGN_OR_RETURN(uint64_t d, parse_date(date));
        f.date = d;
      }
      st = inspect_index(dir, f, common, out);
    } else if (dates->parsed()) {
      DatesOptions o;
      o.tenant = t;
      o.ids = ids;
      st = inspect_dates(dir, o, common, out);
    } else if (series->parsed()) {
      st = inspect_series(dirs, qo, common, out);
    } else if (labels->parsed()) {
      st = inspect_labels(dirs, qo, common, out);
    } else if (label_values->parsed()) {
      st = inspect_label_values(label, dirs, qo, common, out);
    } else if (analyze->parsed()) {
      ao.query = qo;
      if (!analyze_date.empty()) {
        VMT_ASSIGN_OR_RETURN(uint64_t d, parse_date(analyze_date));
        ao.date = d;
      }
      st = inspect_analyze(dirs, ao, common, out);
    } else if (exp->parsed()) {
      eo.tenant = t;
      eo.match = selectors;
      if (!start.empty()) { VMT_ASSIGN_OR_RETURN(eo.start_ms, parse_time_ms(start)); }
      if (!end.empty()) { VMT_ASSIGN_OR_RETURN(eo.end_ms, parse_time_ms(end)); }
      ExportStats stats;
      st = inspect_export(dir, eo, out, &stats);
      if (st.is_ok() && stats.damaged_parts > 0) {
        log_line(std::to_string(stats.damaged_parts) + " damaged parts were skipped (--skip-damaged)");
        *exit_code = kExitData;
      }
    } else if (verify->parsed()) {
      st = inspect_verify(dir, common, out, exit_code);
    }
    Status cst = out.close();
    if (!st.is_ok()) return st;
    return cst;
  }, {{"-storageDataPath", ""}});
}

}  // namespace vmt::ops
