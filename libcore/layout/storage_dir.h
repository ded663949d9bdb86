// StorageDir: what a vmstorage -storageDataPath holds, discovered read-only.
//
// Spec: storage-layout.md §1-§3, data-part.md §1, §16, indexdb.md §1.
//   data/small/YYYY_MM/  data/big/YYYY_MM/   one partition per UTC month; parts.json in small/ only
//   indexdb/<16 upper-case hex>/             mergeset tables; sorted by name the last three are
//                                            prev, curr, next (older ones are deleted at open)
//   metadata/minTimestampForCompositeIndex   8 bytes, zig-zag i64 BE
// Discovery follows the server's open rules without changing anything: a partition exists if
// either small/ or big/ has it; without parts.json every subdirectory (but tmp, txn, snapshots and
// *.must-remove.*) is a part; a listed part that is missing is recorded (the server would panic);
// an unlisted directory is recorded as garbage (the server would delete it). Missing empty
// directories (git drops them) are tolerated, as the server tolerates them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace vmt::layout {

struct PartEntry {
  std::string name;
  std::string path;     // full path of the part directory
  bool big = false;     // lives in data/big (data parts only)
  bool listed = false;  // named by parts.json (or, without parts.json, found by the scan)
  bool exists = false;  // the directory is there
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

struct Generation {
  std::string name;  // 16 upper-case hex digits
  uint64_t generation = 0;
  std::string path;
  std::string role;  // "prev", "curr", "next", or "stale" (would be deleted at open)
  bool has_parts_json = false;
  std::vector<PartEntry> parts;
};

struct StorageDir {
  std::string root;
  std::vector<Partition> partitions;    // sorted by name
  std::vector<Generation> generations;  // sorted by name
  std::optional<int64_t> min_timestamp_for_composite_index;
  std::vector<std::string> notes;  // harmless oddities seen (stray tmp files, ...)

  const Generation* curr() const;
  const Generation* prev() const;
  // The generations queries search: curr, then prev.
  std::vector<const Generation*> searched_generations() const;
};

// Discovers the layout. Fails only when `root` is not a readable directory or a parts.json is
// unreadable or malformed; every other oddity is recorded for `verify` to report.
Result<StorageDir> open_storage_dir(const std::string& root);

// Parses "YYYY_MM" (Go layout "2006_01") and gives the month's time range in ms, UTC.
bool parse_partition_name(const std::string& name, int64_t* min_ts, int64_t* max_ts);
// The partition name of a timestamp in ms.
std::string partition_name_for(int64_t ts_ms);

// Reads metadata/minTimestampForCompositeIndex (8 bytes, zig-zag i64 BE).
Result<int64_t> read_min_timestamp_for_composite_index(const std::string& root);

}  // namespace vmt::layout
