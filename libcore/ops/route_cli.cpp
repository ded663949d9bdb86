// The command line of tsdb-route: its options, their checks, and the call into the operation.
// tools/tsdb-route/main.cpp calls route_main; man/tsdb-route.1 documents every option.
#include "ops/cli.h"

#include <CLI/CLI.hpp>

#include <malloc.h>

#include "ops/args.h"
#include "ops/import_args.h"
#include "ops/inspect.h"
#include "ops/render.h"
#include "ops/tool.h"
#include "route/node_hash.h"
#include "route/route_stats.h"
#include "route/router.h"
#include "reshard/reshard.h"

namespace vmt::ops {

namespace {

// The option values of one run (CLI11 writes them), and the options whose presence matters.
struct RouteArgs {
  std::vector<std::string> storage_nodes, unavailable, extra_labels, inputs;
  std::string tenant = "0:0", out_dir, format = "prom", label_order = "as-is", target;
  bool stats = false, json = false, multilevel = false, sort_labels = false, strict = false, force = false;
  size_t replication_factor = 1, max_labels = 30, max_value_len = 16384;
  unsigned threads = 0;
  int64_t default_timestamp = 0;
  std::string compress = "none";
  std::vector<std::string> from_storage, match;
  std::string mem_limit = "256MiB", dedup = "0";
  CLI::Option *o_out = nullptr, *o_stats = nullptr, *o_max_labels = nullptr, *o_max_value = nullptr;
  CLI::Option *o_match = nullptr, *o_mem = nullptr, *o_dedup = nullptr;
};

void add_options(CLI::App& app, RouteArgs& a) {
  app.add_option("--storage-node", a.storage_nodes, "vmstorage addresses exactly as in vminsert's -storageNode, in its order "
                 "(comma-separated, repeatable)")
      ->required()->allow_extra_args(false)->type_name("ADDR[,ADDR...]");
  app.add_option("--target", a.target, "the cluster release whose vminsert to follow: v1.93.7-cluster (default), "
                 "v1.136-cluster, v1.148-cluster; single-node has no vminsert and is refused")->type_name("VERSION");
  app.add_option("--tenant", a.tenant, "accountID[:projectID] of the rows, as in /insert/<tenant>/ (default 0:0)")->type_name("A[:P]");
  a.o_out = app.add_option("--out-dir", a.out_dir, "write one file per node into DIR (created if missing)")->type_name("DIR");
  app.add_option("--format", a.format, "output format with --out-dir: prom (Prometheus text) or wire (vminsert->vmstorage stream)")
      ->check(CLI::IsMember({"prom", "wire"}));
  app.add_option("--compress", a.compress, "with --out-dir: write each node's file compressed, gzip (.gz) or zstd "
                 "(.zst); tsdb-import and vminsert read both (default none)")
      ->check(CLI::IsMember({"none", "gzip", "zstd"}))->type_name("none|gzip|zstd");
  app.add_flag("--force", a.force, "with --out-dir: remove the node-* files of an earlier run there first (a non-empty "
               "directory is refused otherwise)");
  a.o_stats = app.add_flag("--stats", a.stats, "write no files: report rows and series per node and the skew on stdout");
  app.add_flag("--json", a.json, "with --stats or --from-storage: the report as one JSON object on stdout");
  app.add_flag("--multilevel", a.multilevel, "hash like a second-level vminsert (-clusternativeListenAddr set): seed 0xABCDEF0123456789");
  app.add_flag("--sort-labels", a.sort_labels, "sort labels by name before hashing, as vminsert -sortLabels");
  app.add_option("--label-order", a.label_order, "as-is: labels in input order (text import, vmagent); sorted: by name with "
                 "__name__ among them (Prometheus remote write)")->check(CLI::IsMember({"as-is", "sorted"}));
  app.add_option("--replication-factor", a.replication_factor, "copies per row, as vminsert -replicationFactor (default 1)")->type_name("N");
  app.add_option("--unavailable", a.unavailable, "a --storage-node address that is down: its rows are rerouted as vminsert does (repeatable)")
      ->allow_extra_args(false)->type_name("ADDR");
  app.add_option("--extra-label", a.extra_labels, "append NAME=VALUE to every row, as the extra_label query arg (repeatable)")
      ->allow_extra_args(false)->type_name("NAME=VALUE");
  a.o_max_labels = app.add_option("--max-labels-per-timeseries", a.max_labels,
      "vminsert -maxLabelsPerTimeseries (default 30; 40 for v1.136+ targets)")->type_name("N");
  a.o_max_value = app.add_option("--max-label-value-len", a.max_value_len,
      "vminsert -maxLabelValueLen (default 16384; 4096 for v1.136+ targets)")->type_name("N");
  app.add_option("--default-timestamp", a.default_timestamp, "with --format wire: milliseconds for rows without a timestamp "
                 "(default: the start of the run)")->type_name("MS");
  app.add_flag("--strict", a.strict, "stop at the first bad line (exit 1) instead of skipping it");
  app.add_option("--threads", a.threads, "worker threads (default 0 = one per CPU)")->type_name("N");
  app.add_option("FILE", a.inputs, "Prometheus text input, plain, gzip or zstd (default and \"-\": stdin)");
  app.add_option("--from-storage", a.from_storage, "instead of text: the storage directories of the cluster's stopped "
                 "vmstorage nodes (repeatable); writes one complete storage directory per --storage-node under "
                 "--out-dir, blocks copied unchanged")->allow_extra_args(false)->type_name("DIR");
  a.o_match = app.add_option("--match", a.match, "with --from-storage: move only the series matching this selector "
                 "(repeatable, OR-ed like match[])")->allow_extra_args(false)->type_name("SELECTOR");
  a.o_mem = app.add_option("--mem-limit", a.mem_limit, "with --from-storage: memory for index items before they are "
                 "sorted in runs on disk (default 256MiB)")->type_name("SIZE");
  a.o_dedup = app.add_option("--dedup-interval", a.dedup, "with --from-storage: vmstorage -dedup.minScrapeInterval: "
                 "blocks are merged as the server's merge with it does, one sample kept per interval (1ms drops "
                 "the copies of sources written with -replicationFactor > 1; default 0: blocks copied unchanged)")
                 ->type_name("DURATION");
  a.o_out->excludes(a.o_stats);
}

// --from-storage: whole storage directories moved to the new node list (reshard/reshard.h).
Status run_from_storage(CLI::App& app, const RouteArgs& a, const std::optional<layout::Flavour>& flavour) {
  // Text-only options have no meaning for stored series: refused rather than ignored.
  for (const char* name : {"--stats", "--format", "--compress", "--unavailable", "--extra-label", "--strict",
                           "--default-timestamp", "--max-labels-per-timeseries", "--max-label-value-len"}) {
    if (app.get_option(name)->count() > 0) return invalid_argument(std::string(name) + " applies to text input, not --from-storage");
  }
  if (!a.inputs.empty()) return invalid_argument("give either FILEs of text or --from-storage DIRs, not both");
  if (a.out_dir.empty()) return invalid_argument("--from-storage needs --out-dir DIR (one storage directory per node is written there)");
  if (flavour && !flavour->cluster()) return invalid_argument("--target " + a.target + " is a single-node release: it has no storage nodes");
  reshard::ReshardOptions ro;
  ro.sources = a.from_storage;
  VMT_ASSIGN_OR_RETURN(ro.placement.nodes, route::parse_storage_nodes(a.storage_nodes));
  ro.placement.multilevel = a.multilevel;
  ro.placement.replication_factor = a.replication_factor;
  ro.placement.sorted_ring = flavour && flavour->per_partition_index();
  ro.order = a.label_order == "sorted" ? route::LabelOrder::sorted : route::LabelOrder::as_is;
  ro.sort_labels = a.sort_labels;
  VMT_ASSIGN_OR_RETURN(ro.match, parse_selectors(a.match));
  if (app.get_option("--tenant")->count() > 0) {
    VMT_ASSIGN_OR_RETURN(Tenant t, parse_tenant(a.tenant));
    ro.tenant = std::make_pair(t.account_id, t.project_id);
  }
  ro.target = flavour ? &*flavour : nullptr;
  ro.out_dir = a.out_dir;
  ro.force = a.force;
  VMT_ASSIGN_OR_RETURN(ro.mem_limit_bytes, parse_mem_limit(a.mem_limit, 1u << 20));
  VMT_ASSIGN_OR_RETURN(ro.dedup_interval_ms, parse_duration_ms(a.dedup == "0" ? "0ms" : a.dedup, false));
  if (ro.dedup_interval_ms < 0) return invalid_argument("--dedup-interval must not be negative");
  ro.threads = a.threads;
  // The index parts of each node allocate and free large item arrays one after another: keep
  // freed memory in the heap instead of returning it to the kernel and faulting it in again
  // (a quarter of the run's time otherwise). RSS stays what the largest node needs.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 30);
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
  ::mallopt(M_TOP_PAD, 64 << 20);
  // SIGINT/SIGTERM: stop between blocks; OUT is not created (the temporary tree is removed).
  ro.stop = stop_on_signals();
  Progress progress("tsdb-route");
  ro.on_progress = [&](uint64_t done, uint64_t jobs) {
    progress.update(std::to_string(done) + " of " + std::to_string(jobs) + " node partitions copied",
                    jobs ? double(done) / double(jobs) : -1);
  };
  reshard::ReshardReport rep;
  Status st = reshard::run_reshard(ro, &rep);
  progress.done();
  VMT_TRY(st);
  std::string text;
  if (a.json) {
    reshard::render_summary_json(rep, a.out_dir, text);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? Status::ok() : io_error("cannot write stdout");
  }
  reshard::render_summary(rep, a.out_dir, text);
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    log_line(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return Status::ok();
}

// The routing of text rows as the options ask: nodes, tenant, labels and limits (with v1.136+
// vminsert's defaults for those targets), output.
Result<route::RouteOptions> text_options(const RouteArgs& a, const std::optional<layout::Flavour>& flavour) {
  route::RouteOptions opt;
  VMT_ASSIGN_OR_RETURN(opt.placement.nodes, route::parse_storage_nodes(a.storage_nodes));
  for (const auto& u : a.unavailable) {
    for (auto& a : route::split_array_flag(u)) opt.placement.unavailable.push_back(a);
  }
  opt.placement.multilevel = a.multilevel;
  opt.placement.replication_factor = a.replication_factor;
  VMT_ASSIGN_OR_RETURN(Tenant t, parse_tenant(a.tenant));
  opt.key.account_id = t.account_id;
  opt.key.project_id = t.project_id;
  for (const auto& e : a.extra_labels) {
    VMT_ASSIGN_OR_RETURN(auto kv, metric::parse_extra_label(e));
    opt.key.extra_labels.push_back(std::move(kv));
  }
  opt.key.order = a.label_order == "sorted" ? route::LabelOrder::sorted : route::LabelOrder::as_is;
  opt.key.sort_labels = a.sort_labels;
  opt.key.limits.max_labels = a.max_labels;
  opt.key.limits.max_value_len = a.max_value_len;
  if (flavour && flavour->per_partition_index()) {
    // vminsert v1.136/v1.148: -storageNode sorted, new limit defaults, series over a limit
    // dropped (lib/timeserieslimits) rather than cut.
    opt.placement.sorted_ring = true;
    opt.key.drop_over_limits = true;
    if (a.o_max_labels->count() == 0) opt.key.limits.max_labels = 40;
    if (a.o_max_value->count() == 0) opt.key.limits.max_value_len = 4096;
  }
  opt.format = a.format == "wire" ? route::OutputFormat::wire : route::OutputFormat::prom;
  opt.out_dir = a.out_dir;
  opt.clear_out_dir = a.force;
  VMT_ASSIGN_OR_RETURN(opt.compress, parse_compression(a.compress));
  if (opt.compress != Compression::kNone && a.out_dir.empty()) return invalid_argument("--compress needs --out-dir");
  opt.count_series = a.stats;
  opt.strict = a.strict;
  opt.threads = a.threads;
  opt.default_timestamp_ms = a.default_timestamp;
  return opt;
}

// Text rows: split per node as vminsert splits them (route/router.h), or counted with --stats.
Status run_text(const RouteArgs& a, const std::optional<layout::Flavour>& flavour) {
  if (a.o_match->count() > 0 || a.o_mem->count() > 0 || a.o_dedup->count() > 0) {
    return invalid_argument("--match, --mem-limit and --dedup-interval apply to --from-storage");
  }
  if (flavour && !flavour->cluster()) {
    return invalid_argument("--target " + a.target + " is a single-node release: it has no vminsert and no storage nodes; "
                            "import into it with tsdb-import directly");
  }
  if (!a.stats && a.out_dir.empty()) return invalid_argument("give --out-dir DIR (write per-node files) or --stats (report only)");
  if (a.json && !a.stats) return invalid_argument("--json needs --stats (or --from-storage)");
  VMT_ASSIGN_OR_RETURN(route::RouteOptions opt, text_options(a, flavour));

  Progress progress("tsdb-route");
  route::RouteHooks hooks;
  hooks.warn = [&](const std::string& msg) {
    progress.done();
    log_line(printable_capped(msg, 600));  // bad-line messages quote the input: escaped and capped
  };
  const uint64_t total_bytes = input_total_bytes(a.inputs);
  hooks.progress = [&](uint64_t rows, uint64_t bytes) {
    if (total_bytes > 0) {
      progress.update(progress_mib(bytes) + " of " + progress_mib(total_bytes) + " read, " + std::to_string(rows) + " rows",
                      double(bytes) / double(total_bytes));
    } else {
      progress.update(progress_mib(bytes) + " read, " + std::to_string(rows) + " rows");
    }
  };
  VMT_ASSIGN_OR_RETURN(route::RouteReport rep, route::route_inputs(opt, a.inputs, hooks));
  progress.done();
  if (rep.bad_lines > opt.max_reported_bad_lines) {
    log_line(std::to_string(rep.bad_lines - opt.max_reported_bad_lines) + " more bad lines not shown");
  }
  if (a.stats) {
    Output out;
    VMT_TRY(out.open("-"));
    if (a.json) {
      route::render_stats_json(rep, out.buf());
    } else {
      route::render_stats_text(rep, out.buf());
    }
    VMT_TRY(out.close());
    if (rep.rows == 0 && rep.bad_lines > 0) return corruption("nothing was routed: every line with a sample was bad");
    return Status::ok();
  }
  Bytes summary;
  route::render_summary(rep, summary);
  for (size_t pos = 0; pos < summary.size();) {
    size_t nl = summary.find('\n', pos);
    log_line(summary.substr(pos, nl - pos));
    pos = nl + 1;
  }
  // As tsdb-import: input that holds lines but not one good row is a job not done (exit 1).
  if (rep.rows == 0 && rep.bad_lines > 0) return corruption("nothing was routed: every line with a sample was bad");
  return Status::ok();
}

}  // namespace

int route_main(int argc, char** argv) {
  CLI::App app{"tsdb-route: split Prometheus text rows per vmstorage node exactly as vminsert v1.93.7-cluster does"};
  app.set_version_flag("--version", "tsdb-route (vmtsdb-tools) 0.1");
  RouteArgs a;
  add_options(app, a);
  return run_tool("tsdb-route", app, argc, argv, [&](int*) -> Status {
    VMT_ASSIGN_OR_RETURN(auto flavour, parse_target_flag(a.target));
    return a.from_storage.empty() ? run_text(a, flavour) : run_from_storage(app, a, flavour);
  }, {{"-storageNode", "--storage-node"}, {"-replicationFactor", "--replication-factor"},
        {"-dedup.minScrapeInterval", "--dedup-interval"},
        {"-maxLabelsPerTimeseries", "--max-labels-per-timeseries"}, {"-maxLabelValueLen", "--max-label-value-len"}});
}

}  // namespace vmt::ops
