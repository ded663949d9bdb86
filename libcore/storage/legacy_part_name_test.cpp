#include "storage/legacy_part_name.h"

#include <doctest/doctest.h>

using namespace vmt;
using namespace vmt::storage;

TEST_SUITE("storage/legacy_part_name") {
  TEST_CASE("legacy timestamps (Go layout 20060102150405.000, UTC)") {
    CHECK(parse_legacy_timestamp("19700101000000.000").value() == 0);
    CHECK(parse_legacy_timestamp("20230101000000.000").value() == 1672531200000);
    CHECK(parse_legacy_timestamp("20231031140000.500").value() == 1698760800500);
    CHECK(parse_legacy_timestamp("20240229235959.999").value() == 1709251199999);
    CHECK(!parse_legacy_timestamp("20230229000000.000").is_ok());   // not a leap year
    CHECK(!parse_legacy_timestamp("20231301000000.000").is_ok());
    CHECK(!parse_legacy_timestamp("20230101240000.000").is_ok());
    CHECK(!parse_legacy_timestamp("20230101000000.00").is_ok());
    CHECK(!parse_legacy_timestamp("20230101000000").is_ok());
    CHECK(!parse_legacy_timestamp("2023010100000x.000").is_ok());
  }

  TEST_CASE("legacy part names (§2, §9.2)") {
    auto r = parse_legacy_part_name("130_13_20231101000000.000_20231101090000.703_17A0B0C0D0E0F001");
    REQUIRE(r.is_ok());
    CHECK(r->rows_count == 130);
    CHECK(r->blocks_count == 13);
    CHECK(r->min_timestamp == 1698796800000);
    CHECK(r->max_timestamp == 1698829200703);
    CHECK(!parse_legacy_part_name("17A0B0C0D0E0F001").is_ok());
    CHECK(!parse_legacy_part_name("1_1_20231101000000.000_20231101090000.703").is_ok());
    CHECK(!parse_legacy_part_name("1_1_20231101000000.000_20231101090000.703_X_Y").is_ok());
    CHECK(!parse_legacy_part_name("1_2_20231101000000.000_20231101090000.703_X").is_ok());   // blocks > rows
    CHECK(!parse_legacy_part_name("1_1_20231101090000.000_20231101000000.000_X").is_ok());   // min > max
    CHECK(!parse_legacy_part_name("-1_1_20231101000000.000_20231101090000.703_X").is_ok());
  }

  TEST_CASE("legacy min_dedup_interval durations") {
    CHECK(parse_duration_ms("0s").value() == 0);
    CHECK(parse_duration_ms("30s").value() == 30000);
    CHECK(parse_duration_ms("1m0s").value() == 60000);
    CHECK(parse_duration_ms("1h2m3.5s").value() == 3723500);
    CHECK(parse_duration_ms("500ms").value() == 500);
    CHECK(parse_duration_ms("1d").value() == 86400000);
    CHECK(parse_duration_ms("1m\n").value() == 60000);
    CHECK(!parse_duration_ms("").is_ok());
    CHECK(!parse_duration_ms("1x").is_ok());
    CHECK(!parse_duration_ms("m").is_ok());
  }

}
