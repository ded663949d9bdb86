#include "reshard/reshard.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <thread>

#include "base/clock.h"
#include "base/crash_point.h"
#include "base/fs.h"
#include "ingest/commit.h"
#include "ingest/target_dir.h"
#include "reshard/block_copy.h"
#include "reshard/node_out.h"
#include "reshard/series_plan.h"
#include "reshard/source_node.h"
#include "route/router.h"
#include "storage/block_stream_merge.h"

namespace vmt::reshard {

using namespace detail;

namespace {

using Clock = std::chrono::steady_clock;

std::string trim_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : p;
}

// OUT must be new, an empty directory, or (with --force) hold only node-* entries of an earlier run.
Status check_out_dir(const ReshardOptions& opt, const std::string& out, bool* replace) {
  *replace = false;
  if (!fs::exists(out)) return Status::ok();
  if (!fs::is_dir(out)) return invalid_argument("--out-dir " + out + " exists and is not a directory");
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(out));
  if (entries.empty()) return Status::ok();
  if (!opt.force) {
    return invalid_argument("--out-dir " + out + " is not empty: give a new directory, or --force to replace the "
                            "node-* directories of an earlier run");
  }
  for (const auto& e : entries) {
    if (e.name.rfind("node-", 0) != 0) {
      return invalid_argument("--out-dir " + out + " holds " + e.name + ", which no earlier run wrote; refusing to "
                              "replace it even with --force");
    }
  }
  *replace = true;
  return Status::ok();
}

// Sources, each loaded on its own thread; all must be of one flavour (returned).
Status load_sources(const ReshardOptions& opt, std::vector<SourceNode>* sources, layout::Flavour* flavour) {
  sources->resize(opt.sources.size());
  std::vector<Status> st(sources->size());
  std::vector<std::thread> th;
  const uint32_t acc = opt.tenant ? opt.tenant->first : 0, proj = opt.tenant ? opt.tenant->second : 0;
  for (size_t i = 0; i < sources->size(); ++i) {
    th.emplace_back([&, i] {
      st[i] = load_source(opt.sources[i], opt.target, opt.tenant ? &acc : nullptr, opt.tenant ? &proj : nullptr,
                          &(*sources)[i]);
    });
  }
  for (auto& t : th) t.join();
  for (const auto& s : st) VMT_TRY(s);
  *flavour = (*sources)[0].sd.flavour;
  for (const auto& s : *sources) {
    if (!(s.sd.flavour == *flavour)) {
      return invalid_argument(s.dir + " is a " + s.sd.flavour.to_string() + " storage but " + (*sources)[0].dir +
                              " is " + flavour->to_string() + ": reshard nodes of one release line at a time");
    }
  }
  return Status::ok();
}

// A temporary sibling of OUT, removed on every early return (never listed anywhere).
struct TempOut {
  std::string path;
  bool armed = true;
  ~TempOut() {
    if (armed) (void)fs::remove_all(path);
  }
};

// The sources exist, none is OUT, and OUT may be written (*replace: an earlier run's, --force).
Status check_dirs(const ReshardOptions& opt, const std::string& out, bool* replace) {
  if (out.empty()) return invalid_argument("--from-storage needs --out-dir");
  for (const auto& s : opt.sources) {
    if (!fs::exists(s)) return invalid_argument("--from-storage " + s + " does not exist");
    if (real_path(s) == real_path(out)) return invalid_argument("--out-dir " + out + " is a source directory");
  }
  return check_out_dir(opt, out, replace);
}

// One target directory per new node, node-<i>-<addr> under the temporary OUT, and its report.
Status open_nodes(const ReshardOptions& opt, size_t n_targets, const layout::Flavour& flavour, const std::string& tmp,
                  ReshardReport* rep, std::vector<NodeOut>* nodes) {
  nodes->resize(n_targets);
  rep->nodes.resize(n_targets);
  for (size_t t = 0; t < n_targets; ++t) {
    NodeReport& nr = rep->nodes[t];
    nr.addr = opt.placement.nodes[t];
    nr.dir = route::node_base_name(t, nr.addr);
    (*nodes)[t].dir = std::make_unique<ingest::TargetDir>();
    VMT_TRY((*nodes)[t].dir->open(fs::join(tmp, nr.dir), opt.part_name_seed, flavour.tenancy,
                                  flavour.per_partition_index()));
  }
  return Status::ok();
}

