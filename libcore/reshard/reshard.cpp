#include "reshard/reshard.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "base/crash_point.h"
#include "base/fs.h"
#include "ingest/commit.h"
#include "ingest/existing_index.h"
#include "ingest/index_builder.h"
#include "ingest/part_tier.h"
#include "ingest/target_dir.h"
#include "ingest/tsid_settlement.h"
#include "reshard/block_copy.h"
#include "reshard/series_plan.h"
#include "reshard/source_node.h"
#include "route/router.h"
#include "storage/block_stream_merge.h"

namespace vmt::reshard {

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

// The days of each series of one target: those of its blocks' first and last samples, plus the
// ns 5 days of its source MetricIDs that lie between its first and last block day (a series
// sampled less than daily has days without samples inside a block: ns 5 says which had some).
void note_days(size_t t, const std::vector<SourceNode>& sources, SeriesPlan& plan,
               const std::vector<const CopyResult*>& results) {
  ingest::SeriesRegistry& reg = plan.targets[t];
  std::vector<std::pair<uint32_t, uint32_t>> range(reg.size(), {UINT32_MAX, 0});
  for (const CopyResult* r : results) {
    for (const auto& [series, day] : r->days) {
      reg.note_date(series, day);
      range[series].first = std::min(range[series].first, day);
      range[series].second = std::max(range[series].second, day);
    }
  }
  for (size_t si = 0; si < sources.size(); ++si) {
    for (const auto& [mid, series] : plan.ids[si][t]) {
      const auto [lo, hi] = sources[si].days_of(mid);
      for (auto* d = lo; d != hi; ++d) {
        if (d->second >= range[series].first && d->second <= range[series].second) reg.note_date(series, d->second);
      }
    }
  }
  // A series that got no block here (its data lay outside every listed part, or was deleted in
  // each partition) gets no index items: "already indexed" with no day asks for none.
  for (uint32_t id = 0; id < reg.size(); ++id) {
    if (range[id].first == UINT32_MAX) reg.at(id).origin = ingest::SeriesOrigin::curr;
  }
}

struct NodeOut {
  std::unique_ptr<ingest::TargetDir> dir;
  std::vector<ingest::NewDataPart> data;
  std::vector<ingest::NewIndexPart> index;
};

Status write_index(ingest::TargetDir& dir, const ingest::SeriesRegistry& reg, const ReshardOptions& opt,
                   unsigned threads, NodeOut* node, NodeReport* nr) {
  std::map<std::string, ingest::IndexWork> works;
  if (dir.per_partition()) {
    VMT_TRY(ingest::plan_partition_index_work(
        reg, [](uint32_t) -> Result<ingest::ExistingIndex*> { return static_cast<ingest::ExistingIndex*>(nullptr); },
        &works));
  } else {
    ingest::ExistingIndex existing;
    VMT_TRY(existing.open(dir.tables(), dir.curr_table(), dir.prev_table(), dir.tenancy()));
    ingest::IndexWork w;
    VMT_TRY(ingest::plan_index_work(reg, existing, &w));
    if (!w.empty()) works.emplace("", std::move(w));
  }
  for (auto& [partition, work] : works) {
    std::string table = dir.curr_table();
    if (dir.per_partition()) {
      VMT_TRY(dir.ensure_partition(partition));
      table = dir.index_table(partition);
    }
    ingest::NewIndexPart part;
    part.table_dir = table;
    part.name = dir.new_part_name({table});
    part.temp_dir = fs::join(table, std::string(ingest::TargetDir::kTempPrefix) + part.name);
    ingest::IndexPartOptions io;
    io.memory_budget = std::max<uint64_t>(opt.mem_limit_bytes / 2, 1 << 20);
    io.threads = threads;
    io.runs_dir = part.temp_dir + ".runs";
    ingest::IndexPartResult res;
    VMT_TRY(ingest::write_index_part(reg, std::move(work), io, part.temp_dir, &res));
    nr->index_items += res.items;
    nr->index_bytes += res.size_bytes;
    node->index.push_back(std::move(part));
  }
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

// One copy job per (target, partition) that some source has parts in; each writes its part under
// a temporary name in the target's small/ directory.
Status plan_copy_jobs(const std::vector<SourceNode>& sources, std::vector<NodeOut>& nodes, ReshardReport* rep,
                      std::vector<CopyJob>* jobs) {
  std::map<std::string, std::vector<std::pair<size_t, std::string>>> parts_of;
  for (size_t si = 0; si < sources.size(); ++si) {
    for (const auto& p : sources[si].sd.partitions) {
      if (!p.name_valid) continue;
      for (const auto& e : p.parts) {
        if (!e.listed) continue;
        if (!e.exists) {
          return corruption(e.path + ": listed in parts.json but missing (the server would refuse to start); "
                            "see tsdb-inspect verify " + sources[si].dir);
        }
        parts_of[p.name].emplace_back(si, e.path);
        ++rep->source_parts;
      }
    }
  }
  for (size_t t = 0; t < nodes.size(); ++t) {
    ingest::TargetDir& dir = *nodes[t].dir;
    for (const auto& [partition, parts] : parts_of) {
      VMT_TRY(dir.ensure_partition(partition));
      CopyJob& j = jobs->emplace_back();
      j.target = t;
      j.partition = partition;
      j.parts = parts;
      const std::string small = dir.small_dir(partition);
      const std::string name = dir.new_part_name({small, dir.big_dir(partition)});
      j.out_dir = fs::join(small, std::string(ingest::TargetDir::kTempPrefix) + name);
    }
  }
  return Status::ok();
}

// The copy jobs on `threads` workers; the first failure stops the others from taking more.
Status run_copy_jobs(const std::vector<CopyJob>& jobs, const std::vector<SourceNode>& sources, const SeriesPlan& plan,
                     const ReshardOptions& opt, unsigned threads, std::vector<CopyResult>* results) {
  results->resize(jobs.size());
  CopyOptions copy_opt;
  copy_opt.dedup_interval_ms = opt.dedup_interval_ms;
  copy_opt.stop = opt.stop;
  std::vector<Status> st(jobs.size());
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mu;
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < jobs.size();) {
      if (failed.load()) break;
      st[i] = copy_blocks(jobs[i], sources, plan, copy_opt, &(*results)[i]);
      if (!st[i].is_ok()) failed.store(true);
      const size_t d = done.fetch_add(1) + 1;
      if (opt.on_progress) {
        std::lock_guard<std::mutex> lk(progress_mu);
        opt.on_progress(d, jobs.size());
      }
    }
  };
  std::vector<std::thread> th;
  for (unsigned k = 0; k < std::min<size_t>(threads, jobs.size()); ++k) th.emplace_back(worker);
  for (auto& t : th) t.join();
  for (const auto& s : st) VMT_TRY(s);
  if (opt.stop && opt.stop->load()) return io_error(storage::kForciblyStopped);
  return Status::ok();
}

