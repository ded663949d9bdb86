#include "query/id_set.h"

#include <algorithm>
#include <iterator>

namespace vmt::query {

std::vector<uint64_t> intersect_ids(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  std::vector<uint64_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
std::vector<uint64_t> subtract_ids(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  std::vector<uint64_t> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
std::vector<uint64_t> unite_ids(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  std::vector<uint64_t> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

IdSet::IdSet(std::vector<uint64_t> sorted_ids) : ids_(std::move(sorted_ids)) {
  if (ids_.empty()) return;
  const uint64_t span = ids_.back() - ids_.front();
  if (span / 64 <= ids_.size()) {  // at most ~8 bytes of bitmap per id
    base_ = ids_.front();
    bits_.assign(span / 64 + 1, 0);
    for (uint64_t id : ids_) bits_[(id - base_) / 64] |= uint64_t(1) << ((id - base_) % 64);
  }
}

bool IdSet::contains(uint64_t id) const {
  if (!bits_.empty()) {
    if (id < base_) return false;
    uint64_t off = id - base_;
    return off / 64 < bits_.size() && (bits_[off / 64] >> (off % 64) & 1);
  }
  return std::binary_search(ids_.begin(), ids_.end(), id);
}

}  // namespace vmt::query
