#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "metric/metric_name.h"

using namespace vmt;
using vmt::metric::Label;
using vmt::metric::MetricName;
using vmt::metric::RawLimits;
using vmt::metric::RawStats;
using vmt::metric::Tag;

namespace {
Bytes unhex(const std::string& h) {
  auto r = from_hex(h);
  REQUIRE(r.is_ok());
  return *r;
}
}  // namespace

TEST_SUITE("metric/metric_name_raw") {
  // §2.5 (verified).
  TEST_CASE("encode_raw gives the spec's example bytes") {
    std::vector<Label> labels = {{"__name__", "http_requests_total"},
                                 {"job", "api"},
                                 {"instance", "h1:9100"},
                                 {"path", "/x"}};
    Bytes out;
    metric::encode_raw(out, 42, 7, labels, RawLimits{}, nullptr);
    CHECK(to_hex(out, true) ==
          "0000002A0000000700000013687474705F72657175657374735F746F74616C00036A6F620003617069"
          "0008696E7374616E6365000768313A3931303000047061746800022F78");
    CHECK(labels[0].name.empty());  // renamed in place, as Go does
    auto mn = MetricName::decode_raw(out);
    REQUIRE(mn.is_ok());
    CHECK(mn->account_id == 42);
    CHECK(mn->project_id == 7);
    CHECK(mn->metric_group == "http_requests_total");
    REQUIRE(mn->tags.size() == 3);
    CHECK(mn->tags[1] == Tag{"instance", "h1:9100"});
  }

  TEST_CASE("encode_raw skips empty values; an empty __name__ keeps its name") {
    std::vector<Label> labels = {{"", "foo"}, {"a", ""}, {"__name__", ""}, {"b", "c"}};
    Bytes out;
    metric::encode_raw(out, 0, 0, labels, RawLimits{}, nullptr);
    CHECK(to_hex(out) == "0000000000000000" "0000" "0003" "666f6f" "0001" "62" "0001" "63");
    CHECK(labels[2].name == "__name__");
  }

  TEST_CASE("encode_raw: positions >= max_labels are dropped, skipped labels count") {
    std::vector<Label> labels = {{"", "m"}, {"a", ""}, {"b", "1"}, {"c", "2"}};
    RawLimits lim;
    lim.max_labels = 3;
    RawStats st;
    Bytes out;
    metric::encode_raw(out, 0, 0, labels, lim, &st);
    auto mn = MetricName::decode_raw(out);
    REQUIRE(mn.is_ok());
    REQUIRE(mn->tags.size() == 1);  // "a" skipped (empty), "c" at position 3 dropped
    CHECK(mn->tags[0] == Tag{"b", "1"});
    CHECK(st.metrics_with_dropped_labels == 1);
    // Exactly max_labels labels: nothing dropped, counter untouched.
    labels.resize(3);
    RawStats st2;
    out.clear();
    metric::encode_raw(out, 0, 0, labels, lim, &st2);
    CHECK(st2.metrics_with_dropped_labels == 0);
  }

  TEST_CASE("encode_raw: the default 30 labels include the metric name") {
    std::vector<std::string> names;
    for (int i = 0; i < 35; ++i) names.push_back("l" + std::to_string(i));
    std::vector<Label> labels = {{"__name__", "m"}};
    for (auto& n : names) labels.push_back({n, "v"});
    Bytes out;
    RawStats st;
    metric::encode_raw(out, 0, 0, labels, RawLimits{}, &st);
    auto mn = MetricName::decode_raw(out);
    REQUIRE(mn.is_ok());
    CHECK(mn->tags.size() == 29);
    CHECK(mn->tags.back().key == "l28");
    CHECK(st.metrics_with_dropped_labels == 1);
  }

  TEST_CASE("encode_raw cuts names to 256 bytes and values to max_value_len, in place") {
    std::string long_name(300, 'n'), long_value(20000, 'v');
    std::vector<Label> labels = {{"", "m"}, {long_name, "x"}, {"k", long_value}};
    RawStats st;
    Bytes out;
    metric::encode_raw(out, 0, 0, labels, RawLimits{}, &st);
    CHECK(labels[1].name.size() == 256);
    CHECK(labels[2].value.size() == 16384);
    CHECK(st.too_long_label_names == 1);
    CHECK(st.too_long_label_values == 1);
    auto mn = MetricName::decode_raw(out);
    REQUIRE(mn.is_ok());
    CHECK(mn->tags[0].key.size() == 256);
    CHECK(mn->tags[1].value.size() == 16384);
    RawLimits small;
    small.max_value_len = 2;
    std::vector<Label> l2 = {{"", "metric"}};
    out.clear();
    metric::encode_raw(out, 0, 0, l2, small, nullptr);
    CHECK(to_hex(out) == "0000000000000000" "0000" "0002" "6d65");  // the metric name is a label too
  }

  TEST_CASE("decode_raw: empty name replaces the group, __name__ appends") {
    Bytes raw = unhex("0000000000000000" "0000" "0001" "61"   // "" = a
                      "0000" "0001" "62"                      // "" = b  -> replaces
                      "0008" "5f5f6e616d655f5f" "0001" "63"   // __name__ = c -> appends
                      "0001" "6b" "0001" "76"                 // k = v
                      "0001" "6b" "0001" "77");               // k = w (duplicates kept)
    auto mn = MetricName::decode_raw(raw);
    REQUIRE(mn.is_ok());
    CHECK(mn->metric_group == "bc");
    REQUIRE(mn->tags.size() == 2);
    mn->sort_tags();
    REQUIRE(mn->tags.size() == 1);
    CHECK(mn->tags[0] == Tag{"k", "w"});
  }

  TEST_CASE("decode_raw rejects short tenants and truncated records") {
    Bytes good = unhex("0000002A00000007" "0000" "0001" "61" "0001" "6b" "0002" "7676");
    for (size_t n = 0; n < good.size(); ++n) {
      bool ok = MetricName::decode_raw(ByteView(good).substr(0, n)).is_ok();
      CAPTURE(n);
      CHECK(ok == (n == 8 || n == 13));
    }
    CHECK(MetricName::decode_raw(good).is_ok());
  }

  TEST_CASE("RawStats add up, and what a counter set gained since an earlier copy") {
    RawStats total{1, 2, 3};
    const RawStats before = total;
    total += RawStats{10, 20, 30};
    CHECK(total.metrics_with_dropped_labels == 11);
    CHECK(total.too_long_label_names == 22);
    CHECK(total.too_long_label_values == 33);
    const RawStats gained = total - before;
    CHECK(gained.metrics_with_dropped_labels == 10);
    CHECK(gained.too_long_label_names == 20);
    CHECK(gained.too_long_label_values == 30);
  }

  TEST_CASE("RawCanonicalizer::append_labels gives append's bytes for the raw name encode_raw writes") {
    // Label lists past every limit (count, name length, value length), with empty values,
    // "__name__", repeated and job-like keys; the limits' counters must agree too.
    const std::vector<std::string> keys = {"job", "Job", "instance", "a", "__name__", "", std::string(300, 'k'), "env"};
    const std::vector<std::string> values = {"x", "", std::string("\x00\x01\x02", 3), std::string(40, 'v'), "y"};
    uint64_t seed = 99;
    auto next = [&](size_t n) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      return size_t(seed >> 33) % n;
    };
    metric::RawCanonicalizer direct, via_raw;
    for (int round = 0; round < 3000; ++round) {
      std::vector<metric::Label> labels;
      for (size_t i = next(round == 0 ? 1 : 14); i > 0; --i) labels.push_back({keys[next(keys.size())], values[next(values.size())]});
      metric::RawLimits lim;
      lim.max_labels = 1 + next(12);
      lim.max_value_len = 1 + next(50);
      const uint32_t acc = uint32_t(next(3)), proj = uint32_t(next(3));
      for (auto t : {metric::Tenancy::kCluster, metric::Tenancy::kSingle}) {
        std::vector<metric::Label> a = labels, b = labels;
        RawStats sa, sb;
        Bytes raw;
        metric::encode_raw(raw, acc, proj, a, lim, &sa);
        Bytes want = "prefix", got = "prefix";
        REQUIRE(via_raw.append(raw, t, want).is_ok());
        const size_t n = metric::apply_raw_limits(b, lim, &sb);
        direct.append_labels(acc, proj, std::span<const metric::Label>(b.data(), n), t, got);
        CAPTURE(round);
        CHECK(to_hex(got) == to_hex(want));
        CHECK(sa.metrics_with_dropped_labels == sb.metrics_with_dropped_labels);
        CHECK(sa.too_long_label_names == sb.too_long_label_names);
        CHECK(sa.too_long_label_values == sb.too_long_label_values);
      }
    }
  }

  TEST_CASE("RawCanonicalizer gives decode_raw + sort_tags + encode_canonical's bytes") {
    // Names made of keys that collide in tag_sort_key ("job", "Job"), repeat, are "__name__" or
    // empty, and values holding the bytes esc() escapes; 70 tags take the stable_sort path.
    const std::vector<std::string> keys = {"job", "Job", "instance", "host", "a", "b", "zz", "__name__", "", "env"};
    const std::vector<std::string> values = {"x", "y", std::string("\x00\x01\x02", 3), "", "long-value-1234"};
    uint64_t seed = 12345;
    auto next = [&](size_t n) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      return size_t(seed >> 33) % n;
    };
    metric::RawCanonicalizer canon;
    for (int round = 0; round < 3000; ++round) {
      Bytes raw;
      put_u32(raw, uint32_t(next(3)));
      put_u32(raw, uint32_t(next(3)));
      const size_t labels = round == 0 ? 70 : next(12);
      for (size_t i = 0; i < labels; ++i) {
        const std::string& k = keys[next(keys.size())];
        const std::string& v = values[next(values.size())];
        put_u16(raw, uint16_t(k.size()));
        raw += k;
        put_u16(raw, uint16_t(v.size()));
        raw += v;
      }
      for (auto t : {metric::Tenancy::kCluster, metric::Tenancy::kSingle}) {
        auto mn = MetricName::decode_raw(raw);
        REQUIRE(mn.is_ok());
        mn->sort_tags();
        Bytes want = "prefix", got = "prefix";
        mn->encode_canonical(want, t);
        REQUIRE(canon.append(raw, t, got).is_ok());
        CAPTURE(round);
        CHECK(to_hex(got) == to_hex(want));
      }
    }
    // Truncated names fail exactly where decode_raw fails, and leave the output alone.
    Bytes good = unhex("0000002A00000007" "0000" "0001" "61" "0001" "6b" "0002" "7676");
    for (size_t n = 0; n <= good.size(); ++n) {
      Bytes out = "keep";
      const bool ok = canon.append(ByteView(good).substr(0, n), metric::Tenancy::kCluster, out).is_ok();
      CAPTURE(n);
      CHECK(ok == MetricName::decode_raw(ByteView(good).substr(0, n)).is_ok());
      if (!ok) CHECK(out == "keep");
    }
  }
}
