#include "base/huge_array.h"

#include <doctest/doctest.h>

#include <sys/mman.h>

#include <cstring>
#include <string>

#include <cstdint>

namespace vmt {

TEST_SUITE("base/huge_array") {

TEST_CASE("HugeArray: 2 MiB-aligned and writable end to end") {
  HugeArray<uint64_t> a(1000000);
  CHECK(reinterpret_cast<uintptr_t>(a.data()) % kHugePage == 0);
  for (size_t i = 0; i < 1000000; ++i) a[i] = i * 3;
  uint64_t sum = 0;
  for (size_t i = 0; i < 1000000; ++i) sum += a[i];
  CHECK(sum == uint64_t(3) * 999999 * 1000000 / 2);
}

TEST_CASE("populate_for_write: whole pages faulted in, contents and partial pages untouched") {
  const size_t len = size_t(64) << 12;   // 64 pages
  void* m = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(m != MAP_FAILED);
  char* p = static_cast<char*>(m);
  std::memset(p, 'x', 4096);      // page 0 written before
  p[10 * 4096 + 5] = 'y';         // and one byte of page 10
  // From inside page 0 to inside page 40: pages 1..39 are the whole ones.
  populate_for_write(p + 100, 40 * 4096 + 7 - 100);
  CHECK(p[0] == 'x');
  CHECK(p[4095] == 'x');
  CHECK(p[10 * 4096 + 5] == 'y');
  CHECK(p[20 * 4096] == 0);       // populated pages read as zeroes, as faulted ones would
  unsigned char res[64];
  REQUIRE(::mincore(p, len, res) == 0);
  // Kernels before 5.14 refuse the advice (then pages fault as usual); where it is taken, the
  // whole pages are resident and the pages past the range are not.
  if (::madvise(p + 60 * 4096, 4096, MADV_POPULATE_WRITE) == 0) {
    for (size_t i = 1; i < 40; ++i) CHECK_MESSAGE((res[i] & 1) != 0, "page " << i);
    CHECK((res[50] & 1) == 0);
  }
  ::munmap(m, len);
}

TEST_CASE("HugeVector grows in place: elements never move and keep their values") {
  HugeVector<uint64_t> v;
  CHECK(v.empty());
  v.push_back(7);
  const uint64_t* first = v.data();
  // Past several commit steps (2, 4, ..., 64 MiB, then 64 MiB more): 12 M elements = 96 MiB.
  const size_t n = size_t(12) << 20;
  for (size_t i = 1; i < n; ++i) v.push_back(i ^ 0x5555);
  CHECK(v.data() == first);
  REQUIRE(v.size() == n);
  CHECK(v[0] == 7);
  bool all = true;
  for (size_t i = 1; i < n; ++i) all &= v[i] == (i ^ 0x5555);
  CHECK(all);
  CHECK(v.end() - v.begin() == ptrdiff_t(n));
}

TEST_CASE("HugeVector::append: byte runs across commit steps, in place") {
  HugeVector<char> v;
  std::string want;
  const char* first = nullptr;
  for (size_t i = 0; want.size() < (size_t(5) << 20); ++i) {
    const std::string piece(1 + i % 3000, char('a' + i % 26));
    v.append(piece.data(), piece.size());
    want += piece;
    if (!first) first = v.data();
  }
  v.append(nullptr, 0);
  CHECK(v.data() == first);
  REQUIRE(v.size() == want.size());
  CHECK(std::string(v.data(), v.size()) == want);
  CHECK(v.committed_bytes() >= v.size());
}

TEST_CASE("HugeVector: the reserved bound is enforced, not overrun") {
  HugeVector<uint64_t> v(4 << 20);  // room for 4 MiB (one or two commit steps)
  size_t pushed = 0;
  bool refused = false;
  try {
    for (; pushed < (size_t(16) << 20); ++pushed) v.push_back(pushed);
  } catch (const std::bad_alloc&) {
    refused = true;
  }
  CHECK(refused);
  CHECK(pushed * sizeof(uint64_t) >= (size_t(4) << 20));
  CHECK(pushed * sizeof(uint64_t) <= (size_t(6) << 20));
  CHECK(v[pushed - 1] == pushed - 1);
}

TEST_CASE("HugeVector of a struct, moved") {
  struct E {
    uint64_t a;
    uint32_t b, c;
  };
  HugeVector<E> v;
  for (uint32_t i = 0; i < 1000; ++i) v.push_back(E{i, i + 1, i + 2});
  HugeVector<E> w = std::move(v);
  CHECK(w.size() == 1000);
  CHECK(w[999].c == 1001);
}

}  // TEST_SUITE

}  // namespace vmt
