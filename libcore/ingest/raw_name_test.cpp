#include "ingest/raw_name.h"

#include <doctest/doctest.h>

#include "base/hex.h"
#include "metric/metric_name.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {
Bytes raw_of(const std::string& line, uint32_t acc, uint32_t proj, std::vector<ExtraLabel> extra = {},
             metric::RawStats* stats = nullptr) {
  prom::Row row;
  prom::ParseScratch scratch;
  REQUIRE(prom::parse_line(line, row, scratch).is_ok());
  RawNameBuilder b(acc, proj, std::move(extra));
  Bytes out;
  b.append(out, row, stats);
  return out;
}
std::string canonical_labels(ByteView raw) {
  auto mn = metric::MetricName::decode_raw(raw);
  REQUIRE(mn.is_ok());
  mn->sort_tags();
  std::string s = mn->metric_group + "{";
  for (const auto& t : mn->tags) s += t.key + "=" + t.value + ",";
  return s + "}";
}
}  // namespace

TEST_SUITE("ingest/raw_name") {
  TEST_CASE("extra labels split at the first '='") {
    auto l = parse_extra_label("a=b=c");
    REQUIRE(l.is_ok());
    CHECK(l->name == "a");
    CHECK(l->value == "b=c");
    auto e = parse_extra_label("=x");
    REQUIRE(e.is_ok());
    CHECK(e->name.empty());
    CHECK(parse_extra_label("k=")->value.empty());
    auto bad = parse_extra_label("novalue");
    CHECK(bad.status().code() == Code::invalid_argument);
    CHECK(bad.status().message().find("novalue") != std::string::npos);
  }

  TEST_CASE("the spec's raw name: tenant, metric first, labels in input order") {
    // metricname-tsid.md §2.5
    Bytes raw = raw_of("http_requests_total{job=\"api\",instance=\"h1:9100\",path=\"/x\"} 1", 42, 7);
    CHECK(to_hex(raw) ==
          "0000002a0000000700000013687474705f72657175657374735f746f74616c00036a6f6200036170690008696e7374616e6365"
          "000768313a3931303000047061746800022f78");
  }

  TEST_CASE("empty values are dropped, extra labels come last and win as duplicates") {
    Bytes raw = raw_of("foo{a=\"\",b=\"1\"} 1", 0, 0, {{"b", "2"}, {"e", ""}, {"c", "3"}});
    CHECK(canonical_labels(raw) == "foo{b=2,c=3,}");
  }

  TEST_CASE("__name__ among the tags renames the series; an empty-named extra label too") {
    CHECK(canonical_labels(raw_of("foo{__name__=\"bar\"} 1", 0, 0)) == "bar{}");
    CHECK(canonical_labels(raw_of("foo 1", 0, 0, {{"", "baz"}})) == "baz{}");
  }

  TEST_CASE("the 30-label limit counts only labels with values") {
    std::string line = "m{e=\"\"";
    for (int i = 0; i < 35; ++i) line += ",l" + std::to_string(100 + i) + "=\"v\"";
    line += "} 1";
    metric::RawStats st;
    Bytes raw = raw_of(line, 0, 0, {}, &st);
    auto mn = metric::MetricName::decode_raw(raw);
    REQUIRE(mn.is_ok());
    CHECK(mn->tags.size() == 29);  // the metric name is position 0
    CHECK(st.metrics_with_dropped_labels == 1);
  }
}

TEST_SUITE("ingest/raw_name canonical") {
  TEST_CASE("append_canonical: the canonical name of the raw name; a wrapped length is refused") {
    prom::Row row;
    prom::ParseScratch scratch;
    REQUIRE(prom::parse_line("m{job=\"a\",b=\"1\"} 1", row, scratch).is_ok());
    RawNameBuilder b(3, 4, {});
    Bytes raw, canonical, want;
    REQUIRE(b.append(raw, row, nullptr));
    REQUIRE(b.append_canonical(canonical, row, metric::Tenancy::kCluster, nullptr));
    auto mn = metric::MetricName::decode_raw(raw);
    REQUIRE(mn.is_ok());
    mn->sort_tags();
    mn->encode_canonical(want, metric::Tenancy::kCluster);
    CHECK(canonical == want);
    // A value of 70000 bytes under a limit above 65535: its u16 length wraps (§2.2), the raw name
    // does not decode, and vmstorage would skip the row.
    const std::string line = "m{a=\"" + std::string(70000, 'v') + "\"} 1";  // the row's views point into it
    REQUIRE(prom::parse_line(line, row, scratch).is_ok());
    metric::RawLimits lim;
    lim.max_value_len = 100000;
    RawNameBuilder wide(0, 0, {}, lim);
    Bytes out = "keep";
    std::string err;
    CHECK(!wide.append_canonical(out, row, metric::Tenancy::kSingle, nullptr, &err));
    CHECK(err.find("does not decode") != std::string::npos);
    CHECK(out == "keep");
  }
}

TEST_SUITE("ingest/raw_name multitenant") {
  TEST_CASE("the tenant comes from vm_account_id / vm_project_id, which leave the series") {
    prom::Row row;
    prom::ParseScratch scratch;
    RawNameBuilder b(5, 6, {});
    b.set_multitenant(true);
    auto raw = [&](const char* line, bool* ok = nullptr, std::string* err = nullptr) {
      REQUIRE(prom::parse_line(line, row, scratch).is_ok());
      Bytes out;
      const bool r = b.append(out, row, nullptr, err);
      if (ok) *ok = r;
      return out;
    };
    Bytes r = raw("up{vm_project_id=\"7\",job=\"a\",vm_account_id=\"42\"} 1");
    auto mn = metric::MetricName::decode_raw(r);
    REQUIRE(mn.is_ok());
    CHECK(mn->account_id == 42);
    CHECK(mn->project_id == 7);
    CHECK(canonical_labels(r) == "up{job=a,}");
    // Missing labels: tenant 0:0, not the constructor's.
    auto mn0 = metric::MetricName::decode_raw(raw("up{job=\"a\"} 1"));
    REQUIRE(mn0.is_ok());
    CHECK(mn0->account_id == 0);
    CHECK(mn0->project_id == 0);
    bool ok = true;
    std::string err;
    CHECK(raw("up{vm_account_id=\"-1\"} 1", &ok, &err).empty());
    CHECK_FALSE(ok);
    CHECK(err.find("vm_account_id") != std::string::npos);
    CHECK(raw("up{vm_project_id=\"4294967296\"} 1", &ok, &err).empty());
    CHECK_FALSE(ok);
  }
}
