// The steps of run_reshard on the new nodes, private to reshard/: the copy jobs (copy_jobs.cpp:
// one per target node and partition, run on every thread, their parts collected as new data
// parts) and the index of each node (node_index.cpp: the days of its series, its index parts).
#pragma once

#include <memory>
#include <vector>

#include "base/status.h"
#include "ingest/commit.h"
#include "ingest/target_dir.h"
#include "reshard/block_copy.h"
#include "reshard/reshard.h"
#include "reshard/series_plan.h"
#include "reshard/source_node.h"

namespace vmt::reshard::detail {

// What one new node gets: its directory, and the parts written for it, to be committed.
struct NodeOut {
  std::unique_ptr<ingest::TargetDir> dir;
  std::vector<ingest::NewDataPart> data;
  std::vector<ingest::NewIndexPart> index;
};

// One copy job per (target, partition) that some source has parts in; each writes its part under
// a temporary name in the target's small/ directory.
Status plan_copy_jobs(const std::vector<SourceNode>& sources, std::vector<NodeOut>& nodes, ReshardReport* rep,
                      std::vector<CopyJob>* jobs);
// The copy jobs on `threads` workers; the first failure stops the others from taking more.
Status run_copy_jobs(const std::vector<CopyJob>& jobs, const std::vector<SourceNode>& sources, const SeriesPlan& plan,
                     const ReshardOptions& opt, unsigned threads, std::vector<CopyResult>* results);
// Each written part becomes a new data part of its node (fsynced directory, tier by size), and
// the report gains its figures. Returns the results per target, for the days of the index.
Result<std::vector<std::vector<const CopyResult*>>> collect_parts(const std::vector<CopyJob>& jobs,
                                                                  const std::vector<CopyResult>& results,
                                                                  std::vector<NodeOut>& nodes, ReshardReport* rep);

// The days of each series of one target: those of its blocks' first and last samples, plus the
// ns 5 days of its source MetricIDs that lie between its first and last block day (a series
// sampled less than daily has days without samples inside a block: ns 5 says which had some).
void note_days(size_t t, const std::vector<SourceNode>& sources, SeriesPlan& plan,
               const std::vector<const CopyResult*>& results);
// Index parts: one node per worker (each node's directory, registry and report are its own).
Status write_indexes(std::vector<NodeOut>& nodes, const SeriesPlan& plan, const ReshardOptions& opt, unsigned threads,
                     ReshardReport* rep);

}  // namespace vmt::reshard::detail
