// SeriesSet: a set of 64-bit series hashes (open addressing, linear probing), for counting the
// distinct series per node in `tsdb-route --stats`. Memory grows with the number of distinct series
// (16 bytes each at worst), never with the number of rows.
//
// A series is identified by xxhash64 of its routing key (routing_key.h): two inputs that differ
// only in label order are two keys, as they may be routed apart. 64-bit collisions are ignored:
// the chance of any among n series is about n^2 / 2^65 (3e-8 for a million series).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmt::route {

class SeriesSet {
 public:
  // true if h was not in the set yet.
  bool insert(uint64_t h);
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

 private:
  void grow();

  std::vector<uint64_t> slots_;  // 0 = empty; the value 0 itself is tracked by has_zero_
  size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace vmt::route
