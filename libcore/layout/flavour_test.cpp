#include <doctest/doctest.h>

#include "base/fs.h"
#include "layout/flavour.h"
#include "layout/storage_dir.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::layout;
using metric::Tenancy;

namespace {

// Fixtures written by the other servers: ../shared/fixtures/<name> and tests/fixtures/<name>.
std::string shared_fixture(const std::string& rel) { return fs::join(fs::dir_name(test::fixtures_dir()), rel); }
std::string local_fixture(const std::string& rel) { return fs::join("tests/fixtures", rel); }

}  // namespace

TEST_SUITE("layout/flavour") {
  TEST_CASE("--target reads releases as their tags do") {
    struct Case {
      const char* in;
      Tenancy tenancy;
      IndexLayout index;
    } cases[] = {
        {"v1.93.7", Tenancy::kSingle, IndexLayout::kGenerations},
        {"v1.93.7-cluster", Tenancy::kCluster, IndexLayout::kGenerations},
        {"1.93", Tenancy::kSingle, IndexLayout::kGenerations},
        {"1.93-cluster", Tenancy::kCluster, IndexLayout::kGenerations},
        {"v1.148.2", Tenancy::kSingle, IndexLayout::kPerPartition},
        {"v1.136.16-cluster", Tenancy::kCluster, IndexLayout::kPerPartition},
        {"1.136", Tenancy::kSingle, IndexLayout::kPerPartition},
    };
    for (const auto& c : cases) {
      CAPTURE(c.in);
      auto f = parse_target(c.in);
      REQUIRE(f.is_ok());
      CHECK(f->tenancy == c.tenancy);
      CHECK(f->index == c.index);
    }
    for (const char* bad : {"", "v", "-cluster", "v1", "1.93.7.1", "v1.100.0", "v2.93.7", "1.93-enterprise", "v1.93x",
                            "latest", "v1..93", "v1.93.7-cluster-cluster"}) {
      CAPTURE(bad);
      auto f = parse_target(bad);
      REQUIRE(!f.is_ok());
      CHECK(f.status().code() == Code::invalid_argument);
      CHECK(f.status().message().find("supported: v1.93.x") != std::string::npos);
    }
    CHECK(kDefaultFlavour.tenancy == Tenancy::kCluster);
    CHECK(kDefaultFlavour.index == IndexLayout::kGenerations);
    CHECK(parse_target("v1.148.0")->delete_marker());
    CHECK(!parse_target("v1.93.7")->delete_marker());
  }

  TEST_CASE("detection on directories written by each server") {
    struct Case {
      std::string dir;
      Tenancy tenancy;
      IndexLayout index;
      size_t partition_indexes, generations;
    } cases[] = {
        {test::fixture("tiny/storage"), Tenancy::kCluster, IndexLayout::kGenerations, 0, 3},
        {shared_fixture("vm-single-1.93/tiny/storage-after-merge"), Tenancy::kSingle, IndexLayout::kGenerations, 0, 3},
        {local_fixture("vm-single-1.148/multi/storage-final"), Tenancy::kSingle, IndexLayout::kPerPartition, 6, 0},
        {local_fixture("vm-cluster-1.148/multi/storage-final"), Tenancy::kCluster, IndexLayout::kPerPartition, 6, 0},
        {local_fixture("vm-single-1.136/multi/storage-before-merge"), Tenancy::kSingle, IndexLayout::kPerPartition, 6, 0},
        {local_fixture("vm-cluster-1.148/upgraded/storage"), Tenancy::kCluster, IndexLayout::kPerPartition, 3, 2},
    };
    for (const auto& c : cases) {
      CAPTURE(c.dir);
      auto sd = open_storage_dir(c.dir);
      REQUIRE(sd.is_ok());
      REQUIRE(sd->tenancy.has_value());
      CHECK(*sd->tenancy == c.tenancy);
      CHECK(sd->flavour.tenancy == c.tenancy);
      CHECK(sd->flavour.index == c.index);
      CHECK(sd->partition_indexes.size() == c.partition_indexes);
      CHECK(sd->generations.size() == c.generations);
      for (const auto& g : sd->generations) CHECK(g.legacy == (c.index == IndexLayout::kPerPartition));
    }
  }

  TEST_CASE("upgraded directory: the legacy prev and curr are searched after the partition indexes") {
    auto sd = open_storage_dir(local_fixture("vm-single-1.148/upgraded/storage"));
    REQUIRE(sd.is_ok());
    auto searched = sd->searched_tables();
    REQUIRE(searched.size() == 5);  // 2023_11, 2025_12, 2026_12, then legacy curr, prev
    CHECK(searched[0]->rel == "data/indexdb/2023_11");
    CHECK(searched[3]->role == "curr");
    CHECK(searched[3]->legacy);
    CHECK(searched[4]->role == "prev");
    REQUIRE(sd->partition_index("2023_11") != nullptr);
    CHECK(sd->partition_index("2023_10") == nullptr);
  }

  TEST_CASE("a legacy next generation is dropped, not searched") {
    // v1.148 deletes the newest of three legacy tables at open (doc/flavours.md §3).
    test::TempDir tmp;
    for (const char* g : {"0000000000000001", "0000000000000002", "0000000000000003"}) {
      REQUIRE(fs::mkdir_p(tmp.sub(std::string("indexdb/") + g)).is_ok());
    }
    REQUIRE(fs::mkdir_p(tmp.sub("data/indexdb/2025_10")).is_ok());
    auto sd = open_storage_dir(tmp.path());
    REQUIRE(sd.is_ok());
    CHECK(sd->flavour.per_partition_index());
    CHECK(!sd->tenancy.has_value());  // nothing to tell it by: the default (cluster)
    CHECK(sd->flavour.tenancy == Tenancy::kCluster);
    CHECK(sd->generations[2].role == "stale");
    CHECK(sd->searched_generations().size() == 2);
  }

  TEST_CASE("--target against what the directory holds") {
    const std::string single = shared_fixture("vm-single-1.93/tiny/storage-after-merge");
    const std::string per_partition = local_fixture("vm-cluster-1.148/multi/storage-final");
    Flavour cluster93 = *parse_target("v1.93.7-cluster"), single93 = *parse_target("v1.93.7");
    Flavour single148 = *parse_target("v1.148.0"), cluster148 = *parse_target("v1.148.0-cluster");
    CHECK(open_storage_dir(single, &single93).is_ok());
    auto bad = open_storage_dir(single, &cluster93);
    REQUIRE(!bad.is_ok());
    CHECK(bad.status().code() == Code::invalid_argument);
    CHECK(bad.status().message().find("single-node") != std::string::npos);
    CHECK(bad.status().message().find("cluster") != std::string::npos);
    // A generations directory may be read as a v1.148 one (the server upgrades it in place) ...
    auto up = open_storage_dir(single, &single148);
    REQUIRE(up.is_ok());
    CHECK(up->flavour.per_partition_index());
    CHECK(up->generations[0].legacy);
    // ... but a per-partition one is not a v1.93 one.
    CHECK(!open_storage_dir(per_partition, &cluster93).is_ok());
    CHECK(open_storage_dir(per_partition, &cluster148).is_ok());
  }

  TEST_CASE("part tenancy: every part of the fixtures is told apart") {
    for (const auto& [dir, want] : std::vector<std::pair<std::string, Tenancy>>{
             {test::fixture("node/storage-after-merge"), Tenancy::kCluster},
             {shared_fixture("vm-single-1.93/node/storage-after-merge"), Tenancy::kSingle},
             {local_fixture("vm-single-1.148/multi/storage-final"), Tenancy::kSingle},
             {local_fixture("vm-cluster-1.148/multi/storage-final"), Tenancy::kCluster}}) {
      auto sd = open_storage_dir(dir);
      REQUIRE(sd.is_ok());
      for (const auto& p : sd->partitions) {
        for (const auto& part : p.parts) {
          CAPTURE(part.path);
          auto t = detect_part_tenancy(part.path);
          REQUIRE(t.has_value());
          CHECK(*t == want);
        }
      }
      for (const auto* t : sd->all_tables()) {
        for (const auto& part : t->parts) {
          CAPTURE(part.path);
          auto ten = detect_index_part_tenancy(part.path);
          if (ten) CHECK(*ten == want);  // a part of only deleted MetricIDs has no ns 2 item
        }
      }
    }
    CHECK(!detect_part_tenancy("/nonexistent").has_value());
  }
}
