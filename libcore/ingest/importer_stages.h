// The importer's stages, shared by importer.cpp (run, the data parts, the commit),
// importer_input.cpp (the rows, the series) and importer_index.cpp (the existing indexes and the
// index parts to write). Private to libcore/ingest: run_import (importer.h) is the entry point.
#pragma once

#include "ingest/importer.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "ingest/commit.h"
#include "ingest/existing_index.h"
#include "ingest/index_builder.h"
#include "ingest/line_pipeline.h"
#include "ingest/partition_rows.h"
#include "ingest/prom_block_source.h"
#include "ingest/series_registry.h"
#include "ingest/series_spill.h"
#include "ingest/target_dir.h"

namespace vmt::ingest::detail {

using Clock = std::chrono::steady_clock;

inline uint64_t wall_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

struct Partition {
  Month month;
  std::string name;
  PartitionRows rows;
  PartitionStats stats;
  bool prepared = false;  // ensure_partition and stale temp cleanup done
  bool flushed_early = false;  // parts were written early: every part of it is merged before the commit
};

class Importer {
 public:
  Importer(const ImportOptions& opt, ImportStats* st) : opt_(opt), st_(st), reg_(opt.tenancy) {}
  ~Importer() { cleanup_on_failure(); }

  Status run();

 private:
  // The stages of run(), in order.
  void set_acceptance_window();
  Status check_inputs() const;
  Status read_input();
  Status start_source(LinePipeline& lines, PromBlockSource& blocks);
  Status check_bad_lines() const;
  Status write_and_commit();
  void tally_partitions();

  Status consume(ParsedBlock& b);
  Partition& partition_for(int64_t ts);
  Status resolve_pending();
  // early: written over --mem-limit, to be merged with the partition's other parts before the commit.
  Status flush_partition(Partition& p, bool early = false);
  Status merge_early_parts(Partition& p);
  Status maybe_flush_early();
  // Over its share of --mem-limit, the registry's series are settled, their samples and index
  // items written, and the series spilled (series_spill.h); the registry starts afresh.
  Status spill_series();
  // The merge of the last spill's index runs (spill_merges_), waited for; its error if any.
  Status wait_spill_merges();
  // The registry's share of --mem-limit before its series are spilled.
  uint64_t series_budget() const { return std::max<uint64_t>(opt_.mem_limit_bytes / 2, opt_.min_series_budget); }
  struct IndexJob {
    IndexWork work;
    IndexPartOptions opt;
    NewIndexPart part;
    IndexPartResult result;
    Status status;
  };
  // Decides which items to write (per-day checks against curr, or against each partition's index)
  // and names the parts: main thread.
  Status plan_index(std::vector<IndexJob>* jobs);
  // The items each index table gets from the registry's series (table directory -> work).
  Status plan_index_works(std::map<std::string, IndexWork>* works);
  IndexPartOptions index_options() const;
  // The index a series whose first sample is on `date` is looked up in (IndexForDate).
  Result<ExistingIndex*> index_for(uint32_t date);
  // Where a series not indexed on its first day is looked up by name (resolve_any_day).
  Result<ExistingIndex*> any_day_index();
  Status open_existing();
  uint64_t buffered_bytes() const;
  // The most the parser threads' series text index holds: a quarter of --mem-limit.
  uint64_t cache_bytes() const {
    return std::clamp<uint64_t>(opt_.mem_limit_bytes / 4, uint64_t(2) << 20, uint64_t(64) << 20);
  }
  RowNaming naming() const { return RowNaming{opt_.account_id, opt_.project_id, opt_.extra_labels, opt_.limits, opt_.tenancy}; }
  void cleanup_on_failure();
  bool stopped() const { return opt_.stop && opt_.stop->load(std::memory_order_relaxed); }
  static constexpr const char* kInterrupted = "interrupted (SIGINT or SIGTERM) before the commit: nothing was written";

  const ImportOptions& opt_;
  ImportStats* st_;
  unsigned threads_ = 1;
  int64_t min_ts_ = 0, max_ts_ = 0;
  SeriesRegistry reg_;
  SeriesSpill spill_;
  // The index parts each table got from the spills (table directory -> parts), merged into its
  // final index part.
  std::map<std::string, std::vector<EarlierIndexPart>> spilled_index_;
  // The last spill's runs merged into its parts (IndexRunsMerge), beside the input.
  std::thread spill_merges_;
  Status spill_merge_status_;
  uint64_t series_spilled_ = 0;  // distinct series settled by the last spill (progress reports)
  std::map<int64_t, Partition> partitions_;
  Partition* cur_ = nullptr;
  TargetDir dir_;
  ExistingIndex existing_;  // generations: curr and prev; per-partition: the MetricIDs of every table
  // Per-partition layout: each partition's index, opened when first asked for, with the legacy
  // curr and prev deleted MetricIDs added.
  std::map<std::string, std::unique_ptr<ExistingIndex>> partition_index_;
  std::unique_ptr<ExistingIndex> any_day_;  // per-partition: every table, opened at the first need
  std::unordered_set<uint64_t> legacy_deleted_;
  uint64_t metric_id_counter_ = 0;
  size_t resolved_ = 0;
  std::vector<NewDataPart> new_parts_;
  std::vector<std::string> temp_dirs_;  // removed unless committed
  bool committed_ = false;
  Clock::time_point t_start_;
  double seconds_data_ = 0;
  std::string display_name_;
  size_t current_file_ = SIZE_MAX;
  uint32_t prev_series_ = UINT32_MAX;  // the series of the last accepted row of this input file
  // Exposition text: the parser threads' series text index (the pipeline's), which consume()
  // fills; and a parser of its own for blocks parsed before a spill (see consume).
  SeriesTextIndex* text_index_ = nullptr;
  std::unique_ptr<BlockParser> reparser_;
  int64_t default_ts_ms_ = 0;  // the pipeline's default timestamp
};

}  // namespace vmt::ingest::detail
