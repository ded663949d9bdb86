// Rendezvous (highest-random-weight) hashing: the node vminsert picks for a routing-key hash.
//
// Spec: routing.md §3.3. Go: app/vminsert/netstorage/consistent_hash.go (v1.93.7-cluster).
//
//   fastHash(x)  = x ^= x>>12; x ^= x<<25; x ^= x>>27; x * 0x2545F4914F6CDD1D     (uint64, wrapping)
//   getNodeIdx(h, exclude):
//     h ^= hashSeed; best = 0; idx = 0
//     for i in 0..N-1, i not excluded: m = fastHash(nodeHash[i] ^ h); if m > best: best, idx = m, i
//
// Invariants of the result: the FIRST index with the maximum score wins (strict >); best starts
// at 0, so a score of exactly 0 never wins; every node excluded (or every score 0) gives 0.
// Normal routing excludes nothing; rerouting (placement.h) excludes the unavailable nodes. With one
// node vminsert does not hash at all (GetStorageNodeIdx returns 0): see Placement.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmt::route {

constexpr uint64_t kFastHashMultiplier = 2685821657736338717ULL;  // 0x2545F4914F6CDD1D

inline uint64_t fast_hash(uint64_t x) {
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  return x * kFastHashMultiplier;
}

class ConsistentHash {
 public:
  // nodeHash[i] = node_hash(nodes[i]); seed = hash_seed(multilevel).
  ConsistentHash(const std::vector<std::string>& nodes, uint64_t seed);

  size_t size() const { return node_hashes_.size(); }
  uint64_t seed() const { return seed_; }

  // getNodeIdx(h, {}).
  size_t node_idx(uint64_t h) const;
  // getNodeIdx(h, exclude): exclude[i] != 0 removes node i (exclude.size() == size()).
  size_t node_idx(uint64_t h, const std::vector<uint8_t>& exclude) const;
  // The score fastHash(nodeHash[i] ^ (h ^ seed)) of node i (for tests and the spec's tables).
  uint64_t score(uint64_t h, size_t i) const { return fast_hash(node_hashes_[i] ^ (h ^ seed_)); }

 private:
  std::vector<uint64_t> node_hashes_;
  uint64_t seed_;
};

}  // namespace vmt::route
