#include "query/index_search.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <algorithm>

#include "indexdb/item.h"
#include "layout/storage_dir.h"
#include "mergeset/part_reader.h"
#include "mergeset/part_writer.h"
#include "tests/test_support.h"

namespace vmt::query {

namespace {

// A directory opened and searched over the whole time range, and its tenants. The search points
// into the directory's tables, so the directory keeps one address.
struct Searched {
  std::unique_ptr<layout::StorageDir> sd;
  std::unique_ptr<StorageSearch> ss;
  std::vector<metric::Tenant> tenants;
};

Searched search_whole(const std::string& dir) {
  auto sd = layout::open_storage_dir(dir, nullptr);
  REQUIRE(sd.is_ok());
  Searched out;
  out.sd = std::make_unique<layout::StorageDir>(std::move(*sd));
  auto ss = StorageSearch::open(*out.sd, TimeRange{});
  REQUIRE(ss.is_ok());
  out.ss = std::make_unique<StorageSearch>(std::move(*ss));
  auto tenants = out.ss->tenants(std::nullopt);
  REQUIRE(tenants.is_ok());
  out.tenants = std::move(*tenants);
  return out;
}

}  // namespace

TEST_CASE("index search: the days a time range covers, and per-day vs global as the server decides") {
  TimeRange whole;
  CHECK(whole.whole());
  CHECK_FALSE(whole.per_day());
  const int64_t d = 19662 * int64_t(kMsPerDay);  // 2023-11-01
  TimeRange day{d, d + int64_t(kMsPerDay)};
  CHECK(day.min_date() == 19662);
  CHECK(day.max_date() == 19662);  // end at midnight belongs to the day before: (end-1)/day
  CHECK(day.per_day());
  TimeRange point{d + 500, d + 500};
  CHECK(point.per_day());
  CHECK(point.min_date() == 19662);
  TimeRange midnight{d, d};  // start = end at midnight: max < min, the server falls back to global
  CHECK(midnight.max_date() == 19661);
  CHECK_FALSE(midnight.per_day());
  TimeRange forty{d, d + 41 * int64_t(kMsPerDay)};
  CHECK(forty.max_date() - forty.min_date() == 40);
  CHECK(forty.per_day());
  TimeRange longer{d, d + 42 * int64_t(kMsPerDay)};
  CHECK_FALSE(longer.per_day());
  TimeRange from_one{1000, INT64_MAX};  // start=1: global
  CHECK_FALSE(from_one.whole());
  CHECK_FALSE(from_one.per_day());
}

TEST_CASE("index search: sorted-set helpers") {
  std::vector<uint64_t> a{1, 3, 5, 7}, b{3, 4, 5};
  CHECK(intersect_ids(a, b) == std::vector<uint64_t>{3, 5});
  CHECK(subtract_ids(a, b) == std::vector<uint64_t>{1, 7});
  CHECK(unite_ids(a, b) == std::vector<uint64_t>{1, 3, 4, 5, 7});
  std::vector<uint64_t> v{5, 1, 5, 3, 1};
  sort_unique(v);
  CHECK(v == std::vector<uint64_t>{1, 3, 5});
  // The pointer-range form keeps the count and leaves the tail to the caller (HugeVector's truncate).
  struct Pair {
    uint64_t id;
    uint32_t node;
    auto operator<=>(const Pair&) const = default;
  };
  Pair p[] = {{7, 1}, {3, 0}, {7, 1}, {3, 2}, {3, 0}};
  REQUIRE(sort_unique(p, p + 5) == 3);
  CHECK(p[0] == Pair{3, 0});
  CHECK(p[1] == Pair{3, 2});
  CHECK(p[2] == Pair{7, 1});
  std::vector<uint64_t> in_order{1, 2, 2, 9};
  CHECK(sort_unique(in_order.data(), in_order.data() + 4) == 3);
  CHECK(in_order[0] == 1);
  CHECK(in_order[2] == 9);
  CHECK(unite_ids({}, b) == b);  // spans: an empty side yields the other
}

TEST_CASE("index search: a table with no items is empty, and a storage search leaves it out") {
  // The tiny fixture as the server left it: the previous generation has an empty parts.json,
  // the current one a part.
  Searched d = search_whole(test::fixture("tiny/storage"));
  size_t empty = 0, filled = 0;
  for (const auto* t : d.sd->searched_tables()) {
    auto ts = TableSearch::open(*t, d.sd->flavour.tenancy);
    REQUIRE(ts.is_ok());
    bool any = false;
    REQUIRE((*ts)->scan_prefix({}, [&](ByteView) -> Result<bool> {
      any = true;
      return false;
    }).is_ok());
    CHECK((*ts)->empty() == !any);
    ++(any ? filled : empty);
  }
  CHECK(empty == 1);
  CHECK(filled == 1);
  // Only the filled table is searched, and it still answers.
  REQUIRE(d.ss->tables().size() == 1);
  CHECK_FALSE(d.ss->tables()[0].search->empty());
  CHECK(d.tenants.size() == 2);
}

TEST_CASE("index search: selectors through the tag rows of the tiny fixture") {
  const std::string dir = test::fixture("tiny/storage");
  Searched d = search_whole(dir);
  auto& ss = d.ss;
  const auto& tenants = d.tenants;
  REQUIRE(tenants.size() == 2);  // 0:0 and 42:7
  auto count = [&](const std::string& text, const metric::Tenant& t) {
    std::vector<Selector> sels;
    if (!text.empty()) sels.push_back(*parse_selector(text));
    size_t n = 0;
    for (auto& tab : ss->tables()) {
      auto ids = tab.search->search(sels, t, TimeRange{});
      REQUIRE(ids.is_ok());
      n += ids->size();
    }
    return n;
  };
  const metric::Tenant t0{0, 0};
  CHECK(count("", t0) == 10);
  // Expected counts read off the server's export of tenant 0:0 (tiny/export/tenant-0-0.jsonl).
  CHECK(count("{job=\"tiny\"}", t0) == 5);
  CHECK(count("{job=\"\"}", t0) == 5);            // the series without job
  CHECK(count("{sensor=~\"c.u|gpu\"}", t0) == 2);
  CHECK(count("{sensor!~\"c.*\"}", t0) == 9);     // gpu and the 8 without sensor
  CHECK(count("{__name__=~\"tiny_.*_total\"}", t0) == 1);
  CHECK(count("{code=~\"2\"}", t0) == 0);         // anchored
  CHECK(count("tiny_no_labels{}", t0) == 1);
  CHECK(count("{case=~\"spec.*|range\",__name__!=\"tiny_extreme_floats\"}", t0) == 1);
}

TEST_CASE("index search: names on two threads find each id's name once, across parts") {
  // The node fixture's index part rewritten as two: every other ns 3 item moves to a second part,
  // listed after the first, and the first keeps its items (so ids come in both, and the second
  // part starts low again, where the pass must start over).
  test::TempDir tmp;
  const std::string dir = tmp.sub("storage");
  std::filesystem::copy(test::fixture("node/storage-before-merge"), dir, std::filesystem::copy_options::recursive);
  const std::string table = dir + "/indexdb/18EA242FC46A77A1";
  std::vector<Bytes> items;
  {
    auto r = mergeset::PartReader::open(table + "/18EA242FC6B2FDAA");
    REQUIRE(r.is_ok());
    REQUIRE((*r)->seek_to_first().is_ok());
    while ((*r)->valid()) {
      items.emplace_back((*r)->item());
      REQUIRE((*r)->next().is_ok());
    }
  }
  std::vector<Bytes> first, second;
  size_t ns3 = 0;
  for (const auto& it : items) {
    const bool moved = byte_at(it, 0) == indexdb::kNsMetricIDToMetricName && ns3++ % 2 == 1;
    (moved ? second : first).push_back(it);
    if (byte_at(it, 0) == indexdb::kNsMetricIDToMetricName && ns3 % 3 == 0) second.push_back(it);  // some in both
  }
  std::sort(second.begin(), second.end());
  second.erase(std::unique(second.begin(), second.end()), second.end());
  REQUIRE(ns3 > 100);
  std::filesystem::remove_all(table + "/18EA242FC6B2FDAA");
  for (const auto& [name, part] : {std::pair{"18EA242FC6B2FDAA", &first}, std::pair{"18EA242FC6B2FDAB", &second}}) {
    mergeset::PartWriter w;
    REQUIRE(w.open(table + "/" + name, mergeset::PartWriterOptions{}).is_ok());
    for (const auto& it : *part) REQUIRE(w.add(it).is_ok());
    REQUIRE(w.close().is_ok());
  }
  std::ofstream(table + "/parts.json", std::ios::trunc) << "[\"18EA242FC6B2FDAA\",\"18EA242FC6B2FDAB\"]";
  Searched d = search_whole(dir);
  auto& ss = d.ss;
  const auto& tenants = d.tenants;
  size_t checked = 0;
  for (auto& tab : ss->tables()) {
    for (const auto& t : tenants) {
      std::map<uint64_t, Bytes> want;  // the first name of each id, read item by item
      REQUIRE(tab.search->all_names(t, [&](uint64_t id, ByteView c) {
        want.emplace(id, Bytes(c));
        return Status::ok();
      }).is_ok());
      auto all = tab.search->search({}, t, TimeRange{});
      REQUIRE(all.is_ok());
      for (size_t step : {1, 3}) {  // every id, and every third (the cursor skips)
        std::vector<uint64_t> ids;
        for (size_t i = 0; i < all->size(); i += step) ids.push_back((*all)[i]);
        std::map<uint64_t, Bytes> got;
        size_t calls = 0, second_half = 0;
        REQUIRE(tab.search->names_halves(t, ids, [&](unsigned half, uint64_t id, ByteView c) {
          ++calls;
          second_half += half;
          got.emplace(id, Bytes(c));
          return Status::ok();
        }, /*halves_from=*/2).is_ok());
        CHECK(calls == ids.size());
        CHECK(got.size() == ids.size());
        if (ids.size() >= 2) CHECK(second_half == ids.size() - ids.size() / 2);
        for (const auto& [id, c] : got) CHECK(want.at(id) == c);
        checked += got.size();
      }
    }
  }
  CHECK(checked > 100);
}

}  // namespace vmt::query
