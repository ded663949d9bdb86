// tsdb-merge's operation: vmstorage's merges, offline, crash-safe, under the operator's control.
//
// Spec: merge.md §3 (policy), §4 (block stream merge), §5 (small/big, free disk), §6-§7 (dedup,
// MinDedupInterval, final dedup), §8 (retention), §9 (deleted series), §10 (force merge), §11 (the
// merge transaction); data-part.md §14-§16 (parts.json, write order, what the server deletes at
// open); mergeset.md §11 (tag-row callback), §13 (table policy). Output formats and exit codes:
// man/tsdb-merge.1.
//
// Modes, per data partition (data/small/YYYY_MM + data/big/YYYY_MM):
//   policy   getPartsToMerge(isFinal=false, maxOutBytes = min(free(big)/4, 1e12)) repeatedly,
//            each output a candidate of the next round, until nothing is chosen
//   force    /internal/force_merge: all parts in chunks of 15 (smallest first), one output per
//            chunk; skipped with a warning when their total size exceeds free(big)
//   final    the hourly final-dedup pass: force, for each partition but the current UTC month
//            whose smallest MinDedupInterval is below --dedup-interval
// With --retention, parts whose MaxTimestamp is older than now − retention are dropped first
// (the stale-parts remover); the merges drop old blocks and rows as §8 says. Deleted MetricIDs
// are the namespace-4 items of the curr and prev indexdb tables (§9).
// With --indexdb, every indexdb table (prev, curr, next) is merged by the mergeset policy
// (force: all its parts in chunks of 15; final: maxParts 15..2) with the tag-row callback.
//
// The transaction of one merge (§11, data-part.md §15), each step durable before the next:
//   1. the output part is written under <dir>/tsdb-merge.tmp.<NAME> (unlisted: vmstorage deletes
//      it at open, and so does the next tsdb-merge): files fsynced, metadata.json, dir fsynced;
//   2. renamed to <dir>/<NAME>, the partition (or table) dir fsynced: still unlisted;
//   3. parts.json replaced atomically without the sources and with NAME: THE COMMIT POINT;
//   4. each source renamed to <part>.must-remove.<N> and removed, parent dirs fsynced.
// An output with no rows (everything deleted or out of retention) is removed after step 1 and
// the sources are just unlisted. NAME is %016X of the wall clock in ns (as vmstorage seeds its
// counter), raised above every hex name already in the partition or table.
// flock.lock is held for the whole run (not for --dry-run, which writes nothing).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "layout/flavour.h"
#include "metric/tenancy.h"
#include "ops/tool.h"
#include "storage/block_stream_merge.h"

