// Block stream merge: the blocks of N data parts (or any block sources) merged into one part, as
// vmstorage's mergeBlockStreams does it.
//
// Spec: merge.md §4 (input order, main loop, mergeRows, WriteExternalBlock, worked example §4.5),
// §6 (dedup of every written block), §8 (retention deadline), §9 (deleted MetricIDs);
// encoding.md §9.6 (CalibrateScale, incl. the Scale −1024 of all-special blocks). Sources:
// lib/storage/merge.go, block_stream_merger.go, block.go, dedup.go @ v1.93.7-cluster.
//
//   input     a min-heap over the sources by (same MetricID ? MinTimestamp : TSID.Less); ties go to
//             the lower source index (Go's heap order is unspecified there)
//   dropped   blocks of a MetricID in deleted_metric_ids (§9); blocks with MaxTimestamp < deadline
//             (§8); rows < deadline only inside blocks that take the slow path (mergeRows)
//   pending   one block kept back: a verbatim copy of a source block, or decoded rows
//   fast      another series, or a pending block that is "too big" (>= 8192 rows or >= 64 KiB of
//             encoded values) and ends at or before the next block's MinTimestamp: pending is
//             written and the next block becomes pending
//   slow      both decoded, CalibrateScale, PrecisionBits = min, mergeRows (duplicates kept), the
//             result re-cut at 8192 rows
//   written   verbatim (PartWriter::write_raw: bytes, types, Scale, FirstValue, PrecisionBits
//             unchanged) unless dedup is on (interval > 0): then decoded, deduplicated per block
//             and re-encoded, as vmstorage does for every block it writes
//
// The caller opens the PartWriter (level compress_level_for_merge(Σ rows / Σ blocks of the
// sources), see compress_level_for_sources) and closes it with MinDedupInterval = the interval
// (merge.md §7.1). An output with no rows must be discarded (§9, data-part.md §15.A step 6).
// Blocks are copied once when they become pending (a source's views die on its next read); no
// per-row allocation: the row buffers are reused across blocks. With background_writer the
// encoding and writing run on a second thread (block_write_queue.h).
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "base/status.h"
#include "storage/part_reader.h"
#include "storage/series_rules.h"
#include "storage/part_writer.h"

namespace vmt::storage {

// Blocks in (TSID, MinTimestamp) order, with their encoded data, as PartReader::next_raw gives
// them. Views live until the next call.
class BlockSource {
 public:
  virtual ~BlockSource() = default;
  virtual Status next_raw(RawBlock& out, bool* eof) = 0;
  // Where the last block came from, for error messages ("<part>: block 12").
  virtual std::string where() const = 0;
  // Set when an error came from this source's bytes (its own, or a block of it that did not
  // decode): the caller knows which part is damaged.
  bool damaged = false;
};

// A PartReader (directory or in-memory part) as a BlockSource. The reader is not owned.
class PartReaderSource : public BlockSource {
 public:
  explicit PartReaderSource(PartReader* r) : r_(r) {}
  Status next_raw(RawBlock& out, bool* eof) override { return r_->next_raw(out, eof); }
  std::string where() const override;

 private:
  PartReader* r_;
};

struct BlockMergeStats {
  uint64_t blocks_in = 0, rows_in = 0;  // read from the sources
  uint64_t rows_deleted_series = 0;     // whole blocks of deleted MetricIDs (§9)
  uint64_t rows_deleted_retention = 0;  // blocks and rows older than the deadline (§8)
  uint64_t rows_retention_filter = 0;   // older than their series' own deadline (series_rules.h)
  uint64_t rows_downsampled = 0;        // thinned by their series' downsampling levels
  uint64_t rows_merged = 0;             // rowsMerged: rows handed to the writer, before dedup
  uint64_t rows_dedup = 0;              // removed by dedup (§6)
  uint64_t blocks_out = 0, rows_out = 0;
  uint64_t blocks_copied = 0;           // written with their encoded bytes unchanged
  // Written before a block of the same series with a larger MinTimestamp, as the server's merge
  // writes them when retention or dedup trims a block's first rows (part_writer.h).
  uint64_t blocks_min_backwards = 0;

  void add(const BlockMergeStats& o);
};

struct BlockMergeOptions {
  int64_t dedup_interval_ms = 0;                  // > 0: -dedup.minScrapeInterval (§6)
  int64_t retention_deadline_ms = INT64_MIN;      // now − retentionPeriod; INT64_MIN keeps all (§8)
  std::span<const uint64_t> deleted_metric_ids;   // sorted ascending (§9); empty: none
  // Per-series retention and downsampling (series_rules.h), applied to each block as it is
  // written, before dedup; null or empty: none.
  const SeriesRules* series_rules = nullptr;
  const std::atomic<bool>* stop = nullptr;        // checked per block: aborts with "forcibly stopped"
  // Encode and write the output on a second thread while this one reads and merges (about
  // twice as fast when a core is free; the output is byte-identical). block_write_queue.h.
  bool background_writer = false;
  // Decode every block that would be copied through with its encoded bytes unchanged too (the
  // others are decoded anyway), so that no undecodable block is carried into the output.
  bool check_copied_blocks = false;
  // Called every ~64k rows read and at the end (progress displays); may be empty.
  std::function<void(const BlockMergeStats&)> on_progress;
};

// Merges every block of `srcs` into `dst` (open, not closed). Source errors carry the source's
// where(); an error leaves dst unusable (the caller discards the output).
Status merge_block_streams(std::span<BlockSource* const> srcs, PartWriter& dst, const BlockMergeOptions& opt,
                           BlockMergeStats* stats);

// The same over PartReaders (opened by the caller).
Status merge_parts(std::span<PartReader* const> srcs, PartWriter& dst, const BlockMergeOptions& opt,
                   BlockMergeStats* stats);

// getCompressLevel(Σ RowsCount / Σ BlocksCount) over the sources' part headers (data-part.md §7).
int compress_level_for_sources(std::span<const PartHeader> headers);

// The text of the error merge_block_streams returns when opt.stop is set.
constexpr const char* kForciblyStopped = "forcibly stopped";

}  // namespace vmt::storage
