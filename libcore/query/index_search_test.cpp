#include "query/index_search.h"

#include <doctest/doctest.h>

#include "layout/storage_dir.h"
#include "tests/test_support.h"

namespace vmt::query {

TEST_CASE("index search: the days a time range covers, and per-day vs global as the server decides") {
  TimeRange whole;
  CHECK(whole.whole());
  CHECK_FALSE(whole.per_day());
  const int64_t d = 19662 * int64_t(kMsPerDay);  // 2023-11-01
  TimeRange day{d, d + int64_t(kMsPerDay)};
  CHECK(day.min_date() == 19662);
  CHECK(day.max_date() == 19662);  // end at midnight belongs to the day before: (end-1)/day
  CHECK(day.per_day());
  TimeRange point{d + 500, d + 500};
  CHECK(point.per_day());
  CHECK(point.min_date() == 19662);
  TimeRange midnight{d, d};  // start = end at midnight: max < min, the server falls back to global
  CHECK(midnight.max_date() == 19661);
  CHECK_FALSE(midnight.per_day());
  TimeRange forty{d, d + 41 * int64_t(kMsPerDay)};
  CHECK(forty.max_date() - forty.min_date() == 40);
  CHECK(forty.per_day());
  TimeRange longer{d, d + 42 * int64_t(kMsPerDay)};
  CHECK_FALSE(longer.per_day());
  TimeRange from_one{1000, INT64_MAX};  // start=1: global
  CHECK_FALSE(from_one.whole());
  CHECK_FALSE(from_one.per_day());
}

TEST_CASE("index search: sorted-set helpers") {
  std::vector<uint64_t> a{1, 3, 5, 7}, b{3, 4, 5};
  CHECK(intersect_ids(a, b) == std::vector<uint64_t>{3, 5});
  CHECK(subtract_ids(a, b) == std::vector<uint64_t>{1, 7});
  CHECK(unite_ids(a, b) == std::vector<uint64_t>{1, 3, 4, 5, 7});
  std::vector<uint64_t> v{5, 1, 5, 3, 1};
  sort_unique(v);
  CHECK(v == std::vector<uint64_t>{1, 3, 5});
}

TEST_CASE("index search: selectors through the tag rows of the tiny fixture") {
  const std::string dir = test::fixture("tiny/storage");
  auto sd = layout::open_storage_dir(dir, nullptr);
  REQUIRE(sd.is_ok());
  auto ss = StorageSearch::open(*sd, TimeRange{});
  REQUIRE(ss.is_ok());
  auto tenants = ss->tenants(std::nullopt);
  REQUIRE(tenants.is_ok());
  REQUIRE(tenants->size() == 2);  // 0:0 and 42:7
  auto count = [&](const std::string& text, const metric::Tenant& t) {
    std::vector<Selector> sels;
    if (!text.empty()) sels.push_back(*parse_selector(text));
    size_t n = 0;
    for (auto& tab : ss->tables()) {
      auto ids = tab.search->search(sels, t, TimeRange{});
      REQUIRE(ids.is_ok());
      n += ids->size();
    }
    return n;
  };
  const metric::Tenant t0{0, 0};
  CHECK(count("", t0) == 10);
  // Expected counts read off the server's export of tenant 0:0 (tiny/export/tenant-0-0.jsonl).
  CHECK(count("{job=\"tiny\"}", t0) == 5);
  CHECK(count("{job=\"\"}", t0) == 5);            // the series without job
  CHECK(count("{sensor=~\"c.u|gpu\"}", t0) == 2);
  CHECK(count("{sensor!~\"c.*\"}", t0) == 9);     // gpu and the 8 without sensor
  CHECK(count("{__name__=~\"tiny_.*_total\"}", t0) == 1);
  CHECK(count("{code=~\"2\"}", t0) == 0);         // anchored
  CHECK(count("tiny_no_labels{}", t0) == 1);
  CHECK(count("{case=~\"spec.*|range\",__name__!=\"tiny_extreme_floats\"}", t0) == 1);
}

}  // namespace vmt::query
