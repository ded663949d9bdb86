// tsdb-merge: the run (lock, deleted MetricIDs, partitions and tables in parallel, progress,
// summary). The file steps of the merge transaction are merge_files.cpp. See merge.h.
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <thread>

#include "base/clock.h"
#include "base/fs.h"
#include "base/hex.h"
#include "indexdb/item.h"
#include "layout/pending_parts.h"
#include "mergeset/part_reader.h"
#include "ops/merge_internal.h"
#include "ops/render.h"

namespace vmt::ops {


using namespace merge_detail;

namespace {

// --delete, --retention-filter and --downsampling: rules first parsed (usage errors before
// anything is read), series deleted, then the rules resolved (deleted series need none); each
// reported before the merges.
Status prepare_rewrites(const MergeOptions& opt, const layout::StorageDir& sd, Env& env, Output& out) {
  VMT_ASSIGN_OR_RETURN(env.retention_filters, parse_retention_filters(opt.retention_filters, opt.retention_ms));
  VMT_ASSIGN_OR_RETURN(env.downsample_groups, parse_downsampling(opt.downsample));
  if (!opt.delete_selectors.empty()) {
    DeleteReport deleted;
    env.purge = true;
    VMT_TRY(mark_deleted(env, sd, &deleted));
    render_delete(out.buf(), deleted, opt.json, opt.dry_run);
    VMT_TRY(out.maybe_flush());
  }
  if (env.retention_filters.empty() && env.downsample_groups.empty()) return Status::ok();
  RulesReport rr;
  VMT_TRY(resolve_series_rules(env, sd, &rr));
  std::vector<std::pair<std::string, uint64_t>> f, g;
  for (size_t i = 0; i < rr.filters.size(); ++i) f.emplace_back(env.retention_filters[i].text, rr.filters[i]);
  for (size_t i = 0; i < rr.groups.size(); ++i) {
    const auto& grp = env.downsample_groups[i];
    std::string text = grp.filter_text.empty() ? "(every series)" : grp.filter_text;
    std::string lv;
    for (const auto& l : grp.rule_levels) {
      lv += (lv.empty() ? "" : ",") + std::to_string(l.offset_ms) + "ms:" + std::to_string(l.interval_ms) + "ms";
    }
    g.emplace_back(text + " " + (lv.empty() ? "not downsampled" : lv), rr.groups[i]);
  }
  render_rules(out.buf(), f, g, opt.json);
  return out.maybe_flush();
}

using Task = std::function<TableResult()>;

// The work: partitions (name-prefix filter), then indexdb tables. With --delete the tables wait
// for the partitions (a second phase): a kill between them leaves index entries without rows (the
// next run removes them), never rows whose series the index no longer names.
std::vector<std::vector<Task>> plan_phases(const MergeOptions& opt, const layout::StorageDir& sd, Env& env) {
  std::vector<Task> data_tasks, table_tasks;
  for (const auto& p : sd.partitions) {
    if (!p.name.starts_with(opt.partition.c_str())) continue;
    data_tasks.push_back([&env, &p] { return run_partition(env, p); });
  }
  if (opt.indexdb || env.purge) {
    for (const auto* g : sd.all_tables()) table_tasks.push_back([&env, g] { return run_table(env, *g); });
  }
  if (env.purge) return {std::move(data_tasks), std::move(table_tasks)};
  data_tasks.insert(data_tasks.end(), table_tasks.begin(), table_tasks.end());
  return {std::move(data_tasks)};
}

// Each phase's tasks on --jobs threads (default: one per CPU), progress on stderr; a phase after a
// failed one of a --delete run is not started.
std::vector<TableResult> run_phases(const MergeOptions& opt, Env& env, std::vector<std::vector<Task>>& phases,
                                    size_t total_tasks) {
  std::vector<TableResult> results;
  size_t started_before = 0;
  for (auto& tasks : phases) {
    if (tasks.empty()) continue;
    if (env.purge && !results.empty()) {
      bool failed = false;
      for (const auto& r : results) failed = failed || !r.status.is_ok();
      if (failed) break;   // the index keeps naming what the data still holds
    }
    std::vector<TableResult> phase_results(tasks.size());
    std::atomic<size_t> next{0}, finished{0};
    const unsigned jobs = std::max(1u, std::min<unsigned>(opt.jobs ? opt.jobs : env.cpus, unsigned(tasks.size())));
    env.background_writer = jobs < env.cpus;
    std::mutex mu;
    std::condition_variable cv;
    unsigned running = jobs;
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < jobs; ++t) {
      threads.emplace_back([&] {
        for (size_t i; (i = next.fetch_add(1)) < tasks.size();) {
          phase_results[i] = tasks[i]();
          finished.fetch_add(1);
        }
        std::lock_guard<std::mutex> l(mu);
        --running;
        cv.notify_all();
      });
    }
    {
      Progress progress("tsdb-merge");
      std::unique_lock<std::mutex> l(mu);
      while (!cv.wait_for(l, std::chrono::milliseconds(200), [&] { return running == 0; })) {
        const size_t done = started_before + finished.load();
        progress.update(std::to_string(env.rows_done.load()) + " rows merged, " + std::to_string(done) + " of " +
                            std::to_string(total_tasks) + " partitions and tables done",
                        total_tasks ? double(done) / double(total_tasks) : -1);
      }
    }
    for (auto& t : threads) t.join();
    started_before += tasks.size();
    for (auto& r : phase_results) results.push_back(std::move(r));
  }
  return results;
}

// Every step printed and summed; warnings logged; the first error returned (others logged once).
Status report_results(const MergeOptions& opt, std::vector<TableResult>& results, Output& out, MergeSummary& sum,
                      Status* first_error) {
  for (auto& r : results) {
    for (const auto& w : r.warnings) log_line("warning: " + w);
    sum.skipped += r.skipped;
    sum.damaged += r.damaged;
    if (!r.steps.empty()) ++sum.tables;
    for (const auto& s : r.steps) {
      render_step(out.buf(), s, opt.json, opt.dry_run);
      VMT_TRY(out.maybe_flush());
      (s.action == "drop" ? sum.drops : sum.merges) += 1;
      const bool items = s.output_kind == "indexdb";
      sum.parts_in += s.inputs.size();
      for (const auto& in : s.inputs) {
        (items ? sum.items_in : sum.rows_in) += in.rows;
        sum.bytes_before += in.bytes;
      }
      sum.parts_out += s.output_name.empty() ? 0 : 1;
      (items ? sum.items_out : sum.rows_out) += s.output_rows;
      sum.bytes_after += s.output_bytes;
      sum.dropped_dedup += s.stats.rows_dedup;
      sum.dropped_retention += s.stats.rows_deleted_retention + s.rows_dropped_retention;
      sum.dropped_deleted += s.stats.rows_deleted_series;
      sum.dropped_retention_filter += s.stats.rows_retention_filter;
      sum.dropped_downsampled += s.stats.rows_downsampled;
    }
    if (!r.status.is_ok()) {
      if (first_error->is_ok()) {
        *first_error = r.status;
      } else if (r.status.message() != first_error->message()) {  // "forcibly stopped" once, not per table
        log_line(r.status.message());
      }
    }
  }
  return Status::ok();
}

void render_plan_summary(const MergeOptions& opt, const MergeSummary& sum, size_t total_tasks, Output& out) {
  const size_t steps = sum.merges + sum.drops;
  if (opt.json) {
    nlohmann::ordered_json j;
    j["type"] = "plan_summary";
    j["steps"] = steps;
    j["tables_checked"] = total_tasks;
    append_json_line(out.buf(), j);
  } else if (steps == 0) {
    out.buf() += "plan: nothing to merge in " + std::to_string(total_tasks) + " partitions and tables\n";
  } else {
    out.buf() += "plan: " + std::to_string(steps) + " steps in " + std::to_string(total_tasks) +
                 " partitions and tables\n";
  }
}

}  // namespace

