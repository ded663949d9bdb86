// A set of MetricIDs for membership tests, and the set operations on sorted unique MetricID
// vectors that selector search combines its filters' answers with.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Sorted-set helpers over sorted unique MetricID vectors.
std::vector<uint64_t> intersect_ids(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
std::vector<uint64_t> subtract_ids(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
std::vector<uint64_t> unite_ids(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
void sort_unique(std::vector<uint64_t>& v);

}  // namespace vmt::query
