// The command line of tsdb-import: its options, their checks, and the call into the operation.
// tools/tsdb-import/main.cpp calls import_main; man/tsdb-import.1 documents every option.
#include "ops/cli.h"

#include <CLI/CLI.hpp>

#include <cstdlib>

#include "ingest/importer.h"
#include "ingest/raw_name.h"
#include "ops/args.h"
#include "ops/import.h"
#include "ops/import_args.h"
#include "ops/inspect.h"
#include "ops/tool.h"

namespace vmt::ops {

namespace {

// The option values of one run (CLI11 writes them).
struct ImportArgs {
  std::string dir, tenant = "0:0", retention = "1", dedup = "0", mem_limit = "256MiB";
  std::string default_ts, metric_id_base, part_name_seed, target;
  std::vector<std::string> inputs, extra_labels;
  unsigned precision_bits = 64;
  size_t max_labels = 30, max_value_len = 16384;
  bool strict = false, dry_run = false, json = false, quiet = false;
  std::string max_bad = "1%";
  std::string format = "prometheus";
  std::string from, start, end;
  std::vector<std::string> match;
  bool exact_values = false;
};

void add_options(CLI::App& app, ImportArgs& a) {
  app.add_option("-s", a.dir, "the vmstorage -storageDataPath to create or append to (vmstorage must not be running)")
      ->required()->type_name("DIR");
  app.add_option("--target", a.target, std::string(kTargetHelp) + "; a new DIR is v1.93.7-cluster unless given")
      ->type_name("VERSION");
  app.add_option("--tenant", a.tenant, "accountID[:projectID] of every row, as in /insert/<tenant>/ (default 0:0); \"multitenant\": each row's "
                 "vm_account_id and vm_project_id labels, as /insert/multitenant/ (what export prints for several tenants)")
      ->type_name("A[:P]");
  app.add_option("--extra-label", a.extra_labels, "append NAME=VALUE to every row, as the extra_label query arg (repeatable)")
      ->type_name("NAME=VALUE")->allow_extra_args(false);  // one value per --extra-label; FILEs follow
  app.add_option("--max-labels-per-timeseries", a.max_labels, "vminsert -maxLabelsPerTimeseries: labels past this "
                 "many are dropped, and counted (default 30)")->check(CLI::Range(size_t(1), size_t(65535)))->type_name("N");
  app.add_option("--max-label-value-len", a.max_value_len, "vminsert -maxLabelValueLen: longer values are cut, and "
                 "counted (default 16384)")->type_name("N");
  app.add_option("--default-timestamp", a.default_ts, "time for lines without a timestamp: ms, unix seconds, RFC3339, as the start of tsdb-inspect export "
                 "(default: now, once per run)")
      ->type_name("MS");
  app.add_option("--retention", a.retention, "vmstorage -retentionPeriod: rows outside [now-retention, now+2d] are "
                 "counted and dropped; a bare number is months of 31 days (default 1)")->type_name("D");
  app.add_option("--dedup-interval", a.dedup, "vmstorage -dedup.minScrapeInterval: keep one sample per interval and "
                 "series (default 0 = off)")->type_name("D");
  app.add_option("--precision-bits", a.precision_bits, "significant bits kept per value, 1..64 (default 64 = lossless)")
      ->check(CLI::Range(1u, 64u))->type_name("N");
  app.add_option("--metric-id-base", a.metric_id_base, "new MetricIDs are N+1, N+2, ... (raised above the largest "
                 "MetricID in DIR; default: the clock in ns, like vmstorage)")->type_name("N");
  app.add_option("--part-name-seed", a.part_name_seed, "new part and generation names are %016X of N+1, N+2, ... "
                 "(default: the clock in ns, like vmstorage)")->type_name("N");
  app.add_option("--mem-limit", a.mem_limit, "memory for buffered samples and series before parts are written early "
                 "(default 256MiB)")->type_name("SIZE");
  app.add_flag("--strict", a.strict, "stop at the first bad line (exit 1, nothing written) instead of skipping it");
  app.add_option("--max-bad-lines", a.max_bad, "N or P%: more bad lines than N, or than P% of the lines (and more than "
                 "100), end the import with nothing written (exit 1) (default 1%)")->type_name("N|P%");
  app.add_flag("--json", a.json, "print the summary as one JSON object on stdout (for jq) instead of text on stderr");
  app.add_flag("-q,--quiet", a.quiet, "no summary; warnings and errors still go to stderr");
  app.add_flag("--dry-run", a.dry_run, "parse and report only; DIR is not touched");
  app.add_option("--format", a.format, "input format: prometheus (exposition text, /api/v1/import/prometheus) or jsonl "
                 "(JSON lines as /api/v1/export writes them, /api/v1/import)")
      ->check(CLI::IsMember({"prometheus", "jsonl"}))->type_name("FORMAT");
  app.add_option("--from", a.from, "read another database instead of FILEs: prometheus (the one argument is a Prometheus "
                 "data directory, a snapshot or one block; Thanos and Mimir blocks are the same)")
      ->check(CLI::IsMember({"prometheus"}))->type_name("SOURCE");
  app.add_option("--match", a.match, "with --from: only series matching this selector (repeatable, OR-ed like match[])")
      ->type_name("SELECTOR")->allow_extra_args(false);
  app.add_option("--start", a.start, "with --from: first timestamp read: RFC3339, YYYY-MM-DD, unix seconds or <N>ms")
      ->type_name("TIME");
  app.add_option("--end", a.end, "with --from: last timestamp read (inclusive), same forms")->type_name("TIME");
  app.add_flag("--exact-values", a.exact_values, "store every value as the decimal whose float is exactly it, not by the "
               "server's float-to-decimal conversion, which changes some values in their last digits (always on for jsonl)");
  app.add_option("FILE", a.inputs, "input, plain, gzip or zstd (default and \"-\": stdin); with --from prometheus: the DIR");
}

// --max-bad-lines: "N" or "P%" (P% never trips on 100 bad lines or fewer: small files with a few
// bad lines are fine).
Status parse_max_bad_lines(const std::string& max_bad, ingest::ImportOptions* opt) {
  const bool pct = !max_bad.empty() && max_bad.back() == '%';
  const std::string num = pct ? max_bad.substr(0, max_bad.size() - 1) : max_bad;
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (num.empty() || end != num.c_str() + num.size() || !(v >= 0) || (pct && v > 100) || (!pct && v != double(uint64_t(v)))) {
    return invalid_argument("--max-bad-lines " + max_bad + ": want a number of lines (N) or a share (P%)");
  }
  if (pct) {
    opt->max_bad_percent = v;
    opt->max_bad_lines = 100;
  } else {
    opt->max_bad_lines = uint64_t(v);
  }
  return Status::ok();
}

// What is read: FILEs, or with --from prometheus a Prometheus directory, selected by --match,
// --start and --end.
Status source_options(const ImportArgs& a, ingest::ImportOptions* opt) {
  if (a.from.empty() && (!a.match.empty() || !a.start.empty() || !a.end.empty())) {
    return invalid_argument("--match, --start and --end select what --from reads; text and JSON-lines inputs are imported whole");
  }
  if (!a.from.empty()) {
    if (a.format != "prometheus") return invalid_argument("--from prometheus reads blocks; --format applies to FILE inputs");
    if (a.inputs.size() != 1 || a.inputs[0] == "-") {
      return invalid_argument("--from prometheus takes one directory: a Prometheus data directory, snapshot or block");
    }
    opt->prometheus_dir = a.inputs[0];
    opt->inputs.clear();
    VMT_ASSIGN_OR_RETURN(opt->match, parse_selectors(a.match));
    if (!a.start.empty()) { VMT_ASSIGN_OR_RETURN(opt->start_ms, parse_time_ms(a.start)); }
    if (!a.end.empty()) { VMT_ASSIGN_OR_RETURN(opt->end_ms, parse_time_ms(a.end)); }
    if (opt->start_ms > opt->end_ms) return invalid_argument("--start " + a.start + " is after --end " + a.end);
  }
  return Status::ok();
}

Result<ingest::ImportOptions> import_options(const ImportArgs& a) {
  ingest::ImportOptions opt;
  opt.dir = a.dir;
  opt.multitenant = a.tenant == "multitenant";
  VMT_ASSIGN_OR_RETURN(Tenant t, parse_tenant(opt.multitenant ? std::string("0:0") : a.tenant));
  opt.account_id = t.account_id;
  opt.project_id = t.project_id;
  opt.inputs = a.inputs;
  opt.limits.max_labels = a.max_labels;
  opt.limits.max_value_len = a.max_value_len;
  for (const auto& e : a.extra_labels) {
    VMT_ASSIGN_OR_RETURN(ingest::ExtraLabel l, ingest::parse_extra_label(e));
    opt.extra_labels.push_back(std::move(l));
  }
  if (!a.default_ts.empty()) {  // any time form of --start/--end: "1700000000" is seconds, "1700000000000" ms
    VMT_ASSIGN_OR_RETURN(int64_t v, parse_time_ms(a.default_ts));
    if (v <= 0) return invalid_argument("--default-timestamp " + a.default_ts + " is not after 1970-01-01");
    opt.default_timestamp_ms = v;
  }
  VMT_ASSIGN_OR_RETURN(opt.retention_ms, parse_retention_ms(a.retention));
  VMT_ASSIGN_OR_RETURN(opt.dedup_interval_ms, parse_duration_ms(a.dedup == "0" ? "0ms" : a.dedup, false));
  opt.precision_bits = uint8_t(a.precision_bits);
  if (!a.metric_id_base.empty()) {
    VMT_ASSIGN_OR_RETURN(opt.metric_id_base, parse_uint64(a.metric_id_base, "--metric-id-base"));
  }
  if (!a.part_name_seed.empty()) {
    VMT_ASSIGN_OR_RETURN(opt.part_name_seed, parse_uint64(a.part_name_seed, "--part-name-seed"));
  }
  VMT_ASSIGN_OR_RETURN(opt.mem_limit_bytes, parse_mem_limit(a.mem_limit, 1u << 20));
  opt.strict = a.strict;
  VMT_TRY(parse_max_bad_lines(a.max_bad, &opt));
  opt.json_lines = a.format == "jsonl";
  opt.dry_run = a.dry_run;
  opt.exact_values = a.exact_values;
  VMT_TRY(source_options(a, &opt));
  return opt;
}

}  // namespace

int import_main(int argc, char** argv) {
  CLI::App app{"tsdb-import: build or extend a VictoriaMetrics v1.93 data directory (cluster vmstorage or "
               "single-node) from Prometheus text exposition, offline"};
  app.set_version_flag("--version", "tsdb-import (vmtsdb-tools) 0.1");
  ImportArgs a;
  add_options(app, a);
  return run_tool("tsdb-import", app, argc, argv, [&](int*) -> Status {
    VMT_ASSIGN_OR_RETURN(ingest::ImportOptions opt, import_options(a));
    VMT_ASSIGN_OR_RETURN(auto flavour, parse_target_flag(a.target));
    return run_import_tool(std::move(opt), flavour, a.json, a.quiet);
  }, {{"-storageDataPath", "-s"}, {"-retentionPeriod", "--retention"}, {"-dedup.minScrapeInterval", "--dedup-interval"},
        {"-maxLabelsPerTimeseries", "--max-labels-per-timeseries"}, {"-maxLabelValueLen", "--max-label-value-len"}});
}

}  // namespace vmt::ops
