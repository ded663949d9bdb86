// The parts an import wrote early (when its buffers outgrew --mem-limit), merged before the commit
// into one part per partition: the part a single flush at the end would have written, so the
// directory does not depend on --mem-limit. Past kOnePassParts of them, in rounds of at most that
// many sources per merge (bounded open files and read buffers), interim parts merged again.
//
// Spec: merge.md §4 and §6 (the block stream merge, with dedup of every written block;
// storage/block_stream_merge.h), §5.2 (the output goes to big when it exceeds maxSmallPartSize(),
// part_tier.h), §7.1 (MinDedupInterval = the interval). The sources were never listed in
// parts.json: they are simply removed afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "ingest/commit.h"
#include "ingest/target_dir.h"

namespace vmt::ingest {

// The most sources of one merge; more early parts are merged in rounds.
constexpr size_t kOnePassParts = 64;

// Replaces the entries of `partition` in *parts (two or more) by the merged parts; new temporary
// directories are added to *temp_dirs (removed by the caller on failure); *merges counts merges.
Status merge_parts_written_early(TargetDir& dir, const std::string& partition, int64_t dedup_interval_ms, unsigned threads,
                                 std::vector<NewDataPart>* parts, std::vector<std::string>* temp_dirs, uint64_t* merges);

}  // namespace vmt::ingest
