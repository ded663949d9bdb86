#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "mergeset/items_sort.h"

using namespace vmt;

TEST_SUITE("mergeset/items_sort") {
  TEST_CASE("sort_items orders like memcmp: prefixes, zero bytes, duplicates, long common prefixes") {
    std::mt19937_64 rng(7);
    for (size_t n : {0, 1, 23, 500, 20000}) {
      mergeset::Items items;
      std::vector<Bytes> want;
      for (size_t i = 0; i < n; ++i) {
        Bytes s;
        const size_t common = rng() % 4 == 0 ? 0 : 9 + rng() % 30;  // namespace + tenant + key
        s.assign(common, '\x01');
        const size_t len = rng() % 12;
        for (size_t k = 0; k < len; ++k) s.push_back(char(rng() % 3));  // 0, 1, 2: many ties and prefixes
        items.push_back(s);
        want.push_back(s);
      }
      std::sort(want.begin(), want.end());
      for (unsigned threads : {1u, 2u}) {
        std::vector<uint32_t> order;
        mergeset::sort_items(items, &order, threads);
        REQUIRE(order.size() == n);
        for (size_t i = 0; i < n; ++i) CHECK(Bytes(items[order[i]]) == want[i]);
      }
    }
  }
}
