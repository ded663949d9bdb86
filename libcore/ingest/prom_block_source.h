// PromBlockSource: Prometheus TSDB blocks -> the importer's rows, as the server would receive the
// same samples by Prometheus remote write.
//
// Spec: promtsdb/block_set.h (which blocks, in which order, overlaps merged); app/vminsert/
// promremotewrite (v1.93.7) for what a remote-written sample becomes: the labels in the order
// Prometheus sends them (sorted by name, so `__name__` among them), then the extra labels, through
// the same MarshalMetricNameRaw as every other input (raw_name.h; "__name__" becomes the metric
// group); the value as the float it is (stale markers included: the importer keeps them as it
// keeps them from text). Series not matching --match, and samples outside [start, end], are not
// read at all.
// One producer thread reads, merges and decodes the blocks and builds canonical names into a small pool
// of ParsedBlocks, which the importer consumes on its own thread: memory is the pool plus one
// series of one group of overlapping blocks, whatever the block size.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest/raw_name.h"
#include "ingest/row_source.h"
#include "promtsdb/block_set.h"
#include "query/selector.h"

namespace vmt::ingest {

struct PromSourceOptions {
  std::string path;                      // data directory, snapshot or block
  int64_t start_ms = INT64_MIN, end_ms = INT64_MAX;
  std::vector<query::Selector> match;   // OR-ed; empty = every series
  RowNaming naming;                      // tenant, extra labels, label limits
};

struct PromSourceStats {
  uint64_t blocks = 0, groups = 0;
  uint64_t series_read = 0;     // distinct series (after merging blocks) seen
  uint64_t series_matched = 0;  // of those, matching --match and holding samples in range
  uint64_t series_merged = 0;   // series present in more than one block of a group
  uint64_t samples = 0;         // float samples produced
  uint64_t announced_samples = 0;
  promtsdb::SkipCounts skipped;
  std::vector<std::string> notes;
};

class PromBlockSource final : public RowSource {
 public:
  PromBlockSource() = default;
  ~PromBlockSource() override;

  // Opens the blocks (errors come back here, before anything is read) and starts the producer.
  Status start(const PromSourceOptions& opt);
  // Blocks, groups, notes and announced samples, as found by start(): safe to read while the
  // producer runs (stats() is not).
  const PromSourceStats& opened() const { return opened_; }
  ParsedBlock* next() override;
  void release(ParsedBlock* b) override;
  void stop() override;
  Status status() override;
  const std::string& display_name(size_t) const override { return opt_.path; }
  // Valid once next() has returned nullptr.
  const PromSourceStats& stats() const { return stats_; }

 private:
  void producer_main();
  Status produce();
  ParsedBlock* take_free();
  void ship(ParsedBlock* b);

  PromSourceOptions opt_;
  promtsdb::BlockSet set_;
  PromSourceStats opened_;
  PromSourceStats stats_;  // the producer's; read once it is done
  std::vector<std::unique_ptr<ParsedBlock>> pool_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ParsedBlock*> free_;
  std::deque<ParsedBlock*> ready_;
  bool done_ = false, stopping_ = false;
  Status error_;
  std::thread producer_;
  uint64_t seq_ = 0;
};

}  // namespace vmt::ingest
