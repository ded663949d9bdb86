// BlockSet: the blocks of a Prometheus data directory, snapshot or single block, read as one
// stream of series in time order, overlapping blocks merged.
//
// Spec: tsdb/db.go (which directories are blocks) and tsdb/querier.go + storage/merge.go (how a
// query sees several blocks) in the Prometheus repository.
//   - DIR with a meta.json is one block; otherwise each subdirectory with a meta.json is a block
//     (ULID names; Prometheus' own temporary directories, `*.tmp-for-creation` and
//     `*.tmp-for-deletion`, are not). The head (wal/, chunks_head/) is not a block: a snapshot
//     (POST /api/v1/admin/tsdb/snapshot) writes it out as one, and open() notes its presence.
//   - Blocks are ordered by (minTime, ULID) and cut into groups whose time ranges overlap;
//     groups are read one after another, so memory holds one series of one group at a time.
//   - Within a group each block's series come in label order (labels.Compare), so the group's series
//     are a merge of sorted lists. A series' samples from all its blocks and chunks are put in time
//     order and one sample is kept per timestamp, the one of the first block in (minTime, ULID)
//     order: the chunks of overlapping blocks and out-of-order chunks become one ordered series.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "promtsdb/block.h"

namespace vmt::promtsdb {

struct MergedSeries {
  std::vector<LabelPair> labels;  // views into an open block's index
  std::vector<Sample> samples;    // ascending timestamps, one per timestamp
  uint32_t blocks = 0;            // how many blocks held the series
};

class BlockSet {
 public:
  // Opens every block of `path` whose window meets [mint, maxt]. *notes receives what an operator
  // should know (a head that is not read, blocks outside the range).
  Status open(const std::string& path, int64_t mint, int64_t maxt, std::vector<std::string>* notes);
  size_t block_count() const { return blocks_.size(); }
  const Block& block(size_t i) const { return *blocks_[i]; }
  // Samples the blocks' meta.json files announce (progress and ETA).
  uint64_t announced_samples() const;

  // The next series of the stream, or false at the end. Errors name the block and the series.
  Result<bool> next(MergedSeries* out, SkipCounts* skipped);
  size_t group_count() const { return groups_.size(); }

 private:
  struct Cursor {
    Block* block = nullptr;
    size_t next = 0;       // position in the block's series list
    SeriesEntry entry;     // the current series when loaded
    bool loaded = false;
  };
  Status start_group(size_t g);
  Status load(Cursor& c);

  std::vector<std::unique_ptr<Block>> blocks_;
  std::vector<std::pair<size_t, size_t>> groups_;  // [first, last) block positions
  size_t group_ = 0;
  bool started_ = false;
  std::vector<Cursor> cursors_;
  int64_t mint_ = INT64_MIN, maxt_ = INT64_MAX;
};

// labels.Compare: label by label, name then value, bytewise; a prefix sorts first.
int compare_labels(const std::vector<LabelPair>& a, const std::vector<LabelPair>& b);

}  // namespace vmt::promtsdb
