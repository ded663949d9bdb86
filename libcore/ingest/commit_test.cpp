#include "ingest/commit.h"

#include <doctest/doctest.h>

#include "base/fs.h"
#include "layout/parts_json.h"
#include "mergeset/table.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {
int g_stop_at = 0;
bool stop_hook(int step) { return step < g_stop_at; }

struct Setup {
  vmt::test::TempDir tmp;
  TargetDir dir;
  std::vector<NewIndexPart> index;
  std::vector<NewDataPart> data;
  Setup() {
    REQUIRE(dir.open(tmp.path(), 10, vmt::metric::Tenancy::kCluster).is_ok());
    for (const char* p : {"2023_10", "2023_11"}) {
      REQUIRE(dir.ensure_partition(p).is_ok());
      NewDataPart d;
      d.partition = p;
      d.name = dir.new_part_name({dir.small_dir(p), dir.big_dir(p)});
      d.temp_dir = fs::join(dir.small_dir(p), std::string(TargetDir::kTempPrefix) + d.name);
      d.big = std::string(p) == "2023_11";
      REQUIRE(fs::mkdir_p(d.temp_dir).is_ok());
      data.push_back(d);
    }
    NewIndexPart ip;
    ip.table_dir = dir.curr_table();
    ip.name = dir.new_part_name({ip.table_dir});
    ip.temp_dir = fs::join(ip.table_dir, std::string(TargetDir::kTempPrefix) + ip.name);
    REQUIRE(fs::mkdir_p(ip.temp_dir).is_ok());
    index = {ip};
  }
  std::vector<std::string> table_parts() { return *mergeset::read_part_names(dir.curr_table()); }
  layout::DataPartsJson partition(const char* p) {
    return *layout::read_data_parts_json(fs::join(dir.small_dir(p), "parts.json"));
  }
};
}  // namespace

TEST_SUITE("ingest/commit") {
  TEST_CASE("a complete commit lists the index part, then the data parts in small/ or big/") {
    Setup s;
    REQUIRE(commit_import(s.dir, s.index, s.data).is_ok());
    CHECK(s.table_parts() == std::vector<std::string>{s.index[0].name});
    CHECK(fs::is_dir(fs::join(s.dir.curr_table(), s.index[0].name)));
    CHECK(s.partition("2023_10").small == std::vector<std::string>{s.data[0].name});
    CHECK(s.partition("2023_11").big == std::vector<std::string>{s.data[1].name});
    CHECK(fs::is_dir(fs::join(s.dir.big_dir("2023_11"), s.data[1].name)));
    CHECK(!fs::exists(s.data[0].temp_dir));
  }

  TEST_CASE("interrupted before each step: nothing listed before step 3, index only before step 4") {
    for (int stop : {1, 2, 3, 4}) {
      Setup s;
      g_stop_at = stop;
      REQUIRE(commit_import(s.dir, s.index, s.data, stop_hook).is_ok());
      CHECK(s.table_parts().size() == (stop >= 4 ? 1u : 0u));
      CHECK(s.partition("2023_10").small.empty());
      CHECK(s.partition("2023_11").big.empty());
    }
  }
}
