// The -storageNode list and the node hashes vminsert derives from it.
//
// Spec: routing.md §3.1-§3.2. Go: app/vminsert/netstorage/consistent_hash.go, lib/flagutil/array.go
// (v1.93.7-cluster).
//
//   nodeHash[i] = xxhash64(addr_i)        addr_i exactly as given: no default ":8400", no trimming,
//                                          no sorting; i is the position in the flag list
//   hashSeed    = 0                        a first-level vminsert
//               = 0xABCDEF0123456789       with -clusternativeListenAddr (multi-level, §7)
//
// A flag value holds one or more addresses separated by ','; an item that starts with '"' runs to
// its closing quote and is unquoted (\" and \\), so an address may contain a comma. The flag may be
// repeated; the lists are concatenated. Empty or duplicate addresses abort vminsert at start-up:
// parse_storage_nodes rejects them (invalid_argument).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::route {

constexpr uint64_t kMultilevelHashSeed = 0xABCDEF0123456789ULL;  // -clusternativeListenAddr set

// hashSeed of consistent_hash.go for a first-level (false) or second-level (true) vminsert.
inline uint64_t hash_seed(bool multilevel) { return multilevel ? kMultilevelHashSeed : 0; }

// xxhash64 (seed 0) of the exact -storageNode string.
uint64_t node_hash(ByteView addr);

// Splits each flag value like flagutil.Array and validates the whole list: at least one address,
// none empty, no duplicates.
Result<std::vector<std::string>> parse_storage_nodes(const std::vector<std::string>& flag_values);

// One flag value split into its items, as flagutil.Array.Set does (no validation).
std::vector<std::string> split_array_flag(const std::string& value);

}  // namespace vmt::route
