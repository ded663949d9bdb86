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

TEST_SUITE("mergeset/items_sort") {
  TEST_CASE("sort_terminated orders each string as if followed by the terminator: prefixes before and after it, ties") {
    std::mt19937_64 rng(9);
    for (size_t n : {0, 1, 23, 500, 20000}) {
      for (uint8_t term : {uint8_t(0x00), uint8_t(0x02), uint8_t(0xff)}) {
        Bytes arena;
        std::vector<mergeset::TerminatedRef> refs;
        std::vector<Bytes> want;
        for (size_t i = 0; i < n; ++i) {
          Bytes s;
          const size_t common = rng() % 4 == 0 ? 0 : 9 + rng() % 30;  // like names of one metric and job
          s.assign(common, 'n');
          const size_t len = rng() % 12;
          // Bytes around the terminator (0x00 0x01 0x02 0x03, 0xff): prefixes that sort before
          // and after their extensions, and strings that hold the terminator themselves.
          for (size_t k = 0; k < len; ++k) s.push_back(char("\x00\x01\x02\x03\xff"[rng() % 5]));
          refs.push_back(mergeset::TerminatedRef{arena.size(), uint32_t(s.size()), uint32_t(i)});
          arena.append(s);
          want.push_back(s + char(term));
        }
        std::sort(want.begin(), want.end());
        for (unsigned threads : {1u, 2u}) {
          std::vector<mergeset::TerminatedRef> got = refs;
          mergeset::sort_terminated(arena.data(), got, term, threads);
          REQUIRE(got.size() == n);
          for (size_t i = 0; i < n; ++i) {
            CHECK(arena.substr(got[i].off, got[i].len) + char(term) == want[i]);
            CHECK(arena.substr(refs[got[i].id].off, refs[got[i].id].len) == arena.substr(got[i].off, got[i].len));
          }
        }
      }
    }
  }
}
