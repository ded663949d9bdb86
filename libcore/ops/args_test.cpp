#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>

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
    // A bad time is reported as a time (what the flag takes), not as a bad duration.
    CHECK(parse_time_ms("yesterday").status().message().rfind("invalid time \"yesterday\"", 0) == 0);
  }
  TEST_CASE("times as /api/v1/export reads start and end (lib/promutils ParseTimeAt at v1.93.7)") {
    // A number from 2^32 on is milliseconds; below, seconds.
    CHECK(*parse_time_ms("1795867250000") == 1795867250000);
    CHECK(*parse_time_ms("4294967295") == 4294967295000);
    // Prefixes of RFC3339.
    CHECK(*parse_time_ms("2023") == 1672531200000);
    CHECK(*parse_time_ms("2023-11") == 1698796800000);
    CHECK(*parse_time_ms("2023-11-01T12") == 1698840000000);
    CHECK(*parse_time_ms("2023-11-01T12:30") == 1698841800000);
    CHECK(*parse_time_ms("2023-11-01T13:30+01:00") == 1698841800000);
    CHECK(!parse_time_ms("2023-13").is_ok());
    // now and durations before it.
    const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    const int64_t now = *parse_time_ms("now");
    CHECK(now >= before);
    CHECK(now - before < 60000);
    for (const char* rel : {"-1h", "1h", "now-1h", "now-30m30m"}) {
      CAPTURE(rel);
      auto t = parse_time_ms(rel);
      REQUIRE(t.is_ok());
      CHECK(std::llabs(*t - (now - 3600000)) < 60000);
    }
    CHECK(!parse_time_ms("-1q").is_ok());
  }
  TEST_CASE("durations: Go's compound form too") {
    CHECK(*parse_duration_ms("1h30m", false) == 5400000);
    CHECK(*parse_duration_ms("1m30s", false) == 90000);
    CHECK(*parse_duration_ms("1d12h", false) == 36LL * 3600000);
    CHECK(!parse_duration_ms("1h30", false).is_ok());
    CHECK(!parse_duration_ms("2h1", true).is_ok());  // a bare number only alone means months
  }
  TEST_CASE("durations follow VictoriaMetrics flag syntax") {
    CHECK(*parse_duration_ms("15s", false) == 15000);
    CHECK(*parse_duration_ms("1y", true) == 365LL * 86400000);
    CHECK(*parse_duration_ms("1", true) == 31LL * 86400000);
    CHECK(!parse_duration_ms("1", false).is_ok());
    CHECK(!parse_duration_ms("5q", true).is_ok());
  }
}
