// Internals of tsdb-merge shared by merge_data.cpp, merge_indexdb.cpp and merge_run.cpp (not a
// public interface): the run's environment, part names, free space, and the file steps of the
// merge transaction (merge.h).
#pragma once

#include <chrono>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "layout/pending_parts.h"
#include "layout/storage_dir.h"
#include "ops/merge.h"
#include "query/index_search.h"
#include "query/selector.h"
#include "storage/part_check.h"
#include "storage/series_rules.h"

namespace vmt::ops::merge_detail {

// Prefix of the directory a merge output is built in, next to where it will live.
constexpr const char* kTempPrefix = layout::kMergeTempPrefix;

// --retention-filter SELECTOR:DURATION (one item of the flag's comma list).
struct RetentionFilter {
  std::string text;
  query::Selector selector;
  int64_t duration_ms = 0;
};
// --downsample levels that share one filter ("" = every series), in the order the filter first
// appears (the first group matching a series is the one applied to it).
struct DownsampleGroup {
  std::string filter_text;
  std::optional<query::Selector> selector;
  std::vector<storage::DownsampleLevel> rule_levels;   // by offset; empty: "do not downsample"
};

struct Env {
  MergeOptions opt;
  int64_t now_ms = 0;
  int64_t retention_deadline_ms = INT64_MIN;   // now - retention, or INT64_MIN
  layout::Flavour flavour;                     // of the directory (StorageDir::flavour)
  std::vector<uint64_t> deleted_metric_ids;    // sorted: ns 4 of (legacy) curr and prev
  // Per-partition layout: partition -> its index's ns 4 ∪ deleted_metric_ids, sorted.
  std::map<std::string, std::vector<uint64_t>> deleted_in_partition;
  const std::vector<uint64_t>& deleted_for(const std::string& partition) const {
    auto it = deleted_in_partition.find(partition);
    return it == deleted_in_partition.end() ? deleted_metric_ids : it->second;
  }
  bool purge = false;   // --delete: rewrite what holds deleted series, index items included
  // --retention-filter / --downsample, parsed, and the rules they give each partition's series.
  std::vector<RetentionFilter> retention_filters;
  std::vector<DownsampleGroup> downsample_groups;
  std::map<std::string, storage::SeriesRules> rules_in_partition;
  const storage::SeriesRules* rules_for(const std::string& partition) const {
    auto it = rules_in_partition.find(partition);
    return it == rules_in_partition.end() || it->second.empty() ? nullptr : &it->second;
  }
  // The deleted MetricIDs that apply to an index table: a partition index's own and the legacy
  // ones, or (generations) the legacy ones.
  const std::vector<uint64_t>& deleted_for_table(const layout::IndexTable& t) const {
    return t.role == "partition" ? deleted_for(t.name) : deleted_metric_ids;
  }
  uint64_t memory_total = 0;
  unsigned cpus = 1;
  bool background_writer = false;             // a core is free for each merge's writer thread
  const std::atomic<bool>* stop = nullptr;
  std::atomic<uint64_t> rows_done{0};          // progress: source rows read by finished merges
  std::atomic<uint64_t> rows_running{0};       // ... and by the running ones

  bool stopped() const { return stop && stop->load(std::memory_order_relaxed); }

  // MetricID -> TSID (ns 2) of the index that queries of `partition` search (the partition's own
  // and the legacy ones, or curr and prev), loaded at first use; for storage::check_part.
  const layout::StorageDir* sd = nullptr;
  Result<storage::IndexTsidLookup> index_tsids(const std::string& partition);
  std::mutex tsid_mu;
  std::map<std::string, storage::IndexTsidLookup> tsid_scopes;
  // statvfs free bytes of path (or of its nearest existing parent), or --max-disk.
  uint64_t free_bytes(const std::string& path) const;
};

// The wall clock in ns (part names, the run's "now").
inline uint64_t now_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

// The result of one table's work (a partition or an indexdb table).
struct TableResult {
  std::vector<MergeStep> steps;
  std::vector<std::string> warnings;
  uint64_t skipped = 0;
  uint64_t damaged = 0;   // parts held back by --skip-damaged
  Status status;
};

// %016X names: the wall clock in ns (or the seed), raised above every 16-hex name in `dirs`,
// never one that exists in any of them.
class PartNamer {
 public:
  Status init(const std::vector<std::string>& dirs, uint64_t seed_ns);
  std::string next();

