// mergeRows (merge.md §4.3): the rows of two overlapping blocks of one series joined in timestamp
// order, after the rows older than the retention deadline are skipped on both sides. Used by the
// block stream merge (block_stream_merge.h) when a pending block and the next block of its series
// overlap, or the pending one is not yet full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmt::storage {

// Decoded rows of one block: timestamps and mantissas at one Scale.
struct Rows {
  std::vector<int64_t> ts, vals;
  size_t size() const { return ts.size(); }
  void clear() { ts.clear(); vals.clear(); }
  void append(const Rows& r, size_t from) {
    ts.insert(ts.end(), r.ts.begin() + ptrdiff_t(from), r.ts.end());
    vals.insert(vals.end(), r.vals.begin() + ptrdiff_t(from), r.vals.end());
  }
};

// One side of a merge: its rows and its block header's Min/MaxTimestamp, which VM compares
// (a pending block keeps its source's bounds until it is written, §4.3).
struct RowsSide {
  const Rows* rows;
  int64_t min_timestamp, max_timestamp;
};

// skipSamplesOutsideRetention: how many leading rows are older than the deadline (none when the
// header says the block has none).
size_t retention_skip(const RowsSide& s, int64_t deadline);

// out = a's rows from s1 and b's from s2, as mergeBlocks joins them: one after the other when the
// headers' ranges do not overlap, else a two-way merge in which, on equal timestamps, the side
// being drained goes first; duplicates are kept.
void merge_rows(const RowsSide& a, size_t s1, const RowsSide& b, size_t s2, Rows& out);

}  // namespace vmt::storage
