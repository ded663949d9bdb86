#include <algorithm>
#include "ingest/existing_index.h"

#include <doctest/doctest.h>

#include <map>

#include "base/fs.h"
#include "ingest/index_builder.h"
#include "ingest/test_util.h"
#include "mergeset/part_writer.h"
#include "mergeset/table.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {

// A table holding the global and per-day items of `ids` (dates per series as given).
void make_table(const std::string& table, const SeriesRegistry& reg, const IndexWork& w, const std::string& part) {
  REQUIRE(fs::mkdir_p(table).is_ok());
  IndexPartResult res;
  IndexPartOptions opt;
  opt.runs_dir = fs::join(table, "runs");
  REQUIRE(write_index_part(reg, w, opt, fs::join(table, part), &res).is_ok());
  auto names = mergeset::read_part_names(table);
  std::vector<std::string> list = names.is_ok() ? *names : std::vector<std::string>{};
  // Without parts.json the table's directories are its parts, the new one among them.
  if (std::find(list.begin(), list.end(), part) == list.end()) list.push_back(part);
  REQUIRE(mergeset::write_part_names(table, list).is_ok());
}

void add_deleted(const std::string& table, uint64_t metric_id, const std::string& part) {
  mergeset::PartWriter w;
  REQUIRE(w.open(fs::join(table, part), mergeset::PartWriterOptions{}).is_ok());
  Bytes item;
  put_u8(item, 4);
  put_u64(item, metric_id);
  REQUIRE(w.add(item).is_ok());
  REQUIRE(w.close().is_ok());
  auto names = mergeset::read_part_names(table);
  REQUIRE(names.is_ok());
  names->push_back(part);
  REQUIRE(mergeset::write_part_names(table, *names).is_ok());
}

}  // namespace

TEST_SUITE("ingest/existing_index") {
  TEST_CASE("series are found by (day, canonical name) in curr, then prev; deleted ones are skipped") {
    vmt::test::TempDir tmp;
    SeriesRegistry reg(metric::Tenancy::kCluster);
    uint32_t a = itest::add_series(reg, itest::raw_name(0, 0, {{"", "a"}, {"job", "x"}}), 100, 500);
    uint32_t b = itest::add_series(reg, itest::raw_name(0, 0, {{"", "b"}}), 100, 501);
    uint32_t c = itest::add_series(reg, itest::raw_name(42, 7, {{"", "c"}}), 100, 502);
    uint32_t d = itest::add_series(reg, itest::raw_name(0, 0, {{"", "d"}}), 100, 9000);
    const std::string prev = tmp.sub("indexdb/0000000000000001"), curr = tmp.sub("indexdb/0000000000000002");
    IndexWork wp;  // prev: a (day 100), d (day 100)
    wp.global = {a, d};
    wp.per_day = {{a, 100}, {d, 100}};
    make_table(prev, reg, wp, "P1");
    IndexWork wc;  // curr: b on days 100 and 101, c on day 100, d on day 100 (then deleted)
    wc.global = {b, c, d};
    wc.per_day = {{b, 100}, {b, 101}, {c, 100}, {d, 100}};
    make_table(curr, reg, wc, "C1");
    add_deleted(curr, 9000, "C2");

    ExistingIndex ex;
    REQUIRE(ex.open({prev, curr}, curr, prev, vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(ex.searchable());
    CHECK(ex.max_metric_id() == 9000);
    CHECK(ex.deleted().count(9000) == 1);

    std::vector<ExistingIndex::NameLookup> ls;
    auto lookup = [&](uint32_t s, uint32_t day) {
      ExistingIndex::NameLookup l;
      ns7_key(l.key, day, reg.canonical(s));
      l.series = s;
      ls.push_back(l);
    };
    lookup(a, 100);  // prev
    lookup(b, 101);  // curr
    lookup(c, 100);  // curr, other tenant
    lookup(a, 101);  // no entry for that day: not found, as in v1.93.7
    lookup(d, 100);  // deleted in curr and prev: not found
    REQUIRE(ex.resolve(ls).is_ok());
    std::map<std::pair<uint32_t, int>, int> found;
    for (const auto& l : ls) {
      int day = int(load_u64(l.key.data() + 1));
      found[{l.series, day}] = l.found_in;
      if (l.found_in) CHECK(l.tsid == reg.at(l.series).tsid);
    }
    CHECK(found[{a, 100}] == 2);
    CHECK(found[{b, 101}] == 1);
    CHECK(found[{c, 100}] == 1);
    CHECK(found[{a, 101}] == 0);
    CHECK(found[{d, 100}] == 0);

    std::vector<ExistingIndex::DateCheck> cs;
    auto check = [&](uint32_t s, uint32_t day) {
      ExistingIndex::DateCheck c;
      const auto& t = reg.at(s).tsid;
      ns5_key(c.key, vmt::metric::Tenancy::kCluster, t.account_id, t.project_id, day, t.metric_id);
      c.ref = cs.size();
      cs.push_back(c);
    };
    check(b, 101);
    check(a, 100);  // only in prev: curr does not have it
    check(c, 100);
    check(b, 102);
    REQUIRE(ex.check_dates(cs).is_ok());
    std::map<size_t, bool> exists;
    for (const auto& c : cs) exists[c.ref] = c.exists;
    CHECK(exists[0]);
    CHECK(!exists[1]);
    CHECK(exists[2]);
    CHECK(!exists[3]);
  }

  TEST_CASE("a MetricID->name item too short to hold a MetricID: the error names the table") {
    vmt::test::TempDir tmp;
    const std::string t = tmp.sub("0000000000000002");
    REQUIRE(fs::mkdir_p(t).is_ok());
    mergeset::PartWriter w;
    REQUIRE(w.open(fs::join(t, "P1"), mergeset::PartWriterOptions{}).is_ok());
    Bytes item;
    put_u8(item, 3);        // ns 3, then 8 bytes instead of acc · proj · MetricID · name
    put_u64(item, 1);
    REQUIRE(w.add(item).is_ok());
    REQUIRE(w.close().is_ok());
    REQUIRE(mergeset::write_part_names(t, {"P1"}).is_ok());
    ExistingIndex ex;
    REQUIRE(ex.open({t}, t, "", vmt::metric::Tenancy::kCluster).is_ok());
    std::vector<ExistingIndex::AnyDayLookup> ls(1);
    ls[0].canonical = ByteView("x");
    Status st = ex.resolve_any_day(ls);
    REQUIRE(!st.is_ok());
    CHECK(st.message().find("too short") != std::string::npos);
    CHECK(st.message().find(t) != std::string::npos);
  }

  TEST_CASE("an empty indexdb finds nothing") {
    vmt::test::TempDir tmp;
    const std::string t = tmp.sub("0000000000000001");
    REQUIRE(fs::mkdir_p(t).is_ok());
    REQUIRE(mergeset::write_part_names(t, {}).is_ok());
    ExistingIndex ex;
    REQUIRE(ex.open({t}, t, "", vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(!ex.searchable());
    CHECK(ex.max_metric_id() == 0);
    std::vector<ExistingIndex::NameLookup> ls(1);
    ns7_key(ls[0].key, 1, "x");
    REQUIRE(ex.resolve(ls).is_ok());
    CHECK(ls[0].found_in == 0);
  }
}
