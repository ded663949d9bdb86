#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "prom/fastfloat.h"
#include "prom/parser.h"
#include "route/prom_render.h"
#include "route/routing_key.h"

using namespace vmt;
using namespace vmt::route;

namespace {

struct Parsed {
  Bytes raw;
  uint64_t value_bits = 0;
  int64_t timestamp = 0;
};

Parsed parse(const std::string& line, const KeyOptions& opt = {}) {
  prom::Row row;
  prom::ParseScratch scratch;
  Status st = prom::parse_line(line, row, scratch);
  REQUIRE_MESSAGE(st.is_ok(), std::string(line + ": " + st.message()));
  KeyBuilder kb(opt);
  kb.build(row);
  return {Bytes(kb.raw()), std::bit_cast<uint64_t>(row.value), row.timestamp};
}

// Renders the row of `line` and checks that VM reads the rendered line back identically.
std::string round_trip(const std::string& line, const KeyOptions& opt = {}) {
  prom::Row row;
  prom::ParseScratch scratch;
  REQUIRE(prom::parse_line(line, row, scratch).is_ok());
  KeyBuilder kb(opt);
  kb.build(row);
  Bytes out;
  REQUIRE(render_prom_line(out, kb.labels(), kb.kept_labels(), row.value, row.timestamp));
  REQUIRE(!out.empty());
  REQUIRE(out.back() == '\n');
  std::string rendered = out.substr(0, out.size() - 1);
  CAPTURE(line);
  CAPTURE(rendered);
  CHECK(rendered.find('\n') == std::string::npos);
  KeyOptions plain = opt;  // the rendered line already holds the extra labels and the final order
  plain.extra_labels.clear();
  plain.order = LabelOrder::as_is;
  plain.sort_labels = false;
  Parsed back = parse(rendered, plain);
  if (opt.order == LabelOrder::sorted) {
    // The metric is written first, so the raw order differs; the stored series is the same.
    auto a = metric::MetricName::decode_raw(back.raw), b = metric::MetricName::decode_raw(kb.raw());
    REQUIRE(a.is_ok());
    REQUIRE(b.is_ok());
    a->sort_tags();
    b->sort_tags();
    CHECK(*a == *b);
  } else {
    CHECK(ByteView(back.raw) == kb.raw());
  }
  CHECK(back.value_bits == std::bit_cast<uint64_t>(row.value));
  CHECK(back.timestamp == row.timestamp);
  return rendered;
}

int64_t parsed_ts(const std::string& tok) {
  prom::Row row;
  prom::ParseScratch scratch;
  std::string line = "m 1 " + tok;
  REQUIRE(prom::parse_line(line, row, scratch).is_ok());
  return row.timestamp;
}

}  // namespace

