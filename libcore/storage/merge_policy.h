// Merge policy for data parts: which parts of a partition vmstorage merges together, and where
// the result goes. Pure functions over part sizes, so a tool can plan merges the way the server
// would and tests can drive them with synthetic part sets.
//
// Spec: merge.md §3 (getPartsToMerge, appendPartsToMerge, mergePartsOptimal), §5 (limits and the
// destination tier), §10 (force merge). Source: lib/storage/partition.go @ v1.93.7-cluster.
//   size            Σ of the four .bin files of a part (data-part.md §3)
//   sort            size ascending; equal sizes by MinTimestamp DESCENDING (sortPartsForOptimalMerge)
//   window          contiguous in that order, length in [max((maxSrc+1)/2, 2), maxSrc]; skipped when
//                   smallest·len < largest; a length stops at the first window over maxOutBytes;
//                   score = Σ size / largest, ">=" so later/longer windows win ties
//   accepted        best score >= max(maxParts / 2, 1.7): 7.5 for 15 parts, 1.7 for 3
//   final           maxParts 15, 14, ..., 3 until something is chosen (finalPartsToMerge = 3)
//   force merge     all parts, sorted as above, in chunks of 15, one output per chunk
//   destination     Σ size > maxSmallPartSize() -> big; else small (every offline source is a
//                   file part, and the server never moves file data back into memory)
// Go sorts with the unstable sort.Slice; we sort stably, so parts equal in size AND MinTimestamp
// keep their input order (Go's order among them is unspecified).
// The mergeset (indexdb) policy differs in its constants and sort: mergeset/merge_policy.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmt::storage {

constexpr size_t kDefaultPartsToMerge = 15;            // defaultPartsToMerge
constexpr size_t kFinalPartsToMerge = 3;               // finalPartsToMerge
constexpr double kMinMergeMultiplier = 1.7;            // minMergeMultiplier
constexpr uint64_t kMaxBigPartSize = 1000000000000ull; // maxBigPartSize: 1e12 bytes
constexpr uint64_t kMinSmallPartSizeByMemory = 10000000;  // the 1e7 floor of maxSmallPartSize
constexpr uint64_t kMinInmemoryPartSize = 1000000;     // the 1e6 floor of maxInmemoryPartSize
constexpr uint64_t kBigMergeWorkers = 4;               // getMaxOutBytes(big, 4): always 4 in v1.93.7

struct PolicyPart {
  uint64_t size = 0;
  int64_t min_timestamp = 0;
};

// sortPartsForOptimalMerge: the indexes of `parts` in merge order.
std::vector<size_t> sort_for_optimal_merge(std::span<const PolicyPart> parts);

// appendPartsToMerge: appends to dst the indexes of the chosen window (in sorted order), or
// nothing. *need_free_space (optional) gets the vm_merge_need_free_disk_space flag. max_parts must
// be >= 2 (Go panics below; we use 2).
void append_parts_to_merge(std::vector<size_t>& dst, std::span<const PolicyPart> parts, size_t max_parts,
                           uint64_t max_out_bytes, bool* need_free_space = nullptr);

// getPartsToMerge over the parts not in a merge (the caller passes only those).
std::vector<size_t> get_parts_to_merge(std::span<const PolicyPart> parts, uint64_t max_out_bytes, bool is_final);

// mergePartsOptimal: every part, sorted, in chunks of 15 (force merge, §3.3 and §10).
std::vector<std::vector<size_t>> optimal_merge_chunks(std::span<const PolicyPart> parts);

// ---- limits (§5.1) ------------------------------------------------------------------------------

// Merge worker count W = max(min((CPUs+1)/2, 16), 4) (no -smallMergeConcurrency).
uint64_t merge_workers(unsigned cpus);
// getMaxOutBytes: min(free / workers, 1e12).
uint64_t max_out_bytes(uint64_t free_bytes, uint64_t workers);
// maxBigPartSize(): the selection cap of every merge = getMaxOutBytes(data/big/P, 4).
uint64_t max_big_part_size(uint64_t free_big_bytes);
// maxSmallPartSize() = min(max(memory.Remaining() / 15, 1e7), getMaxOutBytes(data/small/P, W)).
uint64_t max_small_part_size(uint64_t memory_remaining, uint64_t free_small_bytes, unsigned cpus);
// maxInmemoryPartSize() = max(uint64(0.1 * memory.Allowed() / 20), 1e6).
uint64_t max_inmemory_part_size(uint64_t memory_allowed);

// memory.Allowed() and memory.Remaining() for a machine with `total` bytes and the default
// -memory.allowedPercent=60.
struct MemoryLimits {
  uint64_t allowed = 0;
  uint64_t remaining = 0;
};
MemoryLimits memory_limits(uint64_t total, double allowed_percent = 60);

enum class PartType { kInmemory, kSmall, kBig };
const char* part_type_name(PartType t);   // "in-memory", "small", "big"

// getDstPartType (§5.2).
PartType dst_part_type(uint64_t src_size, bool is_final, bool any_file_part, uint64_t max_small_part_size,
                       uint64_t max_inmemory_part_size);

}  // namespace vmt::storage