namespace vmt::ops {

// kRewrite: no merges, only the parts that hold deleted series or rows a rule drops are rewritten,
// each alone (--delete, --retention-filter or --downsample without --force or --final).
enum class MergeMode { kPolicy, kForce, kFinal, kRewrite };

struct MergeOptions {
  std::string dir;
  std::optional<layout::Flavour> target;  // --target: checked against what the directory holds
  MergeMode mode = MergeMode::kPolicy;
  std::string partition;                 // only partitions whose name starts with this ("" = all)
  int64_t dedup_interval_ms = 0;         // -dedup.minScrapeInterval
  std::optional<int64_t> retention_ms;   // -retentionPeriod; none = keep every row
  bool indexdb = false;
  bool dry_run = false;
  // --remove-unlisted: directories parts.json does not list that the user wants gone (no writer
  // of ours deletes such a directory otherwise; see remove_leftovers).
  std::vector<std::string> remove_unlisted;
  // --skip-damaged: merge what is sound and leave the damaged parts listed and untouched, instead
  // of refusing the whole run.
  bool skip_damaged = false;
  bool json = false;
  bool quiet = false;                    // -q: nothing on stdout (warnings and errors stay on stderr)
  // --delete: series selectors, as the server's delete_series match[] (OR-ed). Their MetricIDs are
  // marked deleted (ns 4) in each index table where they are found, as the server marks them;
  // then the data parts and index parts that hold them are rewritten without them (merge_delete.cpp).
  std::vector<std::string> delete_selectors;
  std::optional<metric::Tenant> tenant;  // --tenant: --delete within one tenant (default: every tenant)
  // --retention-filter SELECTOR:DURATION and --downsample [SELECTOR:]OFFSET:INTERVAL (the server's
  // enterprise -retentionFilter and -downsampling.period, comma lists allowed): rows of matching
  // series older than now-DURATION go; rows older than now-OFFSET keep one sample per INTERVAL.
  // The parts whose rows they change are rewritten alone (merge_rules.cpp).
  std::vector<std::string> retention_filters;
  std::vector<std::string> downsample;
  std::optional<uint64_t> max_disk_bytes;  // stands in for the free space of every directory
  unsigned jobs = 0;                     // partitions (and tables) merged in parallel; 0 = CPUs
  // For tests: the clock (retention deadline, current month) and the part-name counter seed.
  int64_t now_ms = 0;                    // 0 = the wall clock
  uint64_t name_seed_ns = 0;             // 0 = the wall clock
};

// One input part of a planned or finished step.
struct MergeInput {
  std::string name;
  std::string kind;        // "small", "big" or "indexdb"
  uint64_t rows = 0;       // rows (data) or items (indexdb)
  uint64_t bytes = 0;      // the policy's part size
  int64_t min_dedup_interval_ms = 0;
};

// A step: a merge or a drop of stale parts, planned (--dry-run) or done.
struct MergeStep {
  std::string table;       // "2023_11" or "indexdb/<generation>"
  std::string action;      // "merge", "rewrite" (one part, without deleted series) or "drop"
  std::string reason;      // "policy", "force", "final-dedup", "retention", "delete", "rules"
  std::vector<MergeInput> inputs;
  std::string output_kind; // "small", "big", "indexdb"; "" for drop
  uint64_t estimated_bytes = 0;  // Σ input bytes (what the server sizes the destination by)
  // Planned rewrites (--delete --dry-run): rows (items) of deleted series the sources hold, and the
  // encoded bytes of their blocks (data parts only).
  uint64_t would_drop = 0, would_drop_bytes = 0;
  // Filled when done:
  bool done = false;
  std::string output_name;       // "" when the output had no rows
  uint64_t output_rows = 0, output_bytes = 0, output_blocks = 0;
  storage::BlockMergeStats stats;   // data merges
  uint64_t rows_dropped_retention = 0;   // drop steps: rows of the dropped parts
  double seconds = 0;
};

// What --delete selected: per index table, the MetricIDs newly marked deleted (or, with --dry-run,
// that would be). Printed before the steps.
struct DeleteReport {
  std::vector<std::string> selectors;
  uint64_t series = 0;             // distinct MetricIDs over every table (a series may have two)
  uint64_t already_deleted = 0;    // matched, but marked deleted before (by the server or a run of ours)
  std::vector<std::pair<std::string, uint64_t>> tables;  // rel path -> MetricIDs marked there
  bool cache_reset = false;        // cache/reset_cache_on_startup written
};

struct MergeSummary {
  uint64_t tables = 0, merges = 0, drops = 0;
  uint64_t parts_in = 0, parts_out = 0;
  uint64_t rows_in = 0, rows_out = 0;    // data rows
  uint64_t items_in = 0, items_out = 0;  // indexdb items (--indexdb)
  uint64_t dropped_dedup = 0, dropped_retention = 0, dropped_deleted = 0;
  uint64_t dropped_retention_filter = 0, dropped_downsampled = 0;
  uint64_t bytes_before = 0, bytes_after = 0;
  uint64_t skipped = 0;   // force merges skipped for lack of disk space
  uint64_t damaged = 0;   // damaged parts left in place by --skip-damaged
  double seconds = 0;
};

// Runs the operation: prints each step (and, without --dry-run, a summary) to `out` as text or
// JSON lines; warnings go to stderr. `stop` (optional) aborts running merges cleanly.
Status run_merge(const MergeOptions& opt, Output& out, MergeSummary* summary, const std::atomic<bool>* stop = nullptr);

// The tool: run_merge with SIGINT/SIGTERM wired to a clean stop, exit code 3 when a force merge
// was skipped for lack of disk space.
Status run_merge_tool(const MergeOptions& opt, int* exit_code);

// Renderers (merge_render.cpp), shared with the tests.
void render_step(Bytes& out, const MergeStep& s, bool json, bool dry_run);
void render_summary(Bytes& out, const MergeSummary& s, bool json);
void render_delete(Bytes& out, const DeleteReport& d, bool json, bool dry_run);
// One line per retention filter and downsampling filter: how many MetricIDs it covers.
void render_rules(Bytes& out, const std::vector<std::pair<std::string, uint64_t>>& filters,
                  const std::vector<std::pair<std::string, uint64_t>>& groups, bool json);

}  // namespace vmt::ops
