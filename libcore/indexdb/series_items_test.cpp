#include <doctest/doctest.h>

#include <algorithm>

#include "base/hex.h"
#include "indexdb/item.h"
#include "indexdb/series_items.h"

using namespace vmt;
using namespace vmt::indexdb;

namespace {

// indexdb.md §9: http_requests_total{job="api",instance="h1:9100",path="/x"}, tenant 42:7,
// date 19662, MetricID 1789ABCD00000001.
metric::MetricName example_name() {
  metric::MetricName mn;
  mn.account_id = 42;
  mn.project_id = 7;
  mn.metric_group = "http_requests_total";
  mn.add_tag("job", "api");
  mn.add_tag("instance", "h1:9100");
  mn.add_tag("path", "/x");
  mn.sort_tags();
  return mn;
}

metric::TSID example_tsid() { return {42, 7, 0xA20BCC1FD95AD862ULL, 0x1F5FF62F, 0x0257B790, 0x1789ABCD00000001ULL}; }

std::string nospace(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

}  // namespace

TEST_SUITE("indexdb/series_items") {
  TEST_CASE("the spec's 18 items, in generation order") {
    auto mn = example_name();
    Bytes canon;
    mn.encode_canonical(canon, vmt::metric::Tenancy::kCluster);
    mergeset::Items items;
    append_global_items(items, vmt::metric::Tenancy::kCluster, example_tsid(), mn, canon);
    append_per_day_items(items, vmt::metric::Tenancy::kCluster, 19662, example_tsid(), mn, canon);
    REQUIRE(items.size() == 18);
    const char* want[] = {
        "03 0000002A 00000007 1789ABCD00000001 0000002A00000007687474705F72657175657374735F746F74616C016A6F620161706901696E7374616E63650168313A393130300170617468012F7801",
        "02 0000002A 00000007 1789ABCD00000001 0000002A00000007A20BCC1FD95AD8621F5FF62F0257B7901789ABCD00000001",
        "01 0000002A 00000007 01 687474705F72657175657374735F746F74616C01 1789ABCD00000001",
        "01 0000002A 00000007 6A6F6201 61706901 1789ABCD00000001",
        "01 0000002A 00000007 696E7374616E636501 68313A3931303001 1789ABCD00000001",
        "01 0000002A 00000007 7061746801 2F7801 1789ABCD00000001",
        "01 0000002A 00000007 FE13687474705F72657175657374735F746F74616C6A6F6201 61706901 1789ABCD00000001",
        "01 0000002A 00000007 FE13687474705F72657175657374735F746F74616C696E7374616E636501 68313A3931303001 1789ABCD00000001",
        "01 0000002A 00000007 FE13687474705F72657175657374735F746F74616C7061746801 2F7801 1789ABCD00000001",
        "05 0000002A 00000007 0000000000004CCE 1789ABCD00000001",
        "07 0000000000004CCE 0000002A00000007687474705F72657175657374735F746F74616C016A6F620161706901696E7374616E63650168313A393130300170617468012F7801 02 0000002A00000007A20BCC1FD95AD8621F5FF62F0257B7901789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE 01 687474705F72657175657374735F746F74616C01 1789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE 6A6F6201 61706901 1789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE 696E7374616E636501 68313A3931303001 1789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE 7061746801 2F7801 1789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE FE13687474705F72657175657374735F746F74616C6A6F6201 61706901 1789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE FE13687474705F72657175657374735F746F74616C696E7374616E636501 68313A3931303001 1789ABCD00000001",
        "06 0000002A 00000007 0000000000004CCE FE13687474705F72657175657374735F746F74616C7061746801 2F7801 1789ABCD00000001",
    };
    for (size_t i = 0; i < 18; ++i) {
      CAPTURE(i);
      CHECK(to_hex(items[i], true) == nospace(want[i]));
    }
  }

  TEST_CASE("a dotted name adds the reverse row to both groups") {
    metric::MetricName mn;
    mn.metric_group = "foo.bar";
    Bytes canon;
    mn.encode_canonical(canon, vmt::metric::Tenancy::kCluster);
    mergeset::Items items;
    metric::TSID t;
    t.metric_id = 1;
    append_global_items(items, vmt::metric::Tenancy::kCluster, t, mn, canon);
    REQUIRE(items.size() == 4);  // 3 + g + 2T with g = 1, T = 0
    auto row = decode_item(items[3], vmt::metric::Tenancy::kCluster);
    REQUIRE(row.is_ok());
    CHECK(row->tag.key == "\xFF");
    CHECK(row->tag.value == "rab.oof");
  }

  TEST_CASE("every generated item decodes back to its fields") {
    auto mn = example_name();
    Bytes canon;
    mn.encode_canonical(canon, vmt::metric::Tenancy::kCluster);
    mergeset::Items items;
    append_global_items(items, vmt::metric::Tenancy::kCluster, example_tsid(), mn, canon);
    append_per_day_items(items, vmt::metric::Tenancy::kCluster, 19662, example_tsid(), mn, canon);
    for (size_t i = 0; i < items.size(); ++i) {
      auto it = decode_item(items[i], vmt::metric::Tenancy::kCluster);
      REQUIRE(it.is_ok());
      CHECK(it->metric_ids.size() == 1);
      CHECK(it->metric_ids[0] == 0x1789ABCD00000001ULL);
      if (it->has_tenant) {
        CHECK(it->account_id == 42);
        CHECK(it->project_id == 7);
      }
      if (it->has_date) CHECK(it->date == 19662);
      if (it->has_tsid) CHECK(it->tsid == example_tsid());
      if (it->has_name) CHECK(it->name == mn);
    }
  }
}
