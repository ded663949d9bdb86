// Rendezvous hashing. Spec: routing.md §3.3.
#include "route/consistent_hash.h"

#include "route/node_hash.h"

namespace vmt::route {

ConsistentHash::ConsistentHash(const std::vector<std::string>& nodes, uint64_t seed) : seed_(seed) {
  node_hashes_.reserve(nodes.size());
  for (const auto& n : nodes) node_hashes_.push_back(node_hash(n));
}

size_t ConsistentHash::node_idx(uint64_t h) const {
  h ^= seed_;
  uint64_t best = 0;
  size_t idx = 0;
  for (size_t i = 0; i < node_hashes_.size(); ++i) {
    uint64_t m = fast_hash(node_hashes_[i] ^ h);
    if (m > best) {  // strictly greater: the first index with the top score wins
      best = m;
      idx = i;
    }
  }
  return idx;
}

size_t ConsistentHash::node_idx(uint64_t h, const std::vector<uint8_t>& exclude) const {
  h ^= seed_;
  uint64_t best = 0;
  size_t idx = 0;
  for (size_t i = 0; i < node_hashes_.size(); ++i) {
    if (i < exclude.size() && exclude[i]) continue;
    uint64_t m = fast_hash(node_hashes_[i] ^ h);
    if (m > best) {
      best = m;
      idx = i;
    }
  }
  return idx;
}

}  // namespace vmt::route
