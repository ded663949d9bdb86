#include <doctest/doctest.h>

#include "base/fs.h"
#include "layout/storage_dir.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::layout;

TEST_SUITE("layout/storage_dir") {
  TEST_CASE("partition names are UTC months") {
    int64_t lo = 0, hi = 0;
    REQUIRE(parse_partition_name("2023_11", &lo, &hi));
    CHECK(lo == 1698796800000);   // 2023-11-01T00:00:00Z
    CHECK(hi == 1701388800000 - 1);
    REQUIRE(parse_partition_name("1970_01", &lo, &hi));
    CHECK(lo == 0);
    CHECK(!parse_partition_name("2023-11", &lo, &hi));
    CHECK(!parse_partition_name("2023_13", &lo, &hi));
    CHECK(!parse_partition_name("foo", &lo, &hi));
    CHECK(partition_name_for(1698796800000) == "2023_11");
    CHECK(partition_name_for(1698796799999) == "2023_10");
    CHECK(partition_name_for(0) == "1970_01");
  }

  TEST_CASE("tiny fixture: two partitions and prev/curr/next generations") {
    auto sd = open_storage_dir(test::fixture("tiny/storage"));
    REQUIRE(sd.is_ok());
    REQUIRE(sd->partitions.size() == 2);
    CHECK(sd->partitions[0].name == "2023_10");
    CHECK(sd->partitions[0].has_parts_json);
    REQUIRE(sd->partitions[0].parts.size() == 1);
    CHECK(sd->partitions[0].parts[0].listed);
    CHECK(sd->partitions[0].parts[0].exists);
    CHECK(!sd->partitions[0].parts[0].big);
    REQUIRE(sd->generations.size() == 3);
    REQUIRE(sd->curr() != nullptr);
    CHECK(sd->curr()->name == "18EA2420BC13A01A");
    CHECK(sd->curr()->parts.size() == 1);
    CHECK(sd->prev()->name == "18EA2420BC13A019");
    CHECK(sd->generations[2].role == "next");
    REQUIRE(sd->min_timestamp_for_composite_index.has_value());
  }

  TEST_CASE("a snapshot copy has only prev and curr generations") {
    auto sd = open_storage_dir(test::fixture("node/storage-before-merge"));
    REQUIRE(sd.is_ok());
    CHECK(sd->generations.size() == 2);
    CHECK(sd->curr()->parts.size() == 1);
    REQUIRE(sd->partitions.size() == 1);
    CHECK(sd->partitions[0].parts.size() == 3);
  }

  TEST_CASE("unlisted part directories and listed-but-missing parts are recorded") {
    test::TempDir tmp;
    REQUIRE(fs::mkdir_p(tmp.sub("data/small/2024_01/GARBAGE")).is_ok());
    REQUIRE(fs::write_file_sync(tmp.sub("data/small/2024_01/parts.json"), R"({"Small":["MISSING"],"Big":[]})").is_ok());
    auto sd = open_storage_dir(tmp.path());
    REQUIRE(sd.is_ok());
    REQUIRE(sd->partitions.size() == 1);
    REQUIRE(sd->partitions[0].parts.size() == 2);
    CHECK(sd->partitions[0].parts[0].name == "MISSING");
    CHECK(sd->partitions[0].parts[0].listed);
    CHECK(!sd->partitions[0].parts[0].exists);
    CHECK(sd->partitions[0].parts[1].name == "GARBAGE");
    CHECK(!sd->partitions[0].parts[1].listed);
    CHECK(sd->generations.empty());
  }

  TEST_CASE("a missing directory, or a file, is a usage error (exit 2 in every tool)") {
    auto sd = open_storage_dir("/nonexistent/vmt");
    REQUIRE(!sd.is_ok());
    CHECK(sd.status().code() == Code::invalid_argument);
    CHECK(sd.status().message() == "/nonexistent/vmt: does not exist (want a vmstorage -storageDataPath)");
    auto f = open_storage_dir("Makefile");  // tests run from the repository root
    REQUIRE(!f.is_ok());
    CHECK(f.status().code() == Code::invalid_argument);
    CHECK(f.status().message().find("not a directory") != std::string::npos);
  }
}
