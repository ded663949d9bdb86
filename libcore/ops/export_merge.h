// The order in which vmselect prints the samples of one series that come from several blocks:
// app/vmselect/netstorage mergeSortBlocks at v1.93.7 (unchanged to v1.148), with Go's
// container/heap. Blocks are in search order (TSID, then MinTimestamp, then part order). The top
// block of the heap copies its samples up to and including the next block's next timestamp, so
// equal timestamps of two blocks interleave (a0 b0 b1 a1 a2 b2 ...) rather than one block's
// samples coming first; a plain stable sort by timestamp would not print the same lines.
// Without -dedup.minScrapeInterval (what export shows) nothing is dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmt::ops {

struct BlockSpan {
  size_t begin = 0, end = 0;  // samples [begin, end) of the series, sorted by timestamp
};

// Appends to *order the indexes of every sample of `blocks` (over `timestamps`) in the order
// mergeSortBlocks emits them. Empty blocks are skipped, as the server skips them.
void merge_sort_blocks(const std::vector<int64_t>& timestamps, const std::vector<BlockSpan>& blocks,
                       std::vector<size_t>* order);

}  // namespace vmt::ops