 private:
  std::vector<std::string> dirs_;
  uint64_t counter_ = 0;
};

// What our writers remove before merging in `dir` (a small/ or big/ partition directory, or an
// index table): *.must-remove.*, tmp/, txn/, our kTempPrefix* outputs, half-removed directories
// (holding .delete-this-dir: v1.123+) and empty ones. When `listed` is given (parts.json exists),
// any other unlisted subdirectory is left in place and named in *foreign: vmstorage would delete
// it at open, but it may hold the only copy of data a damaged parts.json lost (the parts a kill
// left renamed but unlisted are ours by tsdb-tools.pending, removed at the start of the run).
// fsyncs dir if anything was removed.
Status remove_leftovers(const std::string& dir, const std::vector<std::string>* listed,
                        std::vector<std::string>* foreign);
// "TABLE: left in place N directories parts.json does not list: A, B (...)".
std::string unlisted_warning(const std::string& table, const std::vector<std::string>& names);
// mkdir -p with each created component's parent fsynced.
Status mkdir_durable(const std::string& path);
// Step 4 of the transaction, as the directory's server removes directories: up to v1.122 rename
// to <path>.must-remove.<N> and remove; from v1.123 (delete_marker) create <path>/.delete-this-dir,
// fsync it, and remove (a kill leaves a directory the server finishes removing at open). Then
// fsync each parent once (after the commit nothing depends on it: it only makes the removal
// itself durable sooner).
constexpr const char* kDeleteMarker = layout::kDeleteMarker;
Status remove_part_dirs(const std::vector<std::string>& paths, bool delete_marker);

// Adds a part holding `items` (sorted, at least one) to index table g with the merge transaction
// (no sources): built under kTempPrefix, renamed, then listed in parts.json (the commit).
Status add_table_part(Env& env, const layout::IndexTable& g, const std::vector<Bytes>& items, std::string* name);

// The MetricIDs the selectors (OR-ed; none = every series) match in one index table over all time
// in each of `tenants`, united and sorted: how the server's delete API and its enterprise rules
// resolve series (deleted MetricIDs included). merge_delete.cpp.
Result<std::vector<uint64_t>> match_all_time(query::TableSearch& ts, const std::vector<metric::Tenant>& tenants,
                                             const std::vector<query::Selector>& sels);

// --delete, before any merge (merge_delete.cpp): resolves the selectors in every index table a
// query searches, writes cache/reset_cache_on_startup, then adds the new ns 4 items to each table
// (none of it with --dry-run), and adds the MetricIDs to env's deleted sets.
Status mark_deleted(Env& env, const layout::StorageDir& sd, DeleteReport* report);

// --retention-filter and --downsample (merge_rules.cpp): the flags' values parsed (usage errors
// name the item), and, before any merge, each partition's series resolved into rules.
struct RulesReport {
  std::vector<uint64_t> filters;   // MetricIDs per retention filter, summed over partitions
  std::vector<uint64_t> groups;    // MetricIDs a downsample group applies to, summed over partitions
};
Result<std::vector<RetentionFilter>> parse_retention_filters(const std::vector<std::string>& values,
                                                             std::optional<int64_t> retention_ms);
Result<std::vector<DownsampleGroup>> parse_downsampling(const std::vector<std::string>& values);
Status resolve_series_rules(Env& env, const layout::StorageDir& sd, RulesReport* report);

// The work of one data partition / one indexdb table (merge_data.cpp, merge_indexdb.cpp).
TableResult run_partition(Env& env, const layout::Partition& p);
TableResult run_table(Env& env, const layout::IndexTable& g);

// The directory checked (a storage directory, no vmrestore in progress), vmstorage's flock.lock
// taken, and the parts an interrupted run renamed but never listed removed (merge_env.cpp).
Status open_for_writing(const MergeOptions& opt, fs::FlockFile& lock);
// Deleted MetricIDs of (legacy) curr and prev apply everywhere; a partition index's own only to
// its partition (doc/flavours.md §2, ns 4).
Status load_deleted(const layout::StorageDir& sd, Env& env);
// --remove-unlisted NAME: the unlisted part directories the user named, removed.
Status remove_unlisted_by_name(const layout::StorageDir& sd, const MergeOptions& opt);

}  // namespace vmt::ops::merge_detail