// Each written part becomes a new data part of its node (fsynced directory, tier by size), and
// the report gains its figures. Returns the results per target, for the days of the index.
Result<std::vector<std::vector<const CopyResult*>>> collect_parts(const std::vector<CopyJob>& jobs,
                                                                  const std::vector<CopyResult>& results,
                                                                  std::vector<NodeOut>& nodes, ReshardReport* rep) {
  std::vector<std::vector<const CopyResult*>> by_target(nodes.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    const CopyJob& j = jobs[i];
    const CopyResult& r = results[i];
    by_target[j.target].push_back(&r);
    rep->blocks_read += r.blocks_read;
    rep->renumbered_blocks += r.renumbered_blocks;
    rep->deleted_blocks += r.deleted_blocks;
    rep->duplicate_blocks += r.duplicate_blocks;
    rep->rows_dedup += r.rows_dedup;
    if (r.empty) continue;
    ingest::TargetDir& dir = *nodes[j.target].dir;
    const std::string small = dir.small_dir(j.partition);
    VMT_TRY(fs::fsync_path(small));
    ingest::NewDataPart np;
    np.partition = j.partition;
    np.temp_dir = j.out_dir;
    np.name = fs::base_name(j.out_dir).substr(std::string(ingest::TargetDir::kTempPrefix).size());
    np.big = r.size_bytes > ingest::max_small_part_size(small);
    np.size_bytes = r.size_bytes;
    np.rows = r.header.rows_count;
    np.min_timestamp = r.header.min_timestamp;
    nodes[j.target].data.push_back(np);
    NodeReport& nr = rep->nodes[j.target];
    nr.rows += r.rows;
    nr.blocks += r.blocks;
    nr.bytes += r.size_bytes;
    ++nr.parts;
    rep->rows += r.rows;
    rep->blocks += r.blocks;
  }
  return by_target;
}

