// run_reshard: the storage directories of a cluster's vmstorage nodes -> one complete storage
// directory per node of a new -storageNode list, block by block (tsdb-route --from-storage).
//
//   sources   load_source (source_node.h): names, TSIDs, days, deleted sets of every node
//   plan      plan_series (series_plan.h): each series' nodes as vminsert with the new list picks
//             them, one TSID per series and node
//   data      one copy job per (new node, partition), run on --threads threads: copy_blocks
//             (block_copy.h), blocks bit for bit into one part
//   index     per new node, the global and per-day items of every series it got (ingest's
//             index_builder.h, exactly as an import writes them), days = the days of its blocks'
//             first and last samples plus the source's ns 5 days between them
//   commit    each node directory through ingest::commit_import, all of them inside a temporary
//             directory next to OUT, which is fsynced and renamed to OUT last: OUT is complete or
//             absent whenever the process dies (a leftover temporary is removed by the next run)
// The new directories have the sources' flavour (v1.93 generations or v1.133+ partition indexes).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "layout/flavour.h"
#include "query/selector.h"
#include "route/placement.h"
#include "route/routing_key.h"

namespace vmt::reshard {

struct ReshardOptions {
  std::vector<std::string> sources;             // node storage directories
  route::PlacementOptions placement;            // the new -storageNode list, -replicationFactor, ...
  route::LabelOrder order = route::LabelOrder::as_is;
  bool sort_labels = false;
  std::vector<query::Selector> match;           // empty: every series
  std::optional<std::pair<uint32_t, uint32_t>> tenant;  // only this tenant moves
  const layout::Flavour* target = nullptr;      // --target: checked against the sources
  std::string out_dir;
  bool force = false;                           // replace an OUT holding only node-* entries
  // > 0: -dedup.minScrapeInterval; the blocks of each new part go through the server's merge with
  // it (block_copy.h): 1ms drops the copies of replicated sources (-replicationFactor > 1).
  int64_t dedup_interval_ms = 0;
  uint64_t mem_limit_bytes = 256ull << 20;      // index items held before sorted runs go to disk
  unsigned threads = 0;                         // 0: one per CPU
  uint64_t part_name_seed = 0;                  // 0: the wall clock in ns
  const std::atomic<bool>* stop = nullptr;
  std::function<void(uint64_t jobs_done, uint64_t jobs)> on_progress;
};

struct NodeReport {
  std::string addr;
  std::string dir;
  uint64_t series = 0, rows = 0, blocks = 0, parts = 0, bytes = 0;
  uint64_t index_items = 0, index_bytes = 0;
};

struct ReshardReport {
  std::string flavour;
  uint64_t sources = 0, source_parts = 0;
  uint64_t source_series = 0, skipped_series = 0, merged_series = 0, renumbered_series = 0;
  uint64_t blocks_read = 0, blocks = 0, rows = 0, renumbered_blocks = 0, deleted_blocks = 0, duplicate_blocks = 0;
  int64_t dedup_interval_ms = 0;
  uint64_t rows_dedup = 0;  // samples dropped by --dedup-interval
  std::vector<NodeReport> nodes;
  double seconds = 0;
  // Where the time went: reading the sources' indexes, planning, copying blocks, index parts, commits.
  double seconds_load = 0, seconds_plan = 0, seconds_copy = 0, seconds_index = 0, seconds_commit = 0;
};

Status run_reshard(const ReshardOptions& opt, ReshardReport* report);

}  // namespace vmt::reshard

namespace vmt::reshard {

// The summary lines tsdb-route prints on stderr, and the same as one JSON object (--json; 64-bit
// counts as numbers, there are no IDs in it).
void render_summary(const ReshardReport& r, const std::string& out_dir, std::string& out);
void render_summary_json(const ReshardReport& r, const std::string& out_dir, std::string& out);

}  // namespace vmt::reshard
