#include "mergeset/merge_policy.h"

#include <algorithm>

namespace vmt::mergeset {

void append_parts_to_merge(std::vector<size_t>& dst, std::span<const uint64_t> sizes, size_t max_parts_to_merge,
                           uint64_t max_out_bytes) {
  if (sizes.size() < 2) return;
  if (max_parts_to_merge < 2) max_parts_to_merge = 2;

  // Filter out too big parts; this keeps the O(n^2) search below small.
  const uint64_t max_in_part_bytes = uint64_t(double(max_out_bytes) / kMinMergeMultiplier);
  std::vector<size_t> src;
  src.reserve(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] <= max_in_part_bytes) src.push_back(i);
  }
  std::stable_sort(src.begin(), src.end(), [&](size_t a, size_t b) { return sizes[a] < sizes[b]; });

  const size_t max_src = std::min(max_parts_to_merge, src.size());
  const size_t min_src = std::max<size_t>(2, (max_src + 1) / 2);

  // Exhaustive search for the window with the lowest write amplification.
  size_t best_start = 0, best_len = 0;
  double max_m = 0;
  for (size_t w = min_src; w <= max_src; ++w) {
    for (size_t j = 0; j + w <= src.size(); ++j) {
      const uint64_t smallest = sizes[src[j]];
      const uint64_t largest = sizes[src[j + w - 1]];
      if (smallest * uint64_t(w) < largest) continue;  // too unbalanced (Go: uint64 arithmetic)
      uint64_t out_size = 0;
      for (size_t k = j; k < j + w; ++k) out_size += sizes[src[k]];
      if (out_size > max_out_bytes) break;  // bigger windows of this length only grow
      const double m = double(out_size) / double(largest);
      if (m < max_m) continue;
      max_m = m;
      best_start = j;
      best_len = w;
    }
  }

  double min_m = double(max_parts_to_merge) / 2;
  if (min_m < kMinMergeMultiplier) min_m = kMinMergeMultiplier;
  if (max_m < min_m) return;
  for (size_t k = best_start; k < best_start + best_len; ++k) dst.push_back(src[k]);
}

}  // namespace vmt::mergeset
