// tsdb-tools.pending: the part directories one of our writers has renamed to their final names
// but not yet listed in parts.json.
//
// Spec: data-part.md §15-§16, mergeset.md §3.3. A new part is built under a temporary name,
// renamed to its final name, then listed; a kill between the rename and the listing leaves a
// complete part that no parts.json names. The server deletes every such directory at open, but our
// writers delete only what is provably theirs (issue: an unlisted part may be the only copy of
// data a damaged parts.json lost). This journal is that proof: before renaming, a writer adds the
// root-relative paths it is about to create ("data/small/2023_11/17A...", "indexdb/18E.../17B...");
// the next writer, under flock.lock, removes those that are still unlisted, then the journal.
//
//   <storageDataPath>/tsdb-tools.pending    one root-relative path per line; replaced atomically
//
// The server ignores files it does not know at the root, so the journal is harmless to it.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace vmt::layout {

constexpr const char* kPendingPartsFile = "tsdb-tools.pending";
// The other names that mark a directory as a leftover our writers (and the server) may remove:
// the temporary directories tsdb-merge and tsdb-import build new parts in, and the file v1.123+
// servers (and our merges of their directories) put in a part before removing it.
constexpr const char* kMergeTempPrefix = "tsdb-merge.tmp.";
constexpr const char* kImportTempPrefix = "tsdb-import.tmp.";
constexpr const char* kDeleteMarker = ".delete-this-dir";

// The journal's entries; empty when there is none. Corruption on a line that is not a path of
// the form above (a part directory two or three levels below the root).
Result<std::set<std::string>> read_pending_parts(const std::string& root);
// Adds `paths` to the journal, durably (atomic replace). Safe to call from several threads.
Status add_pending_parts(const std::string& root, const std::vector<std::string>& paths);
// Removes every journal entry whose directory exists and its parts.json does not list, then the
// journal. An entry whose parts.json is missing or unreadable is left alone (and so is the journal):
// without a valid list nothing can be proven unlisted. *removed gets the removed paths.
Status remove_pending_parts(const std::string& root, std::vector<std::string>* removed);

}  // namespace vmt::layout
