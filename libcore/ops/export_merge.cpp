#include "ops/export_merge.h"

#include <utility>

namespace vmt::ops {

namespace {

struct SortBlock {
  size_t next, end;  // next sample to emit, end of the block
};

// sortBlocksHeap with container/heap's exact sift rules (ties decide the interleaving).
class Heap {
 public:
  Heap(const std::vector<int64_t>& ts, std::vector<SortBlock> sbs) : ts_(ts), h_(std::move(sbs)) {
    for (size_t i = h_.size() / 2; i-- > 0;) down(i, h_.size());  // heap.Init
  }
  size_t size() const { return h_.size(); }
  SortBlock& top() { return h_[0]; }
  // getNextBlock: the smaller of the two children of the top (the first one on a tie).
  const SortBlock& next_block() const {
    if (h_.size() < 3) return h_[1];
    return ts_[h_[1].next] <= ts_[h_[2].next] ? h_[1] : h_[2];
  }
  void fix_top() {  // heap.Fix(h, 0)
    if (!down(0, h_.size())) up(0);
  }
  void pop_top() {  // heap.Pop(h)
    const size_t n = h_.size() - 1;
    std::swap(h_[0], h_[n]);
    down(0, n);
    h_.pop_back();
  }

 private:
  bool less(size_t i, size_t j) const { return ts_[h_[i].next] < ts_[h_[j].next]; }
  void up(size_t j) {
    while (j > 0) {
      const size_t i = (j - 1) / 2;
      if (!less(j, i)) break;
      std::swap(h_[i], h_[j]);
      j = i;
    }
  }
  bool down(size_t i0, size_t n) {
    size_t i = i0;
    for (;;) {
      const size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      size_t j = j1;
      if (const size_t j2 = j1 + 1; j2 < n && less(j2, j1)) j = j2;
      if (!less(j, i)) break;
      std::swap(h_[i], h_[j]);
      i = j;
    }
    return i > i0;
  }

  const std::vector<int64_t>& ts_;
  std::vector<SortBlock> h_;
};

// binarySearchTimestamps: the first index in [from, end) whose timestamp is > t.
size_t upper_bound_in(const std::vector<int64_t>& ts, size_t from, size_t end, int64_t t) {
  if (from < end && ts[end - 1] <= t) return end;
  size_t i = from, j = end;
  while (i < j) {
    const size_t h = i + (j - i) / 2;
    if (ts[h] <= t) {
      i = h + 1;
    } else {
      j = h;
    }
  }
  return i;
}

}  // namespace

void merge_sort_blocks(const std::vector<int64_t>& timestamps, const std::vector<BlockSpan>& blocks,
                       std::vector<size_t>* order) {
  std::vector<SortBlock> sbs;
  for (const auto& b : blocks) {
    if (b.begin < b.end) sbs.push_back(SortBlock{b.begin, b.end});
  }
  if (sbs.empty()) return;
  Heap h(timestamps, std::move(sbs));
  for (;;) {
    SortBlock& top = h.top();
    if (h.size() == 1) {
      for (size_t k = top.next; k < top.end; ++k) order->push_back(k);
      return;
    }
    const int64_t ts_next = timestamps[h.next_block().next];
    const size_t upto = upper_bound_in(timestamps, top.next, top.end, ts_next);
    for (size_t k = top.next; k < upto; ++k) order->push_back(k);
    top.next = upto;
    if (top.next < top.end) {
      h.fix_top();
    } else {
      h.pop_top();
    }
  }
}

}  // namespace vmt::ops
