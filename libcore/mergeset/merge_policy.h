// Merge policy: which parts of a table v1.93.7 merges together (appendPartsToMerge).
//
// Spec: mergeset.md §13.1 (constants), §13.3 (the algorithm). A pure function over part sizes
// (Σ of the four .bin files, PartReader::size_bytes / TablePart::size_bytes), so tools can plan
// merges the way vmstorage would and tests can drive it with synthetic sizes:
//   1. fewer than 2 candidates: nothing;
//   2. drop parts larger than maxOutBytes / 1.7; sort the rest by size, ascending;
//   3. maxSrc = min(maxParts, count), minSrc = max(2, ceil(maxSrc / 2));
//   4. for each window length w in [minSrc, maxSrc] and each window of w consecutive parts: skip
//      it if smallest·w < largest; stop this w once its total exceeds maxOutBytes; score =
//      total / largest; keep the best (ties go to later windows);
//   5. merge only if the best score >= max(maxParts / 2, 1.7).
// Go sorts with the unstable sort.Slice; we sort stably, so among equal sizes the earlier input
// index comes first. Floating-point steps are the same IEEE operations as Go's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmt::mergeset {

constexpr size_t kDefaultPartsToMerge = 15;   // defaultPartsToMerge
constexpr size_t kFinalPartsToMerge = 2;      // finalPartsToMerge
constexpr double kMinMergeMultiplier = 1.7;   // minMergeMultiplier
constexpr uint64_t kMaxPartSize = 400000000000ull;  // maxPartSize: 400e9 bytes

// Appends to dst the indexes (into `sizes`) of the parts to merge, smallest first; appends
// nothing when no merge is worth it. max_parts_to_merge must be >= 2 (values below are treated as
// 2; Go panics).
void append_parts_to_merge(std::vector<size_t>& dst, std::span<const uint64_t> sizes, size_t max_parts_to_merge,
                           uint64_t max_out_bytes);

}  // namespace vmt::mergeset
