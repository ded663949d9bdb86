#include "mergeset/merge_policy.h"

#include <doctest/doctest.h>

#include <vector>

using namespace vmt::mergeset;

namespace {
std::vector<size_t> pick(const std::vector<uint64_t>& sizes, size_t max_parts, uint64_t max_out) {
  std::vector<size_t> dst;
  append_parts_to_merge(dst, sizes, max_parts, max_out);
  return dst;
}
std::vector<size_t> range(size_t a, size_t b) {
  std::vector<size_t> v;
  for (size_t i = a; i < b; ++i) v.push_back(i);
  return v;
}
}  // namespace

TEST_SUITE("mergeset/merge_policy") {
  TEST_CASE("fewer than two parts: nothing") {
    CHECK(pick({}, 15, 1000).empty());
    CHECK(pick({5}, 15, 1000).empty());
  }

  TEST_CASE("15 equal parts merge (score 15 >= 7.5); 7 do not, 8 do") {
    CHECK(pick(std::vector<uint64_t>(15, 100), 15, kMaxPartSize) == range(0, 15));
    CHECK(pick(std::vector<uint64_t>(7, 100), 15, kMaxPartSize).empty());
    CHECK(pick(std::vector<uint64_t>(8, 100), 15, kMaxPartSize) == range(0, 8));
  }

  TEST_CASE("ties go to the later window; parts come smallest first") {
    CHECK(pick(std::vector<uint64_t>(20, 100), 15, kMaxPartSize) == range(5, 20));
    // Input order is not size order: indexes refer to the input.
    std::vector<uint64_t> sizes = {300, 100, 200};
    CHECK(pick(sizes, 3, kMaxPartSize) == std::vector<size_t>{1, 2, 0});  // 600/300 = 2 >= 1.7
    CHECK(pick(sizes, 2, kMaxPartSize).empty());  // best pair {200, 300}: 500/300 = 1.67 < 1.7
  }

  TEST_CASE("final merges (maxParts = 2) need a score >= 1.7") {
    CHECK(pick({100, 100}, kFinalPartsToMerge, kMaxPartSize) == std::vector<size_t>{0, 1});
    CHECK(pick({100, 140}, kFinalPartsToMerge, kMaxPartSize) == std::vector<size_t>{0, 1});  // 240/140 = 1.71
    CHECK(pick({100, 150}, kFinalPartsToMerge, kMaxPartSize).empty());                      // 250/150 = 1.67
    CHECK(pick({100, 1000}, kFinalPartsToMerge, kMaxPartSize).empty());  // 100*2 < 1000
  }

  TEST_CASE("unbalanced windows are skipped") {
    // One big part and 14 small ones: the big one never joins (1*15 < 1000).
    std::vector<uint64_t> sizes(14, 1);
    sizes.push_back(1000);
    CHECK(pick(sizes, 15, kMaxPartSize) == range(0, 14));
  }

  TEST_CASE("maxOutBytes: big parts are dropped and windows stop growing") {
    std::vector<uint64_t> sizes(10, 100);
    CHECK(pick(sizes, 4, 550) == range(6, 10));   // windows of 4 (400 bytes) fit
    CHECK(pick(sizes, 4, 350) == range(7, 10));   // only windows of 3 fit
    CHECK(pick(sizes, 4, 100).empty());           // 100 > 100/1.7: every part is dropped
    sizes.push_back(1000000);                     // dropped by the 550/1.7 filter
    CHECK(pick(sizes, 4, 550) == range(6, 10));
  }

  TEST_CASE("zero-sized parts merge, as Go's NaN score does") {
    CHECK(pick({0, 0}, 2, kMaxPartSize) == std::vector<size_t>{0, 1});
  }
}
