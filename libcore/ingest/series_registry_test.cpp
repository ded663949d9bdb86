#include "ingest/series_registry.h"

#include <doctest/doctest.h>

#include "metric/metric_name.h"
#include "metric/tsid_gen.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {
// The key the parser threads give a raw name: its canonical form (cluster).
Bytes raw(uint32_t acc, std::vector<std::pair<std::string, std::string>> labels) {
  std::vector<metric::Label> ls;
  for (auto& [n, v] : labels) ls.push_back({n, v});
  Bytes out, key;
  metric::encode_raw(out, acc, 0, ls, metric::RawLimits{}, nullptr);
  metric::RawCanonicalizer canon;
  REQUIRE(canon.append(out, metric::Tenancy::kCluster, key).is_ok());
  return key;
}
uint32_t add(SeriesRegistry& r, const Bytes& key, uint32_t date, bool* created) {
  return r.find_or_add(key, metric::xxhash64(key), date, created);
}
}  // namespace

TEST_SUITE("ingest/series_registry") {
  TEST_CASE("a series is found by its canonical name, whatever spelling it came from") {
    SeriesRegistry r(metric::Tenancy::kCluster);
    bool created = false;
    Bytes a = raw(0, {{"", "m"}, {"job", "x"}, {"b", "1"}});
    Bytes b = raw(0, {{"", "m"}, {"b", "1"}, {"job", "x"}});           // other label order
    Bytes c = raw(0, {{"", "m"}, {"b", "0"}, {"job", "x"}, {"b", "1"}});  // duplicate: the last wins
    Bytes d = raw(1, {{"", "m"}, {"job", "x"}, {"b", "1"}});           // other tenant
    uint32_t ia = add(r, a, 5, &created);
    CHECK(created);
    CHECK(add(r, a, 6, &created) == ia);
    CHECK(!created);
    CHECK(add(r, b, 6, &created) == ia);
    CHECK(!created);
    CHECK(add(r, c, 6, &created) == ia);
    uint32_t id = add(r, d, 7, &created);
    CHECK(created);
    CHECK(id != ia);
    CHECK(r.size() == 2);
    CHECK(r.at(ia).first_date == 5);
    CHECK(r.at(id).first_date == 7);
    CHECK(r.find(b, metric::xxhash64(b)) == ia);
    Bytes e = raw(0, {{"", "zzz"}});
    CHECK(r.find(e, metric::xxhash64(e)) == -1);
    // The canonical form is MetricName.Marshal of the sorted name.
    auto mn = metric::MetricName::decode_canonical(r.canonical(ia), vmt::metric::Tenancy::kCluster);
    REQUIRE(mn.is_ok());
    CHECK(mn->metric_group == "m");
    REQUIRE(mn->tags.size() == 2);
    CHECK(mn->tags[0].key == "job");
    CHECK(mn->tags[1].key == "b");
  }

  TEST_CASE("many series survive table growth") {
    SeriesRegistry r(metric::Tenancy::kCluster);
    bool created = false;
    for (int i = 0; i < 20000; ++i) add(r, raw(0, {{"", "m"}, {"i", std::to_string(i)}}), 0, &created);
    CHECK(r.size() == 20000);
    for (int i = 0; i < 20000; i += 997) {
      Bytes k = raw(0, {{"", "m"}, {"i", std::to_string(i)}});
      CHECK(r.find(k, metric::xxhash64(k)) == i);
    }
    CHECK(r.memory_bytes() > 20000 * 20);
  }

  TEST_CASE("each (series, day) pair is recorded once, in first-seen order") {
    SeriesRegistry r(metric::Tenancy::kCluster);
    bool created = false;
    uint32_t a = add(r, raw(0, {{"", "a"}}), 1, &created);
    uint32_t b = add(r, raw(0, {{"", "b"}}), 1, &created);
    CHECK(r.note_date(a, 1));
    CHECK(!r.note_date(a, 1));
    CHECK(r.note_date(b, 1));
    CHECK(r.note_date(a, 2));
    CHECK(!r.note_date(a, 1));  // seen before, not the last day
    CHECK(!r.note_date(a, 2));
    REQUIRE(r.dates().size() == 3);
    CHECK(r.dates()[0] == std::make_pair(a, 1u));
    CHECK(r.dates()[1] == std::make_pair(b, 1u));
    CHECK(r.dates()[2] == std::make_pair(a, 2u));
  }

  TEST_CASE("pairs stay recorded once past the pair set's growth, day 0 and large ids included") {
    SeriesRegistry r(metric::Tenancy::kCluster);
    bool created = false;
    std::vector<uint32_t> ids;
    for (int i = 0; i < 3000; ++i) ids.push_back(add(r, raw(0, {{"", "m"}, {"i", std::to_string(i)}}), 0, &created));
    // Days in an order that defeats note_date's fast path (last day seen), so every call probes.
    size_t fresh = 0;
    for (int round = 0; round < 2; ++round) {
      for (uint32_t day : {0u, 20000u, 1u, 19999u, 0u}) {
        for (uint32_t id : ids) fresh += r.note_date(id, day);
      }
    }
    CHECK(fresh == ids.size() * 4);
    CHECK(r.dates().size() == ids.size() * 4);
  }
}
