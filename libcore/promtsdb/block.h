// Block: one Prometheus TSDB block directory (meta.json, index, chunks/, tombstones) read as series
// with their float samples.
//
// Spec: tsdb/docs/format/*.md and tsdb/querier.go (Prometheus repository): a series' samples are
// those of its chunks that lie in the block's [minTime, maxTime) window and outside its tombstones.
// Float chunks (XOR) are decoded; histogram chunks (native histograms, which VictoriaMetrics does
// not store as such) are counted and skipped; a chunk of another encoding (XOR2, written by
// Prometheus 3.9+ only when configured) is an error rather than a silent gap.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "promtsdb/block_meta.h"
#include "promtsdb/chunk_files.h"
#include "promtsdb/index_file.h"
#include "promtsdb/tombstones.h"
#include "promtsdb/xor_chunk.h"

namespace vmt::promtsdb {

struct SkipCounts {
  uint64_t histogram_chunks = 0, histogram_samples = 0;  // native histograms skipped
  uint64_t deleted_samples = 0;                          // under tombstones
};

class Block {
 public:
  Status open(const std::string& dir);
  const std::string& dir() const { return dir_; }
  const BlockMeta& meta() const { return meta_; }
  size_t series_count() const { return index_.all_series().size(); }
  // The i-th series in label order: its labels and chunk metas.
  Status series(size_t i, SeriesEntry* out) const { return index_.series(index_.all_series()[i], out); }
  // Appends the float samples of `e` with mint <= t <= maxt to *out,
  // in chunk order; tombstoned samples dropped and counted. Errors name the block, the series' labels
  // and the chunk.
  Status samples(const SeriesEntry& e, int64_t mint, int64_t maxt, std::vector<Sample>* out, SkipCounts* skipped) const;
  // Forward walks: the pages before series i and its chunks may leave the resident set.
  void release_before(const SeriesEntry& e);

 private:
  std::string dir_;
  BlockMeta meta_;
  IndexFile index_;
  ChunkFiles chunks_;
  Tombstones tombstones_;
};

// Block::samples over parts given apart (tests, fuzzing): the chunks, the series' tombstones (or
// nullptr); `name` stands for the block directory in errors.
Status series_samples(const ChunkFiles& chunks, const std::vector<Interval>* stones, const SeriesEntry& e,
                      int64_t mint, int64_t maxt, std::vector<Sample>* out, SkipCounts* skipped,
                      const std::string& name);

// "{__name__=\"x\", a=\"b\"}": how errors name a series.
std::string labels_text(const std::vector<LabelPair>& labels);

}  // namespace vmt::promtsdb
