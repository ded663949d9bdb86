#include "query/series_query.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>

namespace vmt::query {

TEST_CASE("FoundSeries: the series of both halves sorted by tenant, then bytes, each once") {
  std::mt19937_64 rng(5);
  std::set<std::pair<std::pair<uint32_t, uint32_t>, Bytes>> want;
  FoundSeries f;
  for (int i = 0; i < 5000; ++i) {
    const metric::Tenant t{uint32_t(rng() % 3), uint32_t(rng() % 2)};
    Bytes name = "m" + std::to_string(rng() % 1500) + std::string(rng() % 40, 'x') + "\x01";
    f.add(unsigned(rng() % 2), t, name);  // repeats within a half and across the halves
    want.insert({{t.account_id, t.project_id}, name});
  }
  f.sort_distinct();
  FoundSeries g = std::move(f);
  REQUIRE(g.size() == want.size());
  size_t i = 0;
  for (const auto& [t, name] : want) {
    CHECK(g.tenant(i) == metric::Tenant{t.first, t.second});
    CHECK(Bytes(g.canonical(i)) == name);
    ++i;
  }
}

TEST_CASE("FoundSeries: short keys live in the buffers' own bytes, and a move keeps them") {
  // One series whose key fits a short string's inline bytes, which a move copies: a pointer kept
  // from before the move would read the old object's bytes; a position finds the new ones.
  FoundSeries f;
  f.add(0, metric::Tenant{1, 2}, "a\x01");
  f.sort_distinct();
  auto moved = [](FoundSeries x) { return x; }(std::move(f));
  REQUIRE(moved.size() == 1);
  CHECK(moved.tenant(0) == metric::Tenant{1, 2});
  CHECK(moved.canonical(0) == ByteView("a\x01"));
}

}  // namespace vmt::query