// OUT appears whole: fsync the temporary tree's top, move an old OUT away, rename.
Status install_out(const ReshardOptions& opt, TempOut& tmp, const std::string& out, const std::string& parent,
                   bool replace_out) {
  VMT_TRY(fs::fsync_path(tmp.path));
  crash_point("reshard.written");
  if (opt.stop && opt.stop->load()) return io_error(storage::kForciblyStopped);
  if (replace_out) VMT_TRY(fs::remove_all(out));
  VMT_TRY(fs::rename(tmp.path, out));
  crash_point("reshard.renamed");
  tmp.armed = false;
  return fs::fsync_path(parent);
}

}  // namespace

Status run_reshard(const ReshardOptions& opt, ReshardReport* rep) {
  *rep = ReshardReport();
  const auto t_start = Clock::now();
  const unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  if (opt.sources.empty()) return invalid_argument("give the node directories to read with --from-storage");
  const std::string out = trim_slashes(opt.out_dir);
  bool replace_out = false;
  VMT_TRY(check_dirs(opt, out, &replace_out));
  VMT_ASSIGN_OR_RETURN(route::Placement placement, route::Placement::make(opt.placement));  // usage errors first

  auto t_phase = Clock::now();
  std::vector<SourceNode> sources;
  layout::Flavour flavour;
  VMT_TRY(load_sources(opt, &sources, &flavour));
  rep->flavour = flavour.to_string();
  rep->sources = sources.size();
  rep->dedup_interval_ms = opt.dedup_interval_ms;
  // vminsert v1.136+ sorts -storageNode (replicas follow in sorted order): without --target, the
  // sources' layout says which vminsert the new cluster runs.
  if (!opt.target && flavour.per_partition_index() && !opt.placement.sorted_ring) {
    route::PlacementOptions po = opt.placement;
    po.sorted_ring = true;
    VMT_ASSIGN_OR_RETURN(placement, route::Placement::make(po));
  }

  rep->seconds_load = seconds_since(t_phase);
  t_phase = Clock::now();
  SeriesPlan plan;
  PlanOptions po;
  po.placement = &placement;
  po.order = opt.order;
  po.sort_labels = opt.sort_labels;
  po.match = opt.match;
  VMT_TRY(plan_series(sources, po, &plan));
  rep->source_series = plan.source_series;
  rep->skipped_series = plan.skipped_series;
  rep->merged_series = plan.merged_series;
  rep->renumbered_series = plan.renumbered_series;
  rep->seconds_plan = seconds_since(t_phase);
  t_phase = Clock::now();

  // Everything is written under a temporary sibling of OUT and renamed last.
  const std::string parent = fs::dir_name(out).empty() ? "." : fs::dir_name(out);
  VMT_TRY(fs::mkdir_p(parent));
  const std::string tmp = fs::join(parent, "." + fs::base_name(out) + ".tsdb-route-tmp");
  if (fs::exists(tmp)) VMT_TRY(fs::remove_all(tmp));  // an interrupted run's: never listed anywhere
  VMT_TRY(fs::mkdir_p(tmp));
  TempOut cleanup{tmp};

  const size_t n_targets = placement.size();
  std::vector<NodeOut> nodes;
  VMT_TRY(open_nodes(opt, n_targets, flavour, tmp, rep, &nodes));
  std::vector<CopyJob> jobs;
  VMT_TRY(plan_copy_jobs(sources, nodes, rep, &jobs));
  std::vector<CopyResult> results;
  VMT_TRY(run_copy_jobs(jobs, sources, plan, opt, threads, &results));
  rep->seconds_copy = seconds_since(t_phase);
  VMT_ASSIGN_OR_RETURN(auto by_target, collect_parts(jobs, results, nodes, rep));

  for (size_t t = 0; t < n_targets; ++t) {
    note_days(t, sources, plan, by_target[t]);
    NodeReport& nr = rep->nodes[t];
    for (uint32_t id = 0; id < plan.targets[t].size(); ++id) {
      if (plan.targets[t].at(id).origin == ingest::SeriesOrigin::created) ++nr.series;
    }
  }
  t_phase = Clock::now();
  VMT_TRY(write_indexes(nodes, plan, opt, threads, rep));
  rep->seconds_index = seconds_since(t_phase);
  t_phase = Clock::now();
  for (size_t t = 0; t < n_targets; ++t) {
    if (opt.stop && opt.stop->load()) return io_error(storage::kForciblyStopped);
    VMT_TRY(ingest::commit_import(*nodes[t].dir, nodes[t].index, nodes[t].data));
  }
  rep->seconds_commit = seconds_since(t_phase);

  VMT_TRY(install_out(opt, cleanup, out, parent, replace_out));
  rep->seconds = seconds_since(t_start);
  return Status::ok();
}

}  // namespace vmt::reshard
