#include "ops/import_args.h"

#include <doctest/doctest.h>

#include "ops/import.h"

using namespace vmt;
using namespace vmt::ops;

TEST_SUITE("ops/import_args") {
  TEST_CASE("byte sizes like VictoriaMetrics flags") {
    CHECK(*parse_byte_size("268435456") == 268435456);
    CHECK(*parse_byte_size("256MiB") == 268435456);
    CHECK(*parse_byte_size("1.5GB") == 1500000000);
    CHECK(*parse_byte_size("2KiB") == 2048);
    CHECK(*parse_byte_size("1TB") == 1000000000000ull);
    for (const char* bad : {"", "MiB", "1.2.3", "12 MiB", "-1", "1mib", ".5", "5.", "1e9", "99999999999TiB"}) {
      auto r = parse_byte_size(bad);
      CHECK_MESSAGE(r.status().code() == Code::invalid_argument, bad);
    }
  }

  TEST_CASE("--mem-limit: a byte size with a minimum, named in the error") {
    CHECK(*parse_mem_limit("256MiB", 1u << 20) == 268435456);
    CHECK(*parse_mem_limit("1MiB", 1u << 20) == 1048576);
    CHECK(*parse_mem_limit("64KiB", 64u << 10) == 65536);
    auto small = parse_mem_limit("1023KiB", 1u << 20);
    CHECK(small.status().code() == Code::invalid_argument);
    CHECK(small.status().to_string() == "--mem-limit must be at least 1MiB");
    CHECK(parse_mem_limit("1KiB", 64u << 10).status().to_string() == "--mem-limit must be at least 64KiB");
    CHECK(parse_mem_limit("lots", 1u << 20).status().code() == Code::invalid_argument);
  }

  TEST_CASE("unsigned integers") {
    CHECK(*parse_uint64("0", "x") == 0);
    CHECK(*parse_uint64("18446744073709551615", "x") == UINT64_MAX);
    CHECK(!parse_uint64("18446744073709551616", "x").is_ok());
    CHECK(!parse_uint64("-1", "x").is_ok());
    CHECK(!parse_uint64("", "x").is_ok());
  }

  TEST_CASE("the summary names every count") {
    ingest::ImportStats s;
    s.samples_accepted = 10;
    s.seconds = 1;
    ingest::PartitionStats p;
    p.name = "2023_11";
    p.samples = 10;
    s.partitions.push_back(p);
    auto lines = render_import_summary(s);
    REQUIRE(lines.size() >= 6);
    CHECK(lines[0].rfind("input: files=", 0) == 0);
    bool part = false, done = false;
    for (const auto& l : lines) {
      part = part || l.rfind("partition 2023_11: samples=10 ", 0) == 0;
      done = done || l.rfind("done: seconds=1.000 samples_per_second=10 ", 0) == 0;
    }
    CHECK(part);
    CHECK(done);
  }
}
