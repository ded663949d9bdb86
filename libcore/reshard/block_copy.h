// copy_blocks: one target node's part of one partition, made of the source parts' blocks copied
// as they are.
//
// Spec: data-part.md §5-§8 (blocks in (TSID, MinTimestamp) order; a part may hold several blocks of
// one TSID, also overlapping in time: queries and merges sort and merge them), §15.A (close order).
//
//   in    every listed part of the partition on every source node, read block by block
//   keep  the blocks of the series this target gets (series_plan.h), minus the MetricIDs deleted in
//         this partition (ns 4 of a partition index)
//   out   a k-way merge by (target TSID, MinTimestamp, source order): PartWriter::write_raw, so the
//         timestamps and values bytes, Scale, FirstValue, PrecisionBits and marshal types are the
//         source's, bit for bit; only the TSID of a renumbered series changes (the header is
//         rewritten). Blocks are never merged or re-encoded: the server's own merges do that later.
//         A block identical to the one just written (same series, header fields and bytes: the
//         same part given twice) is dropped; replicas cut into other blocks are all kept...
//   dedup ...unless a dedup interval is given (-dedup.minScrapeInterval, 1ms for replicas): then the
//         kept blocks go through the server's block stream merge with that interval
//         (storage/block_stream_merge.h, merge.md §4, §6), so overlapping blocks of a series are
//         decoded, merged and deduplicated exactly as vmstorage's own merge with that flag does it,
//         and the part records MinDedupInterval (§7.1). Blocks with nothing to merge are still
//         copied bit for bit.
// Renumbered blocks sort elsewhere than in their source part, so they are read first (only from
// sources that renumber something for this target) and held in memory, sorted, as one more stream.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "reshard/series_plan.h"
#include "reshard/source_node.h"
#include "storage/part_header.h"

namespace vmt::reshard {

struct CopyJob {
  size_t target = 0;
  std::string partition;                                  // YYYY_MM
  std::vector<std::pair<size_t, std::string>> parts;      // (source index, part directory)
  std::string out_dir;                                    // the part to write (must not exist)
};

struct CopyOptions {
  int64_t dedup_interval_ms = 0;                 // > 0: merged and deduplicated (see above)
  const std::atomic<bool>* stop = nullptr;
};

struct CopyResult {
  bool empty = true;                 // no block was kept: nothing was left at out_dir
  storage::PartHeader header;
  uint64_t size_bytes = 0;           // the four .bin files
  uint64_t blocks_read = 0, blocks = 0, rows = 0;
  uint64_t renumbered_blocks = 0;    // written with a new TSID
  uint64_t deleted_blocks = 0;       // of MetricIDs deleted in this partition
  uint64_t duplicate_blocks = 0;     // exact copies of the block before them, dropped
  uint64_t rows_dedup = 0;           // samples dropped by the dedup interval
  // (series id in the target, UTC day) of every written block's first and last sample.
  std::vector<std::pair<uint32_t, uint32_t>> days;
};

Status copy_blocks(const CopyJob& job, const std::vector<SourceNode>& sources, const SeriesPlan& plan,
                   const CopyOptions& opt, CopyResult* out);

}  // namespace vmt::reshard