TEST_SUITE("route/prom_render") {
  TEST_CASE("plain rows render compactly") {
    CHECK(round_trip("foo 1") == "foo 1");
    CHECK(round_trip("foo{a=\"b\"} 1.5 1700000000000") == "foo{a=\"b\"} 1.5 1700000000000");
    CHECK(round_trip("  foo { a = \"b\" , } 1e3 1700000000") == "foo{a=\"b\"} 1000 1700000000000");
    CHECK(round_trip("foo{a=\"\"} 1") == "foo 1");  // empty values are not in the raw name
    CHECK(round_trip("foo 1 0") == "foo 1");        // ts 0 = default: left for the importer
  }

  // prometheus-text.md §12: every accepted line of the table round-trips.
  TEST_CASE("tricky lines of the spec round-trip") {
    const char* lines[] = {
        "foo{bar=\"baz\"} 1 1700000000",  "foo 1 2147483647",     "foo 1 2147483648",
        "foo 1 -1",                        "foo 1 1.5",            "foo 1 1700000000.123",
        "foo 1 1700000000000.9",           "foo 1 Inf",            "foo 1 NaN",
        "foo 1 1e30",                      "foo{a=\"x\\\"y\\\\z\\nw\"} 1", "foo{a=\"x\\ty\"} 1",
        "foo{a=\"b\\\\\"} 1",              "foo{a=\"1\",a=\"2\"} 1", "foo{=\"x\"} 1",
        "foo{a b=\"c\"} 1",                "foo{,a=\"b\"} 1",      "foo{a=\"b\",,c=\"d\"} 1",
        "foo{a}b=\"c\"} 1",                "foo bar{a=\"b\"} 1",   "foo bar{} 1",
        "foo.bar-baz:qux/\xc3\xbc 1",      "foo# 1",               "foo NaN",
        "foo -Inf",                        "foo -5.",              "foo -0",
        "foo 12345678901234567890",        "foo 1.5e-5",           "foo 0.000015",
        "foo 1 # {trace_id=\"abc\"} 2 123", "foo{a=\"#\"} 1",      "foo{__name__=\"bar\"} 1",
        "foo{le=\"+Inf\"} 3",              "foo\r 1",              "foo{a=\"x\ry\"} 1\r",
    };
    for (const char* l : lines) round_trip(l);
  }

  TEST_CASE("metric names with spaces need braces") {
    CHECK(round_trip("foo bar{} 1") == "foo bar{} 1");
    CHECK(round_trip("foo 1 # {trace_id=\"abc\"} 2 123") == "foo 1 #{trace_id=\"abc\"} 2 123");
  }

  TEST_CASE("a second metric name is written as __name__") {
    CHECK(round_trip("foo{__name__=\"bar\"} 1") == "foo{__name__=\"bar\"} 1");
  }

  TEST_CASE("extra labels, sorted order and truncation are written as hashed") {
    KeyOptions o;
    o.extra_labels = {{"dc", "eu \"1\""}};
    CHECK(round_trip("up{job=\"j\"} 1", o) == "up{job=\"j\",dc=\"eu \\\"1\\\"\"} 1");
    KeyOptions s;
    s.order = LabelOrder::sorted;
    CHECK(round_trip("up{job=\"j\",Zone=\"z\"} 1", s) == "up{Zone=\"z\",job=\"j\"} 1");
    KeyOptions t;
    t.limits.max_value_len = 2;
    t.limits.max_labels = 2;
    CHECK(round_trip("up{job=\"abcdef\",x=\"y\"} 1", t) == "up{job=\"ab\"} 1");
  }

  TEST_CASE("rows that would parse differently are refused") {
    std::vector<metric::Label> l = {{"", "m"}, {" a", "v"}};
    Bytes out;
    CHECK_FALSE(render_prom_line(out, l, 2, 1, 0));
    l[1].name = "a\"b";
    CHECK_FALSE(render_prom_line(out, l, 2, 1, 0));
    l[1].name = "}a";
    CHECK_FALSE(render_prom_line(out, l, 2, 1, 0));
    l = {{"", "m{"}};
    CHECK_FALSE(render_prom_line(out, l, 1, 1, 0));
    l = {{"", "#m"}};
    CHECK_FALSE(render_prom_line(out, l, 1, 1, 0));
    l = {{"", "m "}};  // e.g. a metric with a space cut by -maxLabelValueLen
    CHECK_FALSE(render_prom_line(out, l, 1, 1, 0));
    l = {{"a", "1"}, {"", "m"}};  // the metric past the label-count limit
    CHECK_FALSE(render_prom_line(out, l, 1, 1, 0));
    CHECK(out.empty());
  }

  TEST_CASE("values: fastfloat reads every rendered value back bit for bit") {
    std::mt19937_64 rng(42);
    Bytes tok;
    for (int i = 0; i < 200000; ++i) {
      double v;
      switch (i % 4) {
        case 0: v = std::bit_cast<double>(rng()); break;                      // any bits
        case 1: v = double(int64_t(rng() % 2000001) - 1000000) / 1000; break;  // decimals
        case 2: v = std::ldexp(double(rng() % 1000000), int(rng() % 80) - 60); break;
        default: v = double(rng() % 100000) * std::pow(10.0, int(rng() % 40) - 20);
      }
      if (std::isnan(v)) continue;
      tok.clear();
      append_value_token(tok, v);
      double back;
      REQUIRE_MESSAGE(prom::parse_float(tok, &back) == nullptr, tok);
      CHECK_MESSAGE(std::bit_cast<uint64_t>(back) == std::bit_cast<uint64_t>(v), tok);
    }
    tok.clear();
    append_value_token(tok, 0.000015);  // fastfloat reads "1.5e-05" as ...d6a: needs 17 digits
    CHECK(tok == "1.5000000000000000e-05");
  }

  TEST_CASE("timestamps inside [-2^31, 2^31) ms are written as seconds and come back exactly") {
    std::vector<int64_t> ts = {1, -1, 999, 1000, 1500, -1000, 2147483647, -2147483648LL, 2147483646, -2147483647};
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200000; ++i) ts.push_back(int64_t(rng() % 4294967296ULL) - 2147483648LL);
    for (int64_t i = 2147480000; i < 2147483648; ++i) ts.push_back(i);   // the top edge, where the
    for (int64_t i = -2147483648; i < -2147480000; ++i) ts.push_back(i); // product is least exact
    Bytes tok;
    for (int64_t t : ts) {
      if (t == 0) continue;
      tok.clear();
      append_timestamp_token(tok, t);
      REQUIRE_MESSAGE(parsed_ts(tok) == t, tok);
    }
  }

  TEST_CASE("timestamps outside that range are plain milliseconds") {
    for (int64_t t : std::initializer_list<int64_t>{2147483648LL, -2147483649LL, 1700000000000LL, INT64_MIN, -9007199254740992LL,
                      9223372036854774784LL}) {
      Bytes tok;
      append_timestamp_token(tok, t);
      CHECK(tok == std::to_string(t));
      CHECK(parsed_ts(tok) == t);
    }
  }
}