Status run_merge(const MergeOptions& opt, Output& out, MergeSummary* summary, const std::atomic<bool>* stop) {
  const auto t0 = std::chrono::steady_clock::now();
  Env env;
  env.opt = opt;
  env.stop = stop;
  env.now_ms = opt.now_ms != 0 ? opt.now_ms : int64_t(now_ns() / 1000000);
  if (opt.retention_ms) env.retention_deadline_ms = env.now_ms - *opt.retention_ms;
  env.memory_total = fs::memory_total();
  env.cpus = std::max(1u, std::thread::hardware_concurrency());

  if (!opt.delete_selectors.empty() && !opt.partition.empty()) {
    return invalid_argument("--delete applies to the whole directory, as the server's delete API does (a deleted "
                            "MetricID is deleted in every month); it cannot be narrowed with --partition");
  }
  fs::FlockFile lock;
  VMT_TRY(open_for_writing(opt, lock));
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(opt.dir, opt.target ? &*opt.target : nullptr));
  env.flavour = sd.flavour;
  env.sd = &sd;
  VMT_TRY(remove_unlisted_by_name(sd, opt));
  VMT_TRY(load_deleted(sd, env));
  VMT_TRY(prepare_rewrites(opt, sd, env, out));

  auto phases = plan_phases(opt, sd, env);
  size_t total_tasks = 0;
  for (const auto& ph : phases) total_tasks += ph.size();
  std::vector<TableResult> results = run_phases(opt, env, phases, total_tasks);

  MergeSummary sum;
  Status first_error;
  VMT_TRY(report_results(opt, results, out, sum, &first_error));
  if (opt.dry_run) render_plan_summary(opt, sum, total_tasks, out);
  // Every output is listed now; an error leaves the journal for the next run to act on.
  if (!opt.dry_run && first_error.is_ok()) VMT_TRY(layout::remove_pending_parts(opt.dir, nullptr));
  sum.seconds = seconds_since(t0);
  if (!opt.dry_run) render_summary(out.buf(), sum, opt.json);
  VMT_TRY(out.flush());
  if (summary) *summary = sum;
  return first_error;
}

Status run_merge_tool(const MergeOptions& opt, int* exit_code) {
  const std::atomic<bool>* stop = stop_on_signals();
  Output out;
  VMT_TRY(out.open(opt.quiet ? "/dev/null" : "-"));   // -q: the steps and summary are still made, not shown
  MergeSummary sum;
  Status st = run_merge(opt, out, &sum, stop);
  if (st.is_ok() && sum.skipped > 0) *exit_code = kExitEnv;
  if (st.is_ok() && sum.damaged > 0) *exit_code = kExitData;   // merged around damage that is still there
  if (!st.is_ok() && stop->load()) return io_error("interrupted: " + st.message());
  return st;
}

}  // namespace vmt::ops
