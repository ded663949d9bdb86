#include "storage/merge_policy.h"

#include <algorithm>

namespace vmt::storage {

std::vector<size_t> sort_for_optimal_merge(std::span<const PolicyPart> parts) {
  std::vector<size_t> idx(parts.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    if (parts[a].size == parts[b].size) return parts[a].min_timestamp > parts[b].min_timestamp;
    return parts[a].size < parts[b].size;
  });
  return idx;
}

void append_parts_to_merge(std::vector<size_t>& dst, std::span<const PolicyPart> parts, size_t max_parts,
                           uint64_t max_out_bytes, bool* need_free_space) {
  bool need_free = false;
  if (need_free_space) *need_free_space = false;
  if (parts.size() < 2) return;
  if (max_parts < 2) max_parts = 2;

  // Too big parts never participate; this also keeps the O(n^2) search small.
  const uint64_t max_in_part = uint64_t(double(max_out_bytes) / kMinMergeMultiplier);
  std::vector<PolicyPart> kept;
  std::vector<size_t> kept_idx;
  size_t skipped = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size > max_in_part) {
      ++skipped;
      continue;
    }
    kept.push_back(parts[i]);
    kept_idx.push_back(i);
  }
  need_free = skipped > 1;
  const std::vector<size_t> order = sort_for_optimal_merge(kept);
  std::vector<uint64_t> size(order.size());
  for (size_t i = 0; i < order.size(); ++i) size[i] = kept[order[i]].size;

  const size_t max_src = std::min(max_parts, size.size());
  const size_t min_src = std::max<size_t>((max_src + 1) / 2, 2);
  size_t best_start = 0, best_len = 0;
  double max_m = 0;
  for (size_t len = min_src; len <= max_src; ++len) {
    for (size_t j = 0; j + len <= size.size(); ++j) {
      uint64_t out = 0;
      for (size_t k = j; k < j + len; ++k) out += size[k];
      if (out > max_out_bytes) need_free = true;
      const uint64_t smallest = size[j], largest = size[j + len - 1];
      if (smallest * uint64_t(len) < largest) continue;  // unbalanced window (Go: uint64 arithmetic)
      if (out > max_out_bytes) break;                    // longer offsets of this length only grow
      const double m = double(out) / double(largest);
      if (m < max_m) continue;
      max_m = m;
      best_start = j;
      best_len = len;
    }
  }
  if (need_free_space) *need_free_space = need_free;
  const double min_m = std::max(double(max_parts) / 2, kMinMergeMultiplier);
  if (max_m < min_m) return;
  for (size_t k = best_start; k < best_start + best_len; ++k) dst.push_back(kept_idx[order[k]]);
}

std::vector<size_t> get_parts_to_merge(std::span<const PolicyPart> parts, uint64_t max_out_bytes, bool is_final) {
  std::vector<size_t> res;
  if (is_final) {
    for (size_t n = kDefaultPartsToMerge; res.empty() && n >= kFinalPartsToMerge; --n) {
      append_parts_to_merge(res, parts, n, max_out_bytes);
    }
  } else {
    append_parts_to_merge(res, parts, kDefaultPartsToMerge, max_out_bytes);
  }
  return res;
}

std::vector<std::vector<size_t>> optimal_merge_chunks(std::span<const PolicyPart> parts) {
  const std::vector<size_t> order = sort_for_optimal_merge(parts);
  std::vector<std::vector<size_t>> chunks;
  for (size_t i = 0; i < order.size(); i += kDefaultPartsToMerge) {
    const size_t end = std::min(order.size(), i + kDefaultPartsToMerge);
    chunks.emplace_back(order.begin() + ptrdiff_t(i), order.begin() + ptrdiff_t(end));
  }
  return chunks;
}

uint64_t merge_workers(unsigned cpus) {
  return std::max<uint64_t>(std::min<uint64_t>((uint64_t(cpus) + 1) / 2, 16), 4);
}

uint64_t max_out_bytes(uint64_t free_bytes, uint64_t workers) {
  return std::min<uint64_t>(free_bytes / std::max<uint64_t>(workers, 1), kMaxBigPartSize);
}

uint64_t max_big_part_size(uint64_t free_big_bytes) { return max_out_bytes(free_big_bytes, kBigMergeWorkers); }

uint64_t max_small_part_size(uint64_t memory_remaining, uint64_t free_small_bytes, unsigned cpus) {
  const uint64_t by_memory = std::max<uint64_t>(memory_remaining / 15, kMinSmallPartSizeByMemory);
  return std::min(by_memory, max_out_bytes(free_small_bytes, merge_workers(cpus)));
}

uint64_t max_inmemory_part_size(uint64_t memory_allowed) {
  return std::max<uint64_t>(uint64_t(0.1 * double(memory_allowed) / 20), kMinInmemoryPartSize);
}

MemoryLimits memory_limits(uint64_t total, double allowed_percent) {
  MemoryLimits m;
  m.allowed = uint64_t(double(total) * allowed_percent / 100);
  m.remaining = total - std::min(total, m.allowed);
  return m;
}

const char* part_type_name(PartType t) {
  switch (t) {
    case PartType::kInmemory: return "in-memory";
    case PartType::kSmall: return "small";
    case PartType::kBig: return "big";
  }
  return "?";
}

PartType dst_part_type(uint64_t src_size, bool is_final, bool any_file_part, uint64_t max_small,
                       uint64_t max_inmemory) {
  if (src_size > max_small) return PartType::kBig;
  if (is_final || src_size > max_inmemory) return PartType::kSmall;
  if (any_file_part) return PartType::kSmall;
  return PartType::kInmemory;
}

}  // namespace vmt::storage
