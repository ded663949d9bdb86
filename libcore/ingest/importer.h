// run_import: Prometheus exposition files -> a vmstorage v1.93.7-cluster data directory, offline.
//
// The server's write path without the server (storage-layout.md §6 lists what it needs to find
// imported series):
//   lines -> rows (line_pipeline.h: prom parser, raw names made canonical, default timestamps)
//   rows  -> dropped when NaN (not the stale marker) or outside [now - retention, now + 2 days]
//            (storage-layout.md §5, metricname-tsid.md §5.3) -> series (series_registry.h)
//   series -> TSIDs: found in the indexdb by (first day, canonical name), curr then prev
//            (existing_index.h), else by name on any other day (a warm tsid cache), else generate_tsid with a new MetricID above every MetricID in DIR,
//            counted from --metric-id-base or the wall clock in ns, in input order
//   rows  -> per-partition buffers (partition_rows.h) -> data parts (data_part_builder.h), written
//            early when the buffers outgrow --mem-limit and then merged (storage/block_stream_merge.h)
//   series over their share of --mem-limit -> spilled (series_spill.h): settled, their rows and
//            index items written, found again by name on disk; the registry starts afresh
//            into one part per partition (early_parts.h), so the directory does not depend on the limit
//   series and (series, day) pairs new to curr -> one indexdb part (index_builder.h)
//   -> commit (commit.h: index first, then each partition's parts.json)
// Everything is decided in input order on one thread; only parsing, block encoding and item
// sorting run in parallel, so two runs with the same seeds write identical directories.
// Bad lines are reported through on_bad_line and skipped (VM accepts the rest of the request);
// with strict the first one aborts the import and nothing is written. An input error (unreadable
// file, too long line, broken gzip/zstd) aborts the import too, nothing written.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ingest/prom_block_source.h"
#include "ingest/raw_name.h"
#include "metric/metric_name.h"

namespace vmt::ingest {

constexpr int64_t kMsPerDay = 86400000;
constexpr int64_t kDefaultRetentionMs = 31 * kMsPerDay;        // -retentionPeriod=1 (one month of 31 days)
constexpr int64_t kMaxRetentionMs = 100LL * 12 * 31 * kMsPerDay;  // the server's maximum
constexpr uint64_t kDefaultMemLimit = 256ull << 20;

struct ImportProgress {
  uint64_t input_bytes = 0, lines = 0, samples = 0, series = 0;
  uint64_t samples_total = 0;  // Prometheus blocks: what their meta.json announce (0: unknown)
};

struct ImportOptions {
  std::string dir;
  metric::Tenancy tenancy = metric::Tenancy::kCluster;  // the target's layout (--target)
  bool per_partition_index = false;                     // v1.133+: data/indexdb/YYYY_MM
  uint32_t account_id = 0, project_id = 0;             // cluster only
  std::vector<std::string> inputs;          // empty or "-" = stdin
  std::vector<ExtraLabel> extra_labels;
  metric::RawLimits limits;                 // vminsert's -maxLabelsPerTimeseries, -maxLabelValueLen
  int64_t default_timestamp_ms = 0;         // <= 0: now (taken once at start)
  int64_t retention_ms = kDefaultRetentionMs;
  int64_t dedup_interval_ms = 0;
  uint8_t precision_bits = 64;
  uint64_t metric_id_base = 0;              // 0: wall clock in ns
  uint64_t part_name_seed = 0;              // 0: wall clock in ns
  uint64_t mem_limit_bytes = kDefaultMemLimit;
  // The series' share of the limit is at least this much: below it they stay in memory (a spill
  // every few thousand series would cost more than it saves, and 16 MiB is within the 64 MiB the
  // limit does not cover). Tests lower it to spill small inputs.
  uint64_t min_series_budget = uint64_t(16) << 20;
  // Exposition text: known series texts are found in the parser threads' shared index instead
  // of parsed again (series_text_index.h). Off: every line parsed in full (tests).
  bool series_text_index = true;
  size_t read_chunk_bytes = 0;              // bytes read per block of lines; 0: the reader's 1 MiB (tests)
  bool strict = false;
  // --max-bad-lines: more bad lines than this ends the import before the commit, nothing written.
  // max_bad_percent >= 0: more than that share of the lines AND more than max_bad_lines of them;
  // otherwise more than max_bad_lines. (UINT64_MAX, -1): no limit.
  uint64_t max_bad_lines = UINT64_MAX;
  double max_bad_percent = -1;
  bool dry_run = false;
  bool json_lines = false;                  // --format jsonl: /api/v1/export lines (json_line.h)
  bool multitenant = false;                 // --tenant multitenant: tenants from vm_account_id / vm_project_id labels
  // --from prometheus DIR: Prometheus TSDB blocks instead of inputs (prom_block_source.h), with
  // --match and --start/--end applied while reading.
  std::string prometheus_dir;
  // Values stored as the decimal whose float is exactly the value (decimal::exact_decimal) rather
  // than by the server's FromFloat, which changes some in their last digits. Always on for JSON lines.
  bool exact_values = false;
  std::vector<query::Selector> match;
  int64_t start_ms = INT64_MIN, end_ms = INT64_MAX;
  unsigned threads = 0;                     // 0: one per CPU
  int64_t now_ms = 0;                       // 0: the wall clock (tests set it)

