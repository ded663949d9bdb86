// The command line of tsdb-merge: its options, their checks, and the call into the operation.
// tools/tsdb-merge/main.cpp calls merge_main; man/tsdb-merge.1 documents every option.
#include "ops/cli.h"

#include <CLI/CLI.hpp>

#include "ops/args.h"
#include "ops/import_args.h"
#include "ops/merge.h"
#include "ops/tool.h"

namespace vmt::ops {

int merge_main(int argc, char** argv) {
  CLI::App app{"tsdb-merge: merge the parts of a stopped VictoriaMetrics data directory (vmstorage or single-node; "
               "v1.93, v1.136, v1.148) as the server would, offline and crash-safe"};
  app.set_version_flag("--version", "tsdb-merge (vmtsdb-tools) 0.1");
  MergeOptions opt;
  bool force = false, final_merge = false;
  std::string dedup = "0", retention, max_disk, target;
  unsigned jobs = 0;
  app.add_option("DIR", opt.dir, "the vmstorage -storageDataPath (vmstorage must not be running)")->required();
  app.add_option("--target", target, kTargetHelp)->type_name("VERSION");
  auto* f = app.add_flag("--force", force, "merge all parts of each partition, as /internal/force_merge does");
  app.add_option("--partition", opt.partition, "only partitions whose name starts with this, e.g. 2023_11 or 2023")
      ->type_name("YYYY_MM");
  auto* fin = app.add_flag("--final", final_merge, "the server's hourly final dedup: force-merge every partition but "
                           "the current month whose parts were written with a smaller dedup interval");
  f->excludes(fin);
  app.add_option("--dedup-interval", dedup, "vmstorage -dedup.minScrapeInterval: keep one sample per interval and "
                 "series in every block written (default 0 = off)")->type_name("D");
  app.add_option("--retention", retention, "vmstorage -retentionPeriod: drop parts, blocks and merged rows older "
                 "than now-D; a bare number is months of 31 days (default: keep everything)")->type_name("D");
  app.add_flag("--indexdb", opt.indexdb, "also merge the parts of each indexdb table (mergeset policy, tag-row "
               "merge callback)");
  app.add_flag("--dry-run", opt.dry_run, "print the plan (partition, input parts, output small/big, estimated "
               "size) and change nothing");
  app.add_flag("--json", opt.json, "JSON lines instead of text");
  app.add_flag("-q,--quiet", opt.quiet, "print nothing on stdout (no steps, no summary); warnings and errors still go "
               "to stderr, and the exit status says how it went");
  app.add_option("--remove-unlisted", opt.remove_unlisted, "delete this directory that no parts.json lists (in "
                 "any partition or index table; repeatable); tsdb-merge never deletes one otherwise")
      ->type_name("NAME");
  app.add_flag("--skip-damaged", opt.skip_damaged, "merge the sound parts and leave damaged ones listed and "
               "untouched (default: refuse to merge a partition or table with a damaged part)");
  std::string tenant;
  app.add_option("--delete", opt.delete_selectors, "delete the series this selector matches, for real: marked "
                 "deleted in the index as the delete API marks them, their rows and index entries removed from "
                 "every part that holds them (repeatable, OR-ed; only those parts are rewritten unless --force or "
                 "--final)")->type_name("SELECTOR");
  app.add_option("--tenant", tenant, "--delete within this tenant only, accountID[:projectID] (cluster; default: "
                 "every tenant)")->type_name("A[:P]");
  app.add_option("--retention-filter", opt.retention_filters, "the server's enterprise -retentionFilter: rows of "
                 "the series SELECTOR matches older than now-DURATION are dropped; a series matched by several "
                 "filters keeps the shortest (repeatable, or a comma list)")->type_name("SELECTOR:DURATION");
  app.add_option("--downsample", opt.downsample, "the server's enterprise -downsampling.period: rows older than "
                 "now-OFFSET keep one sample per INTERVAL, chosen as dedup chooses; without SELECTOR for every "
                 "series; the first filter matching a series applies (repeatable, or a comma list: 30d:5m,180d:1h)")
      ->type_name("[SELECTOR:]OFFSET:INTERVAL");
  std::string now;
  app.add_option("--now", now, "evaluate --retention, --retention-filter and --downsample ages at this time "
                 "instead of the wall clock (RFC3339, YYYY-MM-DD, unix seconds)")->type_name("TIME");
  app.add_option("--max-disk", max_disk, "use this many free bytes for every disk-space rule instead of the real "
                 "free space (e.g. 50GB, 20GiB)")->type_name("BYTES");
  app.add_option("--jobs", jobs, "partitions and tables merged in parallel (default: the number of CPUs)")
      ->check(CLI::Range(1u, 1024u))->type_name("N");

  return run_tool("tsdb-merge", app, argc, argv, [&](int* exit_code) -> Status {
    opt.mode = force ? MergeMode::kForce : final_merge ? MergeMode::kFinal : MergeMode::kPolicy;
    const bool rules = !opt.retention_filters.empty() || !opt.downsample.empty();
    if ((!opt.delete_selectors.empty() || rules) && !force && !final_merge) opt.mode = MergeMode::kRewrite;
    if (!now.empty()) {
      VMT_ASSIGN_OR_RETURN(opt.now_ms, parse_time_ms(now));
    }
    if (!tenant.empty()) {
      if (opt.delete_selectors.empty()) return invalid_argument("--tenant narrows --delete; give --delete too");
      VMT_ASSIGN_OR_RETURN(opt.tenant, parse_tenant(tenant));
    }
    VMT_ASSIGN_OR_RETURN(opt.dedup_interval_ms, parse_duration_ms(dedup == "0" ? "0ms" : dedup, false));
    if (opt.dedup_interval_ms < 0) return invalid_argument("--dedup-interval must not be negative");
    if (final_merge && opt.dedup_interval_ms <= 0) {
      return invalid_argument("--final needs --dedup-interval: the server runs final dedup merges only with "
                              "-dedup.minScrapeInterval > 0");
    }
    if (!retention.empty()) {
      VMT_ASSIGN_OR_RETURN(opt.retention_ms, parse_retention_ms(retention));
    }
    if (!max_disk.empty()) {
      VMT_ASSIGN_OR_RETURN(uint64_t b, parse_byte_size(max_disk));
      opt.max_disk_bytes = b;
    }
    opt.jobs = jobs;
    VMT_ASSIGN_OR_RETURN(opt.target, parse_target_flag(target));
    return run_merge_tool(opt, exit_code);
  }, {{"-storageDataPath", ""}, {"-retentionPeriod", "--retention"}, {"-dedup.minScrapeInterval", "--dedup-interval"}});
}

}  // namespace vmt::ops
