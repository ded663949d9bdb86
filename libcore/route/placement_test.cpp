#include <doctest/doctest.h>

#include "metric/tsid_gen.h"
#include "route/consistent_hash.h"
#include "route/placement.h"

using namespace vmt;
using namespace vmt::route;

namespace {
Placement make(PlacementOptions o) {
  auto r = Placement::make(o);
  REQUIRE(r.is_ok());
  return std::move(r).value();
}
}  // namespace

TEST_SUITE("route/placement") {
  TEST_CASE("one node: no hashing, always 0") {
    Placement p = make({{"only:8400"}, false, 1, {}});
    for (uint64_t h : {0ULL, 1ULL, 0xffffffffffffffffULL}) CHECK(p.primary(h) == 0);
  }

  TEST_CASE("unavailable node: its rows go where the list without it sends them (h' == h)") {
    std::vector<std::string> nodes = {"n0:8400", "n1:8400", "n2:8400", "n3:8400"};
    Placement all = make({nodes, false, 1, {}});
    Placement down = make({nodes, false, 1, {"n1:8400"}});
    ConsistentHash without({"n0:8400", "n2:8400", "n3:8400"}, 0);
    const size_t map[] = {0, 2, 3};
    int rerouted = 0;
    for (int k = 0; k < 5000; ++k) {
      Bytes raw(8, '\0');
      raw += std::to_string(k);
      uint64_t h = metric::xxhash64(raw);
      bool rr = false;
      size_t o = down.owner(h, raw, &rr);
      CHECK(rr == (all.primary(h) == 1));
      if (rr) ++rerouted;
      CHECK(o == map[without.node_idx(h)]);
    }
    CHECK(rerouted > 800);
  }

  TEST_CASE("rerouting rehashes MetricNameRaw, not the routing key") {
    Placement down = make({{"a", "b", "c"}, false, 1, {"a"}});
    // Find a key hash that maps to the down node, then check the reroute follows the raw hash.
    uint64_t h = 0;
    while (down.primary(h) != 0) ++h;
    Bytes raw(12, 'x');
    bool rr = false;
    size_t o = down.owner(h, raw, &rr);
    CHECK(rr);
    CHECK(o == down.hash().node_idx(metric::xxhash64(raw), {1, 0, 0}));
  }

  TEST_CASE("the multi-level seed applies to rerouting too") {
    Placement p = make({{"vmstorage-1:8400", "vmstorage-2:8400", "vmstorage-3:8400"}, true, 1, {}});
    CHECK(p.primary(0x653478f29d9c6846ULL) == 1);  // routing.md §3.4 vector A
  }

  TEST_CASE("replicas of each owner") {
    Placement p = make({{"a", "b", "c"}, false, 2, {}});
    CHECK(p.copies(2).nodes == std::vector<size_t>{2, 0});
  }

  TEST_CASE("refuses what would block vminsert and unknown addresses") {
    CHECK(Placement::make({{"a"}, false, 1, {"a"}}).status().code() == Code::invalid_argument);
    CHECK(Placement::make({{"a", "b"}, false, 1, {"a", "b"}}).status().code() == Code::invalid_argument);
    auto unknown = Placement::make({{"a", "b"}, false, 1, {"c"}});
    CHECK(unknown.status().message().find("\"c\" is not one of") != std::string::npos);
    CHECK(Placement::make({{"a"}, false, 0, {}}).status().code() == Code::invalid_argument);
  }

  TEST_CASE("v1.136+: replicas follow the sorted addresses, the primary does not move") {
    // -storageNode a,c,b: v1.93.7 keeps the flag order (a -> c -> b), v1.136+ sorts it
    // (a -> b -> c; app/vminsert/netstorage Init at v1.136.0 and v1.148.0).
    const std::vector<std::string> nodes = {"a:8400", "c:8400", "b:8400"};
    PlacementOptions o{nodes, false, 2, {}};
    Placement flag = make(o);
    o.sorted_ring = true;
    Placement sorted = make(o);
    for (uint64_t h = 0; h < 2000; ++h) CHECK(flag.primary(h * 0x9e3779b97f4a7c15ULL) == sorted.primary(h * 0x9e3779b97f4a7c15ULL));
    CHECK(flag.copies(0).nodes == std::vector<size_t>{0, 1});    // a, then c
    CHECK(sorted.copies(0).nodes == std::vector<size_t>{0, 2});  // a, then b
    CHECK(sorted.copies(2).nodes == std::vector<size_t>{2, 1});  // b, then c
    CHECK(sorted.copies(1).nodes == std::vector<size_t>{1, 0});  // c wraps to a
    // An unavailable successor is skipped in ring order.
    o.unavailable = {"b:8400"};
    Placement down = make(o);
    CHECK(down.copies(0).nodes == std::vector<size_t>{0, 1});
  }
}
