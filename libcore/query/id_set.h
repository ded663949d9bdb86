// A set of MetricIDs for membership tests, and the set operations on sorted unique MetricID
// vectors that selector search combines its filters' answers with.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmt::query {

// A set of MetricIDs for membership tests in tight loops: a bitmap when the ids are dense (they
// are allocated from a counter), else binary search.
class IdSet {
 public:
  IdSet() = default;
  explicit IdSet(std::vector<uint64_t> sorted_ids);
  bool contains(uint64_t id) const;
  size_t size() const { return ids_.size(); }
  const std::vector<uint64_t>& ids() const { return ids_; }

 private:
  std::vector<uint64_t> ids_;
  uint64_t base_ = 0;
  std::vector<uint64_t> bits_;
};

// Sorted-set helpers over sorted unique MetricIDs.
std::vector<uint64_t> intersect_ids(std::span<const uint64_t> a, std::span<const uint64_t> b);
std::vector<uint64_t> subtract_ids(std::span<const uint64_t> a, std::span<const uint64_t> b);
std::vector<uint64_t> unite_ids(std::span<const uint64_t> a, std::span<const uint64_t> b);

// Makes [begin, end) a sorted set: sorts unless already in order (index scans mostly read in
// order) and drops repeats (a MetricID in several parts or tables). Returns the count kept.
template <class T>
size_t sort_unique(T* begin, T* end) {
  if (!std::is_sorted(begin, end)) std::sort(begin, end);
  return size_t(std::unique(begin, end) - begin);
}
inline void sort_unique(std::vector<uint64_t>& v) { v.resize(sort_unique(v.data(), v.data() + v.size())); }

}  // namespace vmt::query
