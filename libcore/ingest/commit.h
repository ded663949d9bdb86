// commit_import: makes the parts an import wrote visible to vmstorage, in an order that leaves a
// directory the server opens with the old or the new content whenever the process dies.
//
// Spec: data-part.md §14-§16 and mergeset.md §3 (a part is visible only once listed in parts.json;
// an unlisted directory is deleted at open; a listed one that is missing is fatal; parts.json is
// replaced atomically: tmp file, fsync, rename, fsync dir), storage-layout.md §6.2 (adding a part:
// build under a temporary name, fsync, rename, then list it; indexdb items are required for the
// data to be found), §6.2 step 5 (data without index is hidden; index without data is harmless).
//
// Before commit_import, every part was written completely under a temporary name
// (TargetDir::kTempPrefix + final name) and fsynced (files, then the part directory). Then:
//   0. every final path is added to <root>/tsdb-tools.pending (layout/pending_parts.h);
//   1. the index parts (one in the curr generation, or one per partition index of the
//      per-partition layout) are renamed to their final names; table dirs fsynced;
//   2. each data part is renamed to its final name in data/small/P or data/big/P; dirs fsynced;
//   3. each index table's parts.json is replaced (existing names + the new part): INDEX COMMIT
//      (per table: a kill between two tables leaves index items without data, which is harmless);
//   4. for each partition, in name order, data/small/P/parts.json is replaced (existing small and
//      big names + the new ones): DATA COMMIT of that partition.
//   5. the journal is cleared.
// A kill before 3 leaves only unlisted directories (deleted by the server at open, and, being in
// the journal, by the next import or merge). Between 3 and 4 the index names series whose samples are not visible yet: harmless.
// Within 4 each partition switches atomically on its own; an import that spans several months
// may be interrupted with some months committed and others not (the format has no cross-partition
// commit); rerunning it would then duplicate the committed months' samples.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "ingest/target_dir.h"

namespace vmt::ingest {

struct NewDataPart {
  std::string partition;  // YYYY_MM
  std::string temp_dir;   // where it was written (inside data/small/P)
  std::string name;       // its final name
  bool big = false;       // goes to data/big/P
  // For the importer's bookkeeping (not used by the commit):
  uint64_t size_bytes = 0;
  uint64_t rows = 0;
  int64_t min_timestamp = 0;
  bool interim = false;   // named with TargetDir::new_interim_part_name: to be merged, or renamed
};

struct NewIndexPart {
  std::string table_dir;  // the curr generation, or a partition's index (data/indexdb/P)
  std::string temp_dir;   // where it was written (inside the table)
  std::string name;
};

// Test hook: called with the step number (1-4) before each step; returning false stops there,
// simulating a crash. The environment variable VMT_IMPORT_COMMIT_DELAY_MS (tests only) sleeps that
// long before each step, so that a kill -9 can land between the steps.
using CommitHook = bool (*)(int step);

Status commit_import(TargetDir& dir, const std::vector<NewIndexPart>& index, const std::vector<NewDataPart>& data,
                     CommitHook hook = nullptr);

}  // namespace vmt::ingest
