// run_reshard's copy jobs: planned per target node and partition, run on every thread, their
// parts collected as new data parts (node_out.h).
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "base/fs.h"
#include "ingest/part_tier.h"
#include "reshard/node_out.h"
#include "storage/block_stream_merge.h"

namespace vmt::reshard::detail {

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

}  // namespace vmt::reshard::detail