  std::function<void(const std::string& file, uint64_t line, const std::string& message)> on_bad_line;
  std::function<void(const ImportProgress&)> on_progress;
  // Set (by a signal handler) to stop: checked before the commit, where stopping leaves DIR as it
  // was; once the commit has begun it runs to its end (stats->interrupted_in_commit then says so).
  const std::atomic<bool>* stop = nullptr;
};

struct PartitionStats {
  std::string name;             // YYYY_MM
  uint64_t samples = 0;         // accepted samples of the month
  uint64_t rows_written = 0;    // after dedup
  uint64_t small_parts = 0, big_parts = 0;
  uint64_t bytes = 0;           // the .bin files of the new parts
};

struct ImportStats {
  bool dry_run = false;
  uint64_t files = 0, input_bytes = 0;
  uint64_t lines = 0, skipped_lines = 0, bad_lines = 0;
  uint64_t samples_parsed = 0, dropped_nan = 0, dropped_too_old = 0, dropped_too_new = 0;
  uint64_t samples_accepted = 0, rows_written = 0;
  int64_t min_timestamp_allowed = 0, max_timestamp_allowed = 0;
  uint64_t series = 0, series_new = 0, series_curr = 0, series_prev = 0;
  uint64_t series_other_day = 0;  // of series_curr + series_prev: indexed on other days only, TSID reused
  uint64_t first_metric_id = 0, last_metric_id = 0;  // of the new series (0 when none)
  metric::RawStats labels;                              // vminsert's label limits applied
  std::vector<PartitionStats> partitions;               // by name
  std::string index_table;                              // the curr generation (or partition indexes) written to ("" if none)
  uint64_t index_items = 0, index_blocks = 0, index_bytes = 0, index_runs = 0, index_parts = 0;
  uint64_t early_flushes = 0;                           // times the buffers outgrew --mem-limit
  uint64_t early_merges = 0;                            // merges of the parts written early
  uint64_t series_spills = 0;                           // times the series outgrew their share (series_spill.h)
  uint64_t index_rows = 0;        // rows whose series the parser threads found by its text (series_text_index.h)
  uint64_t blocks_parsed_again = 0;  // blocks parsed before a spill with such rows, parsed again in full
  double seconds = 0, seconds_input = 0, seconds_data = 0, seconds_index = 0, seconds_commit = 0;
  bool interrupted_in_commit = false;  // a stop came while the commit ran: it was completed
  bool from_prometheus = false;
  PromSourceStats prom;                // --from prometheus: blocks, series, skipped samples, notes
};

Status run_import(const ImportOptions& opt, ImportStats* stats);

}  // namespace vmt::ingest
