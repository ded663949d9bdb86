#include <doctest/doctest.h>

#include <set>

#include "route/series_set.h"

using namespace vmt::route;

TEST_SUITE("route/series_set") {
  TEST_CASE("counts distinct hashes, zero included, across growth") {
    SeriesSet s;
    std::set<uint64_t> want;
    uint64_t x = 1;
    for (int i = 0; i < 100000; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      uint64_t h = (x >> 40) * 0x9E3779B97F4A7C15ULL;  // many repeats
      CHECK(s.insert(h) == want.insert(h).second);
    }
    CHECK(s.insert(0));
    CHECK_FALSE(s.insert(0));
    CHECK(s.size() == want.size() + 1);
  }
}
