#include "ingest/partition_rows.h"

#include <doctest/doctest.h>

#include <random>

#include "layout/storage_dir.h"

using namespace vmt;
using namespace vmt::ingest;

TEST_SUITE("ingest/partition_rows") {
  TEST_CASE("month_of agrees with layout's partition names and ranges") {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 20000; ++i) {
      const int64_t ts = int64_t(rng() % 4102444800000ull);  // 1970 .. 2100
      Month m = month_of(ts);
      CHECK(m.name() == layout::partition_name_for(ts));
      int64_t lo = 0, hi = 0;
      REQUIRE(layout::parse_partition_name(m.name(), &lo, &hi));
      CHECK(m.min_ts == lo);
      CHECK(m.max_ts == hi);
      CHECK(ts >= m.min_ts);
      CHECK(ts <= m.max_ts);
    }
    CHECK(month_of(1698796800000).name() == "2023_11");
    CHECK(month_of(1698796799999).name() == "2023_10");
    CHECK(month_of(0).name() == "1970_01");
    CHECK(month_of(951782400000).name() == "2000_02");  // 2000-02-29
  }

  TEST_CASE("rows across chunk boundaries read back; clear frees") {
    PartitionRows r;
    const size_t n = PartitionRows::kChunkRows * 2 + 17;
    for (size_t i = 0; i < n; ++i) r.append(uint32_t(i % 7), int64_t(i) * 1000, double(i) / 2);
    REQUIRE(r.size() == n);
    CHECK(r.memory_bytes() == 3 * PartitionRows::kChunkRows * 20);
    for (size_t i = 0; i < n; i += 4099) {
      CHECK(r.series(i) == i % 7);
      CHECK(r.timestamp(i) == int64_t(i) * 1000);
      CHECK(r.value(i) == double(i) / 2);
    }
    r.clear();
    CHECK(r.empty());
    CHECK(r.memory_bytes() == 0);
  }
}
