// Internals of tsdb-merge shared by merge_data.cpp, merge_indexdb.cpp and merge_run.cpp (not a
// public interface): the run's environment, part names, free space, and the file steps of the
// merge transaction (merge.h).
#pragma once

#include <atomic>
#include <map>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "layout/storage_dir.h"
#include "ops/merge.h"

namespace vmt::ops::merge_detail {

// Prefix of the directory a merge output is built in, next to where it will live.
constexpr const char* kTempPrefix = "tsdb-merge.tmp.";

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
  uint64_t memory_total = 0;
  unsigned cpus = 1;
  bool background_writer = false;             // a core is free for each merge's writer thread
  const std::atomic<bool>* stop = nullptr;
  std::atomic<uint64_t> rows_done{0};          // progress: source rows read by finished merges
  std::atomic<uint64_t> rows_running{0};       // ... and by the running ones

  bool stopped() const { return stop && stop->load(std::memory_order_relaxed); }
  // statvfs free bytes of path (or of its nearest existing parent), or --max-disk.
  uint64_t free_bytes(const std::string& path) const;
};

// The result of one table's work (a partition or an indexdb table).
struct TableResult {
  std::vector<MergeStep> steps;
  std::vector<std::string> warnings;
  uint64_t skipped = 0;
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

// What vmstorage removes at open (data-part.md §16 step 5, mergeset.md §3.3), done before merging
// in `dir` (a small/ or big/ partition directory, or an index table): *.must-remove.*, tmp/,
// txn/, half-removed directories (empty or holding .delete-this-dir: v1.123+) and, when `listed`
// is given (parts.json exists), every subdirectory it does not name, such as our kTempPrefix*
// outputs or a renamed output a kill left unlisted. fsyncs dir if any.
// *removed_foreign counts removed directories that were not ours.
Status remove_leftovers(const std::string& dir, const std::vector<std::string>* listed, size_t* removed_foreign);
// mkdir -p with each created component's parent fsynced.
Status mkdir_durable(const std::string& path);
// Step 4 of the transaction, as the directory's server removes directories: up to v1.122 rename
// to <path>.must-remove.<N> and remove; from v1.123 (delete_marker) create <path>/.delete-this-dir,
// fsync it, and remove (a kill leaves a directory the server finishes removing at open). Then
// fsync each parent once (after the commit nothing depends on it: it only makes the removal
// itself durable sooner).
constexpr const char* kDeleteMarker = ".delete-this-dir";
Status remove_part_dirs(const std::vector<std::string>& paths, bool delete_marker);

// The work of one data partition / one indexdb table (merge_data.cpp, merge_indexdb.cpp).
TableResult run_partition(Env& env, const layout::Partition& p);
TableResult run_table(Env& env, const layout::IndexTable& g);

}  // namespace vmt::ops::merge_detail
