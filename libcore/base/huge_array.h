// Large arrays of trivially copyable T on anonymous memory, for arrays sized by the input (a
// part's sort order, the names of a whole index), never for small or per-row buffers.
// On 4 KiB pages, not advised as transparent huge pages. Huge pages fault 512 times less and miss
// the TLB less, but a huge-page fault on memory never touched before can stall (zeroing 2 MiB, the
// kernel's compaction, and on a virtual machine the host's own faults): on the development VM a
// first touch ran at 0.1-9 GB/s on 2 MiB pages, depending on the host, against a steady 3 GB/s on
// 4 KiB ones. Measured on the import when its registry, row chunks and index rows were advised
// huge, 4 KiB pages were as fast or faster at every size: 2M samples at 20k series 0.56-0.62 s
// against 0.84-0.92 s, 200k 2.60-2.72 s against 2.86-2.96 s, 1M 11.0-11.1 s against 11.8-12.1 s
// (--mem-limit 256MiB; at 1GiB 7.7-8.7 s both).
//  - HugeArray<T>(n): n elements, uninitialised, fixed size.
//  - HugeVector<T>: append-only, grows in place: it reserves address space once and commits it
//    2 MiB at a time, so growing never copies (a std::vector of 1M entries copies and faults in
//    every element twice on the way up) and elements never move.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace vmt {

inline constexpr size_t kHugePage = size_t(2) << 20;

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   // Linux 5.14; older kernels refuse it and the pages fault as usual
#endif

// Faults in, writable, the whole pages of [p, p + len) in one call, for memory about to be written
// in full: the kernel maps a run of pages in one pass instead of taking one page fault for each,
// which on the development VM cost 5 us a page against 0.7 us (40 MB of 4 KiB pages: 0.08 s of
// faults against 0.011 s). Only advice: a refusal leaves the pages to fault on first touch.
inline void populate_for_write(void* p, size_t len) {
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + 4095) & ~uintptr_t(4095);
  const uintptr_t e = (reinterpret_cast<uintptr_t>(p) + len) & ~uintptr_t(4095);
  if (e > b) (void)::madvise(reinterpret_cast<void*>(b), e - b, MADV_POPULATE_WRITE);
}

// For memory written front to back: [base + populated, base + need) must be usable, and is
// populated a window of 256 KiB past the larger of the two, within cap. Returns the new mark.
inline constexpr size_t kPopulateWindow = size_t(256) << 10;
inline size_t populate_ahead(char* base, size_t populated, size_t need, size_t cap) {
  const size_t to = std::min(cap, std::max(need, populated) + kPopulateWindow);
  populate_for_write(base + populated, to - populated);
  return to;
}

// An anonymous mapping of at least `len` bytes whose returned start lies on a 2 MiB boundary.
// `reserve_only`: address space only (PROT_NONE, no commit charge), made usable later with
// commit(). Throws std::bad_alloc when refused.
struct HugeMapping {
  void* map = nullptr;
  size_t map_len = 0;
  char* data = nullptr;

  HugeMapping() = default;
  HugeMapping(size_t len, bool reserve_only) {
    map_len = (len + kHugePage - 1) / kHugePage * kHugePage + kHugePage;
    const int prot = reserve_only ? PROT_NONE : PROT_READ | PROT_WRITE;
    const int flags = MAP_PRIVATE | MAP_ANONYMOUS | (reserve_only ? MAP_NORESERVE : 0);
    map = ::mmap(nullptr, map_len, prot, flags, -1, 0);
    if (map == MAP_FAILED) throw std::bad_alloc();
    data = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(map) + kHugePage - 1) & ~(uintptr_t(kHugePage) - 1));
  }
  // Makes [data + from, data + to) readable and writable (both multiples of kHugePage).
  void commit(size_t from, size_t to) {
    if (::mprotect(data + from, to - from, PROT_READ | PROT_WRITE) != 0) throw std::bad_alloc();
  }
  size_t usable() const { return map_len - kHugePage; }
  ~HugeMapping() {
    if (map) ::munmap(map, map_len);
  }
  HugeMapping(HugeMapping&& o) noexcept : map(o.map), map_len(o.map_len), data(o.data) {
    o.map = nullptr;
  }
  HugeMapping& operator=(HugeMapping&& o) noexcept {
    if (this != &o) {
      if (map) ::munmap(map, map_len);
      map = o.map, map_len = o.map_len, data = o.data;
      o.map = nullptr;
    }
    return *this;
  }
};

