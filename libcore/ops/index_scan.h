// Opening a storage directory for the read-only tools, and which index tables they scan; the
// names and deleted sets they read from those tables are query/name_index.h.
// Spec: indexdb.md §1.3 (curr and prev are searched), §6.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "layout/storage_dir.h"
#include "query/name_index.h"

namespace vmt::ops {

// open_storage_dir for the read-only tools: warns on stderr when a running server holds the
// directory (its flock.lock is taken), since what is read may change while it is read.
Result<layout::StorageDir> open_for_reading(const std::string& dir, const layout::Flavour* target);

// The tables queries search (partition indexes, curr, prev) or all of them.
std::vector<const layout::IndexTable*> tables_to_scan(const layout::StorageDir& sd, bool all);

// The names and deleted sets live in query (reshard reads them too); the ops that scan indexes
// use them under these names.
using query::for_each_item;
using query::load_name_index;
using query::NameIndex;

}  // namespace vmt::ops
