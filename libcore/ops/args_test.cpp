#include <doctest/doctest.h>

#include "ops/args.h"

using namespace vmt;
using namespace vmt::ops;

TEST_SUITE("ops/args") {
  TEST_CASE("tenants are accountID[:projectID]") {
    CHECK(*parse_tenant("42:7") == Tenant{42, 7});
    CHECK(*parse_tenant("0") == Tenant{0, 0});
    CHECK(!parse_tenant("x").is_ok());
    CHECK(!parse_tenant("1:").is_ok());
    CHECK(!parse_tenant("4294967296").is_ok());
    CHECK(parse_tenant("a:b").status().code() == Code::invalid_argument);
  }
  TEST_CASE("dates are UTC day numbers") {
    CHECK(*parse_date("2023-11-01") == 19662);  // indexdb.md §9
    CHECK(format_date(19662) == "2023-11-01");
    CHECK(!parse_date("2023-13-01").is_ok());
  }
  TEST_CASE("times") {
    CHECK(*parse_time_ms("2023-11-01T12:00:00Z") == 1698840000000);
    CHECK(*parse_time_ms("2023-11-01T13:00:00+01:00") == 1698840000000);
    CHECK(*parse_time_ms("2023-11-01T12:00:00.250Z") == 1698840000250);
    CHECK(*parse_time_ms("1698840000") == 1698840000000);
    CHECK(*parse_time_ms("1698840000.5") == 1698840000500);
    CHECK(*parse_time_ms("1698840000000ms") == 1698840000000);
    CHECK(*parse_time_ms("2023-11-01") == 1698796800000);
    CHECK(format_time_ms(1698840000250) == "2023-11-01T12:00:00.250Z");
    CHECK(!parse_time_ms("yesterday").is_ok());
  }
  TEST_CASE("durations follow VictoriaMetrics flag syntax") {
    CHECK(*parse_duration_ms("15s", false) == 15000);
    CHECK(*parse_duration_ms("1y", true) == 365LL * 86400000);
    CHECK(*parse_duration_ms("1", true) == 31LL * 86400000);
    CHECK(!parse_duration_ms("1", false).is_ok());
    CHECK(!parse_duration_ms("5q", true).is_ok());
  }
}