// Index parts: one node per worker (each node's directory, registry and report are its own).
Status write_indexes(std::vector<NodeOut>& nodes, const SeriesPlan& plan, const ReshardOptions& opt, unsigned threads,
                     ReshardReport* rep) {
  const size_t n = nodes.size();
  std::vector<Status> st(n);
  std::atomic<size_t> next{0};
  const unsigned workers = unsigned(std::min<size_t>(threads, n));
  const unsigned per_node = std::max(1u, threads / std::max(1u, workers));
  auto worker = [&] {
    for (size_t t; (t = next.fetch_add(1)) < n;) {
      if (opt.stop && opt.stop->load()) {
        st[t] = io_error(storage::kForciblyStopped);
        continue;
      }
      st[t] = write_index(*nodes[t].dir, plan.targets[t], opt, per_node, &nodes[t], &rep->nodes[t]);
    }
  };
  std::vector<std::thread> th;
  for (unsigned k = 0; k < workers; ++k) th.emplace_back(worker);
  for (auto& x : th) x.join();
  for (const auto& s : st) VMT_TRY(s);
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

}  // namespace

Status run_reshard(const ReshardOptions& opt, ReshardReport* rep) {
  *rep = ReshardReport();
  const auto t_start = Clock::now();
  const unsigned threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  if (opt.sources.empty()) return invalid_argument("give the node directories to read with --from-storage");
  const std::string out = trim_slashes(opt.out_dir);
  if (out.empty()) return invalid_argument("--from-storage needs --out-dir");
  for (const auto& s : opt.sources) {
    if (!fs::exists(s)) return invalid_argument("--from-storage " + s + " does not exist");
    if (real_path(s) == real_path(out)) return invalid_argument("--out-dir " + out + " is a source directory");
  }
  bool replace_out = false;
  VMT_TRY(check_out_dir(opt, out, &replace_out));
  VMT_ASSIGN_OR_RETURN(route::Placement placement, route::Placement::make(opt.placement));  // usage errors first

  auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
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

  rep->seconds_load = since(t_phase);
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
  rep->seconds_plan = since(t_phase);
  t_phase = Clock::now();

  // Everything is written under a temporary sibling of OUT and renamed last.
  const std::string parent = fs::dir_name(out).empty() ? "." : fs::dir_name(out);
  VMT_TRY(fs::mkdir_p(parent));
  const std::string tmp = fs::join(parent, "." + fs::base_name(out) + ".tsdb-route-tmp");
  if (fs::exists(tmp)) VMT_TRY(fs::remove_all(tmp));  // an interrupted run's: never listed anywhere
  VMT_TRY(fs::mkdir_p(tmp));
  TempOut cleanup{tmp};

  const size_t n_targets = placement.size();
  std::vector<NodeOut> nodes(n_targets);
  rep->nodes.resize(n_targets);
  for (size_t t = 0; t < n_targets; ++t) {
    NodeReport& nr = rep->nodes[t];
    nr.addr = opt.placement.nodes[t];
    nr.dir = route::node_base_name(t, nr.addr);
    nodes[t].dir = std::make_unique<ingest::TargetDir>();
    VMT_TRY(nodes[t].dir->open(fs::join(tmp, nr.dir), opt.part_name_seed, flavour.tenancy, flavour.per_partition_index()));
  }
  std::vector<CopyJob> jobs;
  VMT_TRY(plan_copy_jobs(sources, nodes, rep, &jobs));
  std::vector<CopyResult> results;
  VMT_TRY(run_copy_jobs(jobs, sources, plan, opt, threads, &results));
  rep->seconds_copy = since(t_phase);
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
  rep->seconds_index = since(t_phase);
  t_phase = Clock::now();
  for (size_t t = 0; t < n_targets; ++t) {
    if (opt.stop && opt.stop->load()) return io_error(storage::kForciblyStopped);
    VMT_TRY(ingest::commit_import(*nodes[t].dir, nodes[t].index, nodes[t].data));
  }
  rep->seconds_commit = since(t_phase);

  // OUT appears whole: fsync the temporary tree's top, move an old OUT away, rename.
  VMT_TRY(fs::fsync_path(tmp));
  crash_point("reshard.written");
  if (opt.stop && opt.stop->load()) return io_error(storage::kForciblyStopped);
  if (replace_out) VMT_TRY(fs::remove_all(out));
  VMT_TRY(fs::rename(tmp, out));
  crash_point("reshard.renamed");
  cleanup.armed = false;
  VMT_TRY(fs::fsync_path(parent));
  rep->seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  return Status::ok();
}

}  // namespace vmt::reshard
