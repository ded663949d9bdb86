// StorageDir: what a vmstorage -storageDataPath holds, discovered read-only.
//
// Spec: storage-layout.md §1-§3, data-part.md §1, §16, indexdb.md §1; doc/flavours.md §1-§3.
//   data/small/YYYY_MM/  data/big/YYYY_MM/   one partition per UTC month; parts.json in small/ only
//   data/indexdb/YYYY_MM/                    v1.133+: the partition's index (a mergeset table)
//   indexdb/<16 upper-case hex>/             mergeset tables; sorted by name the last three are
//                                            prev, curr, next (older ones are deleted at open);
//                                            legacy (read-only) next to per-partition indexes
//   metadata/minTimestampForCompositeIndex   8 bytes, zig-zag i64 BE
// Discovery follows the server's open rules without changing anything: a partition exists if
// either small/ or big/ has it; without parts.json every subdirectory (but tmp, txn, snapshots and
// *.must-remove.*) is a part; a listed part that is missing is recorded (the server would panic);
// an unlisted directory is recorded (the server would delete it) with what it is
// (PartEntry::leftover, layout/pending_parts.h). Missing empty
// directories (git drops them) are tolerated, as the server tolerates them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "layout/flavour.h"
#include "metric/tenancy.h"

namespace vmt::layout {

struct PartEntry {
  std::string name;
  std::string path;     // full path of the part directory
  bool big = false;     // lives in data/big (data parts only)
  bool listed = false;  // named by parts.json (or, without parts.json, found by the scan)
  bool exists = false;  // the directory is there
  // For an unlisted directory that is provably ours or no part at all, why (a temporary directory
  // of our writers, one named in tsdb-tools.pending, a half-removed or an empty directory): our
  // writers remove those. Empty for a listed part, and for an unlisted one nobody can vouch for,
  // which no writer deletes (the server does, at open) and verify reports as a problem.
  std::string leftover;
};

struct Partition {
  std::string name;       // YYYY_MM
  std::string small_dir;  // data/small/YYYY_MM (may be missing)
  std::string big_dir;    // data/big/YYYY_MM (may be missing)
  bool has_parts_json = false;
  bool name_valid = false;  // parses as YYYY_MM
  int64_t min_timestamp = 0, max_timestamp = 0;  // the month's [first ms, last ms] when name_valid
  std::vector<PartEntry> parts;                  // listed parts first (small then big), then unlisted dirs
};

// A mergeset table holding index items: an indexdb generation (indexdb/<16 hex>) or, from v1.133,
// a partition's index (data/indexdb/YYYY_MM).
struct IndexTable {
  std::string name;          // 16 upper-case hex digits, or YYYY_MM
  uint64_t generation = 0;   // generations only
  std::string path;
  std::string rel;           // "indexdb/<gen>" or "data/indexdb/YYYY_MM", for reports
  // Generations: "prev", "curr", "next", or "stale" (deleted at open; under the per-partition
  // layout the newest of three is deleted too, doc/flavours.md §3). Partition indexes: "partition".
  std::string role;
  bool legacy = false;       // a generation next to per-partition indexes: searched, never written
  bool has_parts_json = false;
  std::vector<PartEntry> parts;
};

struct StorageDir {
  std::string root;
  std::vector<Partition> partitions;         // sorted by name
  std::vector<IndexTable> generations;       // indexdb/<gen>, sorted by name
  std::vector<IndexTable> partition_indexes; // data/indexdb/YYYY_MM, sorted by name
  std::optional<int64_t> min_timestamp_for_composite_index;
  std::vector<std::string> notes;  // harmless oddities seen (stray tmp files, ...)
  bool locked = false;             // flock.lock is held: a running server owns the directory

  // What the bytes say: the index layout always (data/indexdb/ present); the tenancy when a data
  // part or an index item shows it (tenancy_evidence names which), else nullopt.
  IndexLayout index_layout = IndexLayout::kGenerations;
  std::optional<metric::Tenancy> tenancy;
  std::string tenancy_evidence;
  // The flavour to read and write with: detected, checked against --target when given, or the
  // target (default kDefaultFlavour) for whatever was not detectable. Set by resolve_flavour.
  Flavour flavour;

  const IndexTable* curr() const;
  const IndexTable* prev() const;
  // The generations queries search: curr, then prev (legacy ones under the per-partition layout).
  std::vector<const IndexTable*> searched_generations() const;
  // The index of partition `name` (per-partition layout), or nullptr.
  const IndexTable* partition_index(const std::string& name) const;
  // Every table a query over all time searches: the partition indexes, then curr and prev.
  std::vector<const IndexTable*> searched_tables() const;
  // Every index table, searched or not.
  std::vector<const IndexTable*> all_tables() const;
};

// Discovers the layout. Fails only when `root` is not a readable directory or a parts.json is
// unreadable or malformed; every other oddity is recorded for `verify` to report.
// The flavour is detected and then resolved against `target` (nullptr: none given): a usage
// error (invalid_argument) names both when they disagree. A directory with neither data/ nor
// indexdb/ is not a storage directory: invalid_argument.
Result<StorageDir> open_storage_dir(const std::string& root, const Flavour* target = nullptr);

// Chooses sd->flavour from what was detected and `target` (see StorageDir::flavour). A directory
// written with generations may be given a per-partition target (the v1.148 server upgrades it in
// place); the reverse, and any tenancy mismatch, is refused.
Status resolve_flavour(StorageDir* sd, const Flavour* target);

// The tenancy of one data part: the metaindex rows and the first block header decode only with the
// right TSID width. nullopt when the part decodes either way or neither way (damaged).
std::optional<metric::Tenancy> detect_part_tenancy(const std::string& part_dir);
// The tenancy of one mergeset part of an index, from the size of its first MetricID->TSID item
// (49 bytes cluster, 33 single-node); nullopt when it has none.
std::optional<metric::Tenancy> detect_index_part_tenancy(const std::string& part_dir);

// Parses "YYYY_MM" (Go layout "2006_01") and gives the month's time range in ms, UTC.
bool parse_partition_name(const std::string& name, int64_t* min_ts, int64_t* max_ts);
// The partition name of a timestamp in ms.
std::string partition_name_for(int64_t ts_ms);

// Reads metadata/minTimestampForCompositeIndex (8 bytes, zig-zag i64 BE).
Result<int64_t> read_min_timestamp_for_composite_index(const std::string& root);

}  // namespace vmt::layout
