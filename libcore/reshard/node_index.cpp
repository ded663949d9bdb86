// run_reshard's index of each new node: the days of its series (from the copied blocks and the
// sources' per-day entries) and its index parts, one node per worker (node_out.h).
#include <algorithm>
#include <atomic>
#include <climits>
#include <map>
#include <thread>

#include "base/fs.h"
#include "ingest/existing_index.h"
#include "ingest/index_builder.h"
#include "ingest/tsid_settlement.h"
#include "reshard/node_out.h"
#include "storage/block_stream_merge.h"

namespace vmt::reshard::detail {

namespace {

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

}  // namespace

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

}  // namespace vmt::reshard::detail
