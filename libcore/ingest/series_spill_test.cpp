#include "ingest/series_spill.h"

#include <doctest/doctest.h>

#include <random>

#include "ingest/test_util.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {

Bytes key_of(int i) { return itest::series_key(itest::raw_name(1, 2, {{"", "m"}, {"i", std::to_string(i)}})); }

}  // namespace

TEST_SUITE("ingest/series_spill") {
  TEST_CASE("spilled series are found again: TSID, origin and days, the newest run first") {
    vmt::test::TempDir tmp;
    SeriesSpill spill;
    spill.open(tmp.sub("spill"), metric::Tenancy::kCluster, 2);
    SeriesRegistry reg(metric::Tenancy::kCluster);
    for (int i = 0; i < 100; ++i) {
      const uint32_t id = itest::add_series(reg, itest::raw_name(1, 2, {{"", "m"}, {"i", std::to_string(i)}}), 19000, 1000 + i);
      reg.note_date(id, 19000);
      if (i % 2 == 0) reg.note_date(id, 19001);
    }
    REQUIRE(spill.write(reg).is_ok());
    CHECK(fs::is_dir(tmp.sub("spill")));

    // The next generation: series 50..149, pending; 50..99 come back.
    reg.clear();
    CHECK(reg.size() == 0);
    for (int i = 50; i < 150; ++i) {
      bool created = false;
      const Bytes k = key_of(i);
      reg.find_or_add(k, metric::xxhash64(k), 19002, &created);
      REQUIRE(created);
    }
    uint64_t found = 0;
    REQUIRE(spill.settle(reg, 0, &found).is_ok());
    CHECK(found == 50);
    for (uint32_t s = 0; s < reg.size(); ++s) {
      const int i = int(s) + 50;
      CAPTURE(i);
      const Series& ser = reg.at(s);
      CHECK(ser.returning() == (i < 100));
      if (i >= 100) {
        CHECK(ser.origin == SeriesOrigin::pending);
        continue;
      }
      CHECK(ser.origin == SeriesOrigin::created);
      CHECK(ser.tsid.metric_id == uint64_t(1000 + i));
      const auto days = reg.spilled_days(s);
      CHECK(std::vector<uint32_t>(days.begin(), days.end()) ==
            (i % 2 == 0 ? std::vector<uint32_t>{19000, 19001} : std::vector<uint32_t>{19000}));
      CHECK(reg.spilled_on(s, 19000));
      CHECK(!reg.spilled_on(s, 19002));
    }
    // Settle the new ones as the importer would, note a day, and spill again: the second run holds
    // series 50..99 with their days so far, 19000 (and 19001) and 19002.
    for (uint32_t s = 0; s < reg.size(); ++s) {
      Series& ser = reg.at(s);
      if (ser.origin == SeriesOrigin::pending) {
        ser.origin = SeriesOrigin::created;
        ser.tsid.metric_id = 5000 + s;
      }
      reg.note_date(s, 19002);
    }
    REQUIRE(spill.write(reg).is_ok());
    CHECK(spill.runs() == 2);
    reg.clear();
    const Bytes k60 = key_of(60), k10 = key_of(10), k7000 = key_of(7000);
    auto id = spill.find(reg, k60, metric::xxhash64(k60), 19003);
    REQUIRE(id.is_ok());
    REQUIRE(*id >= 0);
    CHECK(reg.at(uint32_t(*id)).tsid.metric_id == 1060);
    const auto days = reg.spilled_days(uint32_t(*id));
    CHECK(std::vector<uint32_t>(days.begin(), days.end()) == std::vector<uint32_t>{19000, 19001, 19002});
    id = spill.find(reg, k10, metric::xxhash64(k10), 19003);  // in the first run only
    REQUIRE(id.is_ok());
    REQUIRE(*id >= 0);
    CHECK(reg.at(uint32_t(*id)).tsid.metric_id == 1010);
    id = spill.find(reg, k7000, metric::xxhash64(k7000), 19003);
    REQUIRE(id.is_ok());
    CHECK(*id == -1);
    CHECK(reg.size() == 2);

    // One settle over both runs: each series from the newest run that holds it, those in neither
    // left pending, whatever their order among the keys.
    reg.clear();
    std::vector<int> asked;
    for (int i = 0; i < 160; ++i) asked.push_back(i);
    asked.push_back(7000);
    for (int i : asked) {
      bool created = false;
      const Bytes k = key_of(i);
      reg.find_or_add(k, metric::xxhash64(k), 19004, &created);
      REQUIRE(created);
    }
    found = 0;
    REQUIRE(spill.settle(reg, 0, &found).is_ok());
    CHECK(found == 150);
    for (uint32_t s = 0; s < reg.size(); ++s) {
      const int i = asked[s];
      CAPTURE(i);
      const Series& ser = reg.at(s);
      if (i >= 150) {
        CHECK(ser.origin == SeriesOrigin::pending);
        continue;
      }
      REQUIRE(ser.returning());
      CHECK(ser.origin == SeriesOrigin::created);
      // 0..99 were first settled in the first generation; 100..149 in the second, as s = i - 50.
      CHECK(ser.tsid.metric_id == uint64_t(i < 100 ? 1000 + i : 5000 + i - 50));
      std::vector<uint32_t> want;
      if (i < 100) want.push_back(19000);
      if (i < 100 && i % 2 == 0) want.push_back(19001);
      if (i >= 50) want.push_back(19002);  // only the second run has this day
      const auto d = reg.spilled_days(s);
      CHECK(std::vector<uint32_t>(d.begin(), d.end()) == want);
    }
  }
}
