#include <doctest/doctest.h>

#include "route/consistent_hash.h"
#include "route/node_hash.h"

using namespace vmt::route;

namespace {
const std::vector<std::string> kSpecNodes = {"vmstorage-1:8400", "vmstorage-2:8400", "vmstorage-3:8400"};
constexpr uint64_t kSeed = 0xabcdef0123456789ULL;
}  // namespace

TEST_SUITE("route/consistent_hash") {
  TEST_CASE("fastHash of the spec") {
    CHECK(fast_hash(0) == 0);
    CHECK(fast_hash(1) == 0x47e4ce4b896cdd1dULL);
    CHECK(fast_hash(0x0123456789abcdefULL) == 0x7c9482472cb6708cULL);
  }

  // routing.md §3.4 vector A: h = 0x653478f29d9c6846.
  TEST_CASE("vector A: scores and node with seed 0 and with the multi-level seed") {
    const uint64_t h = 0x653478f29d9c6846ULL;
    ConsistentHash ch(kSpecNodes, 0);
    CHECK(ch.score(h, 0) == 0xff92c7d6ab80826eULL);
    CHECK(ch.score(h, 1) == 0xa725c96f01e7c359ULL);
    CHECK(ch.score(h, 2) == 0x303204bb355f3495ULL);
    CHECK(ch.node_idx(h) == 0);
    CHECK(ch.node_idx(h, {1, 0, 0}) == 1);  // node 0 excluded

    ConsistentHash ml(kSpecNodes, kSeed);
    CHECK((h ^ kSeed) == 0xcef997f3bed90fcfULL);
    CHECK(ml.score(h, 0) == 0x5aca169f13f2c844ULL);
    CHECK(ml.score(h, 1) == 0xcb8c0ec587c65aa3ULL);
    CHECK(ml.score(h, 2) == 0x5d724191eacaf33fULL);
    CHECK(ml.node_idx(h) == 1);
  }

  TEST_CASE("vector B: tenant 42:7") {
    const uint64_t h = 0x75b70bf172e07bcbULL;
    ConsistentHash ch(kSpecNodes, 0);
    CHECK(ch.score(h, 0) == 0x6268b2965cb3d33aULL);
    CHECK(ch.score(h, 1) == 0x53e8ee463fc8f125ULL);
    CHECK(ch.score(h, 2) == 0x1a302155e8aff449ULL);
    CHECK(ch.node_idx(h) == 0);
    CHECK(ConsistentHash(kSpecNodes, kSeed).node_idx(h) == 0);
  }

  TEST_CASE("vector C: reordered labels") {
    const uint64_t h = 0x97c95b3ac44b0539ULL;
    ConsistentHash ch(kSpecNodes, 0);
    CHECK(ch.node_idx(h) == 0);
    CHECK(ch.node_idx(h, {1, 0, 0}) == 2);
    CHECK(ConsistentHash(kSpecNodes, kSeed).node_idx(h) == 1);
  }

  TEST_CASE("every node excluded gives 0") {
    ConsistentHash ch(kSpecNodes, 0);
    CHECK(ch.node_idx(0x653478f29d9c6846ULL, {1, 1, 1}) == 0);
  }

  TEST_CASE("ties: the first index with the top score wins; a zero score never wins") {
    // Two identical node hashes cannot come from distinct addresses, but the rule is the loop's:
    // with h = nodeHash[i] the score of node i is fastHash(0) = 0.
    ConsistentHash ch({"a", "b"}, 0);
    uint64_t h = node_hash("a");  // score(node 0) = 0
    CHECK(ch.score(h, 0) == 0);
    CHECK(ch.node_idx(h) == 1);
    CHECK(ch.node_idx(h, {0, 1}) == 0);  // only a zero score left: idx stays 0
  }

  TEST_CASE("removing a node moves only the keys it owned") {
    std::vector<std::string> four = {"n0", "n1", "n2", "n3"}, three = {"n0", "n1", "n3"};
    ConsistentHash a(four, 0), b(three, 0);
    const size_t map_b[] = {0, 1, 3};
    int moved = 0;
    for (uint64_t k = 1; k < 20000; ++k) {
      uint64_t h = fast_hash(k * 0x9E3779B97F4A7C15ULL);
      size_t ia = a.node_idx(h), ib = map_b[b.node_idx(h)];
      if (ia != 2) {
        CHECK(ia == ib);
      } else {
        ++moved;
        CHECK(ib == a.node_idx(h, {0, 0, 1, 0}));  // n2's keys go where excluding n2 sends them
      }
    }
    CHECK(moved > 3000);
  }
}
