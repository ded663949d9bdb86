#include "ingest/target_dir.h"

#include <doctest/doctest.h>

#include "base/fs.h"
#include "layout/parts_json.h"
#include "layout/storage_dir.h"
#include "mergeset/table.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

TEST_SUITE("ingest/target_dir") {
  TEST_CASE("a missing directory is created complete, as vmstorage would create it") {
    vmt::test::TempDir tmp;
    const std::string root = tmp.sub("a/b");
    TargetDir d;
    REQUIRE(d.open(root, 100, vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(d.created_indexdb());
    for (const char* p : {"flock.lock", "data/small/snapshots", "data/big/snapshots", "indexdb/snapshots", "snapshots",
                          "metadata/minTimestampForCompositeIndex"}) {
      CHECK_MESSAGE(fs::exists(fs::join(root, p)), p);
    }
    auto mt = layout::read_min_timestamp_for_composite_index(root);
    REQUIRE(mt.is_ok());
    CHECK(*mt == 0);
    REQUIRE(d.tables().size() == 3);
    CHECK(fs::base_name(d.tables()[0]) == "0000000000000065");
    CHECK(fs::base_name(d.curr_table()) == "0000000000000066");
    CHECK(fs::base_name(d.prev_table()) == "0000000000000065");
    auto sd = layout::open_storage_dir(root);
    REQUIRE(sd.is_ok());
    CHECK(sd->curr()->name == "0000000000000066");
    CHECK(sd->curr()->has_parts_json);
    // Part names continue after the generation names and skip existing directories.
    REQUIRE(fs::mkdir_p(fs::join(root, "x/0000000000000068")).is_ok());
    CHECK(d.new_part_name({fs::join(root, "x")}) == "0000000000000069");
    CHECK(d.new_part_name({fs::join(root, "x")}) == "000000000000006A");
  }

  TEST_CASE("a locked directory is refused with an I/O error naming the lock") {
    vmt::test::TempDir tmp;
    TargetDir a, b;
    REQUIRE(a.open(tmp.path(), 1, vmt::metric::Tenancy::kCluster).is_ok());
    Status st = b.open(tmp.path(), 1, vmt::metric::Tenancy::kCluster);
    CHECK(st.code() == Code::io_error);
    CHECK(st.message().find("flock.lock") != std::string::npos);
  }

  TEST_CASE("generations are completed to three above the existing names; curr is the middle one") {
    vmt::test::TempDir tmp;
    REQUIRE(fs::mkdir_p(tmp.sub("indexdb/00000000000000A0")).is_ok());
    REQUIRE(mergeset::write_part_names(tmp.sub("indexdb/00000000000000A0"), {}).is_ok());
    REQUIRE(fs::mkdir_p(tmp.sub("indexdb/lowercase0000000a")).is_ok());  // ignored, as by the server
    TargetDir d;
    REQUIRE(d.open(tmp.path(), 5, vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(!d.created_indexdb());
    CHECK(!fs::exists(tmp.sub("metadata/minTimestampForCompositeIndex")));  // not a fresh store: left alone
    REQUIRE(d.tables().size() == 3);
    CHECK(fs::base_name(d.prev_table()) == "00000000000000A0");
    CHECK(fs::base_name(d.curr_table()) == "00000000000000A1");
    CHECK(d.added_tables().size() == 2);
  }

  TEST_CASE("partitions get an empty parts.json; stale temporary directories are removed") {
    vmt::test::TempDir tmp;
    TargetDir d;
    REQUIRE(d.open(tmp.path(), 1, vmt::metric::Tenancy::kCluster).is_ok());
    REQUIRE(d.ensure_partition("2023_11").is_ok());
    auto pj = layout::read_data_parts_json(fs::join(d.small_dir("2023_11"), "parts.json"));
    REQUIRE(pj.is_ok());
    CHECK(pj->small.empty());
    CHECK(fs::is_dir(d.big_dir("2023_11")));
    const std::string stale = fs::join(d.small_dir("2023_11"), std::string(TargetDir::kTempPrefix) + "X");
    REQUIRE(fs::mkdir_p(stale).is_ok());
    REQUIRE(fs::mkdir_p(fs::join(d.small_dir("2023_11"), "KEEP")).is_ok());
    REQUIRE(d.remove_stale_temp(d.small_dir("2023_11")).is_ok());
    CHECK(!fs::exists(stale));
    CHECK(fs::exists(fs::join(d.small_dir("2023_11"), "KEEP")));
    // A partition without parts.json but with part directories is not guessed at.
    REQUIRE(fs::mkdir_p(fs::join(d.small_dir("2023_10"), "SOMEPART")).is_ok());
    CHECK(d.ensure_partition("2023_10").code() == Code::unsupported);
  }

  TEST_CASE("restore-in-progress is refused like vmstorage refuses it") {
    vmt::test::TempDir tmp;
    REQUIRE(fs::write_file_sync(tmp.sub("restore-in-progress"), "").is_ok());
    TargetDir d;
    CHECK(!d.open(tmp.path(), 1, vmt::metric::Tenancy::kCluster).is_ok());
  }
}