template <typename T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  // The n elements are for writing in full: their pages are faulted in at once.
  explicit HugeArray(size_t n) : m_(n * sizeof(T), /*reserve_only=*/false) { populate_for_write(m_.data, n * sizeof(T)); }

  T* data() { return reinterpret_cast<T*>(m_.data); }
  T& operator[](size_t i) { return data()[i]; }

 private:
  HugeMapping m_;
};

template <typename T>
class HugeVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  // `max_bytes` bounds the address space reserved (not memory used): 64 GiB by default.
  explicit HugeVector(size_t max_bytes = size_t(64) << 30) : m_(max_bytes, /*reserve_only=*/true) {}

  void push_back(const T& v) {
    if ((size_ + 1) * sizeof(T) > populated_) grow();
    data()[size_++] = v;
  }
  void append(const T* p, size_t n) {
    while ((size_ + n) * sizeof(T) > populated_) grow();
    if (n > 0) std::memcpy(static_cast<void*>(data() + size_), p, n * sizeof(T));
    size_ += n;
  }
  size_t size() const { return size_; }
  size_t committed_bytes() const { return committed_; }
  bool empty() const { return size_ == 0; }
  // Empties the vector; the memory stays committed (and faulted in) for the next use.
  void clear() { size_ = 0; }
  // Keeps the first n elements (n <= size()).
  void truncate(size_t n) { size_ = n; }
  // n elements; those past the old size are uninitialised.
  void resize(size_t n) {
    while (n * sizeof(T) > populated_) grow();
    size_ = n;
  }
  T* data() { return reinterpret_cast<T*>(m_.data); }
  const T* data() const { return reinterpret_cast<const T*>(m_.data); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }

 private:
  // The next window is faulted in ahead of the elements written into it (populate_ahead),
  // committing address space first when it runs out.
  void grow() {
    if (populated_ == committed_) {
      // Commit in steps that double up to 64 MiB, so a small vector stays small.
      size_t step = committed_ < (size_t(64) << 20) ? (committed_ ? committed_ : kHugePage) : size_t(64) << 20;
      if (committed_ + step > m_.usable()) throw std::bad_alloc();
      m_.commit(committed_, committed_ + step);
      committed_ += step;
    }
    populated_ = populate_ahead(m_.data, populated_, populated_, committed_);
  }

  HugeMapping m_;
  size_t size_ = 0;
  size_t committed_ = 0;
  size_t populated_ = 0;   // [0, populated_) faulted in (or advised so), within committed_

 public:
  HugeVector(HugeVector&& o) noexcept
      : m_(std::move(o.m_)), size_(o.size_), committed_(o.committed_), populated_(o.populated_) {
    o.size_ = o.committed_ = o.populated_ = 0;
  }
  HugeVector& operator=(HugeVector&& o) noexcept {
    m_ = std::move(o.m_);
    size_ = o.size_, committed_ = o.committed_, populated_ = o.populated_;
    o.size_ = o.committed_ = o.populated_ = 0;
    return *this;
  }
  friend void swap(HugeVector& a, HugeVector& b) noexcept {
    std::swap(a.m_.map, b.m_.map), std::swap(a.m_.map_len, b.m_.map_len), std::swap(a.m_.data, b.m_.data);
    std::swap(a.size_, b.size_), std::swap(a.committed_, b.committed_), std::swap(a.populated_, b.populated_);
  }
};

}  // namespace vmt
