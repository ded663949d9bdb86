// HugeArray<T>: a large scratch array of trivially copyable T, uninitialised, on anonymous memory
// advised as transparent huge pages. A 50 MiB array from malloc costs ~13,000 page faults on first
// touch (each a VM exit on a virtual machine); on 2 MiB pages it costs 25. For arrays sized by the
// input (a part's sort order), allocated once per part, never for small or per-row buffers.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

namespace vmt {

template <typename T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit HugeArray(size_t n) {
    constexpr size_t kHuge = size_t(2) << 20;
    map_len_ = (n * sizeof(T) + kHuge - 1) / kHuge * kHuge + kHuge;
    void* m = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    map_ = m;
    // The usable range starts on a 2 MiB boundary so that every page of it can be a huge one.
    const uintptr_t aligned = (reinterpret_cast<uintptr_t>(m) + kHuge - 1) & ~(uintptr_t(kHuge) - 1);
    data_ = reinterpret_cast<T*>(aligned);
    ::madvise(data_, map_len_ - kHuge, MADV_HUGEPAGE);
  }
  ~HugeArray() { ::munmap(map_, map_len_); }
  HugeArray(const HugeArray&) = delete;
  HugeArray& operator=(const HugeArray&) = delete;

  T* data() { return data_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  void* map_ = nullptr;
  size_t map_len_ = 0;
  T* data_ = nullptr;
};

}  // namespace vmt
