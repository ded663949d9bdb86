#include <doctest/doctest.h>

#include "route/replication.h"

using namespace vmt::route;

TEST_SUITE("route/replication") {
  TEST_CASE("copies go to the next nodes in list order, wrapping") {
    std::vector<uint8_t> ready(5, 1);
    CHECK(replica_nodes(3, 3, ready).nodes == std::vector<size_t>{3, 4, 0});
    CHECK(replica_nodes(0, 1, ready).nodes == std::vector<size_t>{0});
    CHECK(replica_nodes(4, 2, ready).nodes == std::vector<size_t>{4, 0});
  }

  TEST_CASE("the factor is clamped to [1, N]") {
    std::vector<uint8_t> ready(3, 1);
    CHECK(replica_nodes(1, 0, ready).nodes == std::vector<size_t>{1});
    auto rs = replica_nodes(1, 7, ready);
    CHECK(rs.nodes == std::vector<size_t>{1, 2, 0});
    CHECK(rs.missing_copies == 0);
  }

  TEST_CASE("not-ready nodes are skipped; the walk starts at snIdx + k") {
    std::vector<uint8_t> ready = {1, 1, 0, 1, 1};
    // copy 0 at 1; copy 1 starts at 2 (down) -> 3; copy 2 starts at 3 (used) -> 4.
    CHECK(replica_nodes(1, 3, ready).nodes == std::vector<size_t>{1, 3, 4});
    // copy 1 starts at 4 -> 4; copy 2 starts at 5 = 0 -> 0.
    CHECK(replica_nodes(3, 3, ready).nodes == std::vector<size_t>{3, 4, 0});
  }

  TEST_CASE("too few ready nodes: later copies are missing") {
    std::vector<uint8_t> ready = {1, 0, 1};
    auto rs = replica_nodes(0, 3, ready);
    CHECK(rs.nodes == std::vector<size_t>{0, 2});
    CHECK(rs.missing_copies == 1);
  }
}
