#include <doctest/doctest.h>

#include "base/hex.h"
#include "metric/date.h"
#include "metric/tsid_gen.h"

using namespace vmt;
using vmt::metric::MetricName;
using vmt::metric::Tag;

TEST_SUITE("metric/tsid_gen") {
  // metricname-tsid.md §5.2 (verified).
  TEST_CASE("xxhash64 values of the spec") {
    CHECK(metric::xxhash64("http_requests_total") == 0xA20BCC1FD95AD862ULL);
    CHECK(metric::xxhash64("api") == 0x4DF3E8C51F5FF62FULL);
    CHECK(metric::xxhash64("h1:9100") == 0x23B803870257B790ULL);
    CHECK(metric::xxhash64("") == 0xEF46DB3751D8E999ULL);
  }

  TEST_CASE("generate_tsid gives the spec's TSID bytes") {
    MetricName mn;
    mn.account_id = 42;
    mn.project_id = 7;
    mn.metric_group = "http_requests_total";
    mn.tags = {Tag{"path", "/x"}, Tag{"instance", "h1:9100"}, Tag{"job", "api"}};
    mn.sort_tags();
    auto t = metric::generate_tsid(mn, 0x1789ABCD00000001ULL);
    Bytes b;
    t.encode(b, vmt::metric::Tenancy::kCluster);
    CHECK(to_hex(b, true) == "0000002A00000007A20BCC1FD95AD8621F5FF62F0257B7901789ABCD00000001");
  }

  TEST_CASE("generate_tsid without tags, with one tag, and with ordinary first tags") {
    MetricName mn;
    auto t0 = metric::generate_tsid(mn, 5);
    CHECK(t0.metric_group_id == 0xEF46DB3751D8E999ULL);
    CHECK(t0.job_id == 0);
    CHECK(t0.instance_id == 0);
    mn.tags = {Tag{"zzz", "api"}};
    auto t1 = metric::generate_tsid(mn, 5);
    CHECK(t1.job_id == 0x1F5FF62F);
    CHECK(t1.instance_id == 0);
    mn.tags = {Tag{"a", "h1:9100"}, Tag{"b", "api"}};  // only values are hashed
    auto t2 = metric::generate_tsid(mn, 5);
    CHECK(t2.job_id == 0x0257B790);
    CHECK(t2.instance_id == 0x1F5FF62F);
    CHECK(t2.metric_id == 5);
  }

  TEST_CASE("generate_tsid_canonical reads the TSID from the name's bytes as generate_tsid from the name") {
    // Names with 0 to 5 tags, escaped bytes (0x00-0x02 are escaped in a canonical name) in the
    // group, keys and values, job-like keys that sort first, both tenancies.
    uint64_t seed = 7;
    auto rnd = [&](uint64_t n) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      return (seed >> 33) % n;
    };
    auto str = [&](size_t max) {
      std::string v;
      static const char kBytes[] = {'a', 'b', 0x00, 0x01, 0x02, ':', '/', 'j', 'o', 'b'};
      for (size_t k = rnd(max + 1); k > 0; --k) v += kBytes[rnd(sizeof kBytes)];
      return v;
    };
    Bytes scratch;
    for (int round = 0; round < 2000; ++round) {
      MetricName mn;
      const auto t = round % 2 ? metric::Tenancy::kCluster : metric::Tenancy::kSingle;
      if (t == metric::Tenancy::kCluster) {
        mn.account_id = uint32_t(rnd(1000));
        mn.project_id = uint32_t(rnd(1000));
      }
      mn.metric_group = str(12);
      for (size_t k = rnd(6); k > 0; --k) {
        const char* keys[] = {"job", "instance", "Job", "path", "x"};
        mn.tags.push_back(Tag{rnd(3) == 0 ? std::string(keys[rnd(5)]) : "k" + str(6), str(10)});
      }
      mn.sort_tags();
      Bytes name;
      mn.encode_canonical(name, t);
      // The decoded name is what generate_tsid is given (sort_tags may have merged duplicates).
      auto back = MetricName::decode_canonical(name, t);
      REQUIRE(back.is_ok());
      size_t tags = 9;
      auto got = metric::generate_tsid_canonical(name, t, 100 + round, &tags, scratch);
      REQUIRE(got.is_ok());
      CAPTURE(round);
      CHECK(*got == metric::generate_tsid(*back, 100 + round));
      CHECK(tags == std::min<size_t>(back->tags.size(), 2));
    }
    // A truncated name is an error naming what is missing.
    MetricName mn;
    mn.metric_group = "up";
    mn.tags = {Tag{"job", "api"}};
    Bytes name;
    mn.encode_canonical(name, metric::Tenancy::kCluster);
    size_t tags = 0;
    CHECK_FALSE(metric::generate_tsid_canonical(ByteView(name).substr(0, 6), metric::Tenancy::kCluster, 1, &tags, scratch).is_ok());
    auto cut = metric::generate_tsid_canonical(ByteView(name).substr(0, name.size() - 1), metric::Tenancy::kCluster, 1, &tags, scratch);
    REQUIRE_FALSE(cut.is_ok());
    CHECK(cut.status().message().find("tag #0") != std::string::npos);
  }
}

TEST_SUITE("metric/date") {
  // metricname-tsid.md §6 (verified): 2023-11-01T12:00:00Z -> 19662 = 0x4CCE.
  TEST_CASE("date and hour numbers") {
    CHECK(metric::date_of(1698840000000) == 19662);
    CHECK(metric::date_of(0) == 0);
    CHECK(metric::date_of(86'399'999) == 0);
    CHECK(metric::date_of(86'400'000) == 1);
    CHECK(metric::hour_of(1698840000000) == 19662ULL * 24 + 12);
    // Unsigned division: a negative timestamp is a huge day number, as in Go.
    CHECK(metric::date_of(-1) == UINT64_MAX / 86'400'000);
    CHECK(metric::min_date_of_range(1698840000000) == 19662);
    CHECK(metric::max_date_of_range(19663LL * 86'400'000) == 19662);  // end exclusive of next day
  }
}
