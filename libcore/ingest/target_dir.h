// TargetDir: the vmstorage -storageDataPath an import writes into, created complete when missing,
// locked for the whole run, with the places new parts go and the names they get.
//
// Spec: storage-layout.md §1-§3 (the tree; what vmstorage creates, tolerates, deletes and panics
// on at open), §2.1 (flock.lock), §2.3 / indexdb.md §1.2-§1.3 (generations: 16 upper-case hex
// digits, increasing; with fewer than three the server adds new ones at open, so we add them the
// same way first and curr is the middle one of the last three), §2.5 (minTimestampForCompositeIndex
// is 0 for a fresh store: we always write the composite rows), data-part.md §2 (part names
// %016X), §14 and §16 (parts.json; a partition we create gets an empty one at once, as HEAD does,
// so an interrupted import never leaves a partition whose subdirectories would be taken as parts).
//
// Created when missing, each directory's parent fsynced:
//   flock.lock  data/{small,big}/snapshots/  indexdb/snapshots/  snapshots/
//   metadata/minTimestampForCompositeIndex (8 zero bytes; only when indexdb/ is new, written first)
//   indexdb/<GEN>/parts.json "[]" for each generation added
// Names: one counter, seeded with --part-name-seed or the wall clock in ns (like vmstorage, whose
// own counters, seeded later, are larger), gives generation names above every existing one and
// part names not present in the target directories.
// Temporary directories of an import start with kTempPrefix; the server deletes them at open (they
// are never listed), and the next import removes them, with the parts tsdb-tools.pending names
// that are still unlisted. No other unlisted directory is touched.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/status.h"
#include "layout/pending_parts.h"
#include "metric/tenancy.h"

namespace vmt::ingest {

class TargetDir {
 public:
  static constexpr const char* kTempPrefix = layout::kImportTempPrefix;

  // name_seed 0 means the wall clock in ns.
  // `tenancy`: the layout of every part written here; `per_partition`: the index goes into
  // data/indexdb/YYYY_MM (v1.133+) instead of the curr generation (the caller checked both
  // against what the directory holds). With per_partition no generation is created, and existing
  // ones are left as they are (the server reads them as legacy indexes).
  Status open(const std::string& root, uint64_t name_seed, metric::Tenancy tenancy, bool per_partition = false);
  metric::Tenancy tenancy() const { return tenancy_; }
  bool per_partition() const { return per_partition_; }
  // data/indexdb/P (per-partition layout).
  std::string index_table(const std::string& partition) const;

  const std::string& root() const { return root_; }
  bool created_indexdb() const { return created_indexdb_; }
  const std::string& curr_table() const { return curr_; }
  const std::string& prev_table() const { return prev_; }  // "" when there is none
  const std::vector<std::string>& tables() const { return tables_; }  // every generation dir, sorted
  const std::vector<std::string>& added_tables() const { return added_tables_; }

  std::string small_dir(const std::string& partition) const;
  std::string big_dir(const std::string& partition) const;
  // data/small/P and data/big/P exist and small/P has parts.json (empty when created now); with
  // the per-partition layout data/indexdb/P too, with its parts.json ([] when created now).
  Status ensure_partition(const std::string& partition);

  // %016X of the counter, not present in any of `dirs` and not handed out before.
  std::string new_part_name(const std::vector<std::string>& dirs);
  // The same from a second counter, 2^48 above the first's start: for parts that exist only until
  // they are merged (an import's early parts), so that the names of the parts that stay do not
  // depend on how many of those there were (on --mem-limit).
  std::string new_interim_part_name(const std::vector<std::string>& dirs);
  // Root-relative paths of parts an interrupted import or merge renamed but never listed, removed
  // by open() (layout/pending_parts.h).
  const std::vector<std::string>& removed_pending() const { return removed_pending_; }
  // Removes subdirectories of `dir` named kTempPrefix* (left by an interrupted import).
  Status remove_stale_temp(const std::string& dir);

 private:
  static constexpr uint64_t kInterimOffset = 1ull << 48;
  std::string next_name(uint64_t& counter, const std::vector<std::string>& dirs);
  Status mkdir_durable(const std::string& path);  // each missing component, parent fsynced
  Status open_generations(uint64_t seed);
  Status open_legacy_generations();  // per-partition layout: tables_ = legacy generations + partition indexes

  std::string root_;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  bool per_partition_ = false;
  fs::FlockFile lock_;
  bool created_indexdb_ = false;
  std::vector<std::string> tables_, added_tables_;
  std::string curr_, prev_;
  uint64_t counter_ = 0;
  uint64_t interim_counter_ = 0;  // 0: not started
  std::set<std::string> handed_out_;
  std::vector<std::string> removed_pending_;
};

// Whether a name is a generation directory name: exactly 16 upper-case hex digits.
bool is_generation_name(const std::string& name);

}  // namespace vmt::ingest
