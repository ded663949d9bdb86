// Items: a sequence of mergeset items (opaque byte strings) in one contiguous buffer.
//
// Spec: mergeset.md §1 (items are compared bytewise, unsigned, shorter prefix first; duplicates
// allowed), §8 (a block holds items whose total length is at most 65536 bytes).
// Layout in memory: data = it[0] · it[1] · … · it[n-1]; ends[i] = offset just past it[i].
// This is the hot-path container of the reader (item_block.cpp decodes into it), the writer
// (part_writer.cpp cuts blocks in it) and the prepareBlock hook: one allocation per buffer, none
// per item, reused across blocks (clear() keeps the capacity).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/hex.h"

namespace vmt::mergeset {

// Hex of an item for error messages, shortened to its first max_bytes bytes ("…(N bytes)").
inline std::string item_hex(ByteView item, size_t max_bytes = 64) {
  if (item.size() <= max_bytes) return to_hex(item);
  return to_hex(item.substr(0, max_bytes)) + "...(" + std::to_string(item.size()) + " bytes)";
}

class Items {
 public:
  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  // Total bytes of all items (the §8 block-size measure).
  size_t data_size() const { return data_.size(); }
  const Bytes& data() const { return data_; }

  ByteView operator[](size_t i) const {
    size_t b = i == 0 ? 0 : ends_[i - 1];
    return ByteView(data_.data() + b, ends_[i] - b);
  }
  ByteView front() const { return (*this)[0]; }
  ByteView back() const { return (*this)[size() - 1]; }

  void clear() {
    data_.clear();
    ends_.clear();
  }
  void reserve(size_t bytes, size_t count) {
    data_.reserve(bytes);
    ends_.reserve(count);
  }
  void push_back(ByteView item) {
    data_.append(item.data(), item.size());
    ends_.push_back(data_.size());
  }
  // For decoders building an item piecewise: append its bytes to mutable_data(), then end_item().
  Bytes& mutable_data() { return data_; }
  void end_item() { ends_.push_back(data_.size()); }

  // True when the items are in non-decreasing bytewise order.
  bool is_sorted() const {
    for (size_t i = 1; i < size(); ++i) {
      if ((*this)[i] < (*this)[i - 1]) return false;
    }
    return true;
  }
  // Index of the first item >= key (size() if none); requires sorted items.
  size_t lower_bound(ByteView key) const {
    size_t lo = 0, hi = size();
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if ((*this)[mid] < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  void swap(Items& o) noexcept {
    data_.swap(o.data_);
    ends_.swap(o.ends_);
  }
  bool operator==(const Items& o) const { return data_ == o.data_ && ends_ == o.ends_; }

 private:
  Bytes data_;
  std::vector<size_t> ends_;
};

}  // namespace vmt::mergeset
