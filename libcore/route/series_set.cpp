// SeriesSet: open addressing over 64-bit hashes.
#include "route/series_set.h"

namespace vmt::route {

namespace {
// The hashes are xxhash64 values already; one multiply spreads them further for the low bits.
inline size_t slot_of(uint64_t h, size_t mask) { return static_cast<size_t>((h * 0x9E3779B97F4A7C15ULL) >> 20) & mask; }
}  // namespace

bool SeriesSet::insert(uint64_t h) {
  if (h == 0) {
    bool fresh = !has_zero_;
    has_zero_ = true;
    return fresh;
  }
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = slot_of(h, mask);; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++size_;
      return true;
    }
  }
}

void SeriesSet::grow() {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (uint64_t h : old) {
    if (h == 0) continue;
    size_t i = slot_of(h, mask);
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

}  // namespace vmt::route
