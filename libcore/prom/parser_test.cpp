#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "metric/metric_name.h"
#include "prom/fastfloat.h"
#include "prom/parser.h"

using namespace vmt;
using vmt::prom::Row;

namespace {

using Tags = std::vector<std::pair<std::string, std::string>>;

// A parsed line copied out of the parser's views.
struct Parsed {
  Status status;
  std::string metric;
  Tags tags;
  double value = 0;
  int64_t ts = 0;
  bool has_ts = false;
  bool ok() const { return status.is_ok(); }
  bool skip() const { return prom::is_skip(status); }
  bool rejected(const std::string& reason = "") const {
    return status.code() == Code::invalid_argument &&
           status.message().find(reason) != std::string::npos;
  }
  uint64_t bits() const { return std::bit_cast<uint64_t>(value); }
};

Parsed parse(std::string_view line) {
  static prom::ParseScratch scratch;
  Row row;
  Parsed p;
  p.status = prom::parse_line(line, row, scratch);
  p.metric = std::string(row.metric);
  for (auto& t : row.tags) p.tags.emplace_back(std::string(t.name), std::string(t.value));
  p.value = row.value;
  p.ts = row.timestamp;
  p.has_ts = row.has_timestamp;
  return p;
}

// What vmstorage stores for a parsed line (tenant 0:0): vminsert's label list ("", metric) + tags,
// MarshalMetricNameRaw, UnmarshalRaw, sortTags. Rendered as metric{k="v",...}.
std::string stored(std::string_view line) {
  static prom::ParseScratch scratch;
  Row row;
  REQUIRE(prom::parse_line(line, row, scratch).is_ok());
  std::vector<metric::Label> labels = {{"", row.metric}};
  labels.insert(labels.end(), row.tags.begin(), row.tags.end());
  Bytes raw;
  metric::encode_raw(raw, 0, 0, labels, metric::RawLimits{}, nullptr);
  auto mn = metric::MetricName::decode_raw(raw);
  REQUIRE(mn.is_ok());
  mn->sort_tags();
  std::string out = mn->metric_group + "{";
  for (size_t i = 0; i < mn->tags.size(); ++i) {
    out += (i ? "," : "") + mn->tags[i].key + "=\"" + mn->tags[i].value + "\"";
  }
  return out + "}";
}

constexpr uint64_t kPosInf = 0x7ff0000000000000ULL;
constexpr uint64_t kNegInf = 0xfff0000000000000ULL;
constexpr int64_t kMinInt64 = INT64_MIN;

}  // namespace

// prometheus-text.md §12: one test case per row of the table, in its order.
TEST_SUITE("prom/parser §12") {
  TEST_CASE("row 1: bare sample") {
    auto p = parse("foo 1");
    REQUIRE(p.ok());
    CHECK(p.metric == "foo");
    CHECK(p.tags.empty());
    CHECK(p.value == 1);
    CHECK(p.ts == 0);
    CHECK(!p.has_ts);
    CHECK(stored("foo 1") == "foo{}");
  }
  TEST_CASE("row 2: millisecond timestamp") {
    auto p = parse("foo{bar=\"baz\"} 1 1700000000000");
    REQUIRE(p.ok());
    CHECK(p.tags == Tags{{"bar", "baz"}});
    CHECK(p.ts == 1700000000000);
    CHECK(stored("foo{bar=\"baz\"} 1 1700000000000") == "foo{bar=\"baz\"}");
  }
  TEST_CASE("row 3: seconds heuristic") {
    CHECK(parse("foo{bar=\"baz\"} 1 1700000000").ts == 1700000000000);
  }
  TEST_CASE("row 4: boundary of the heuristic") {
    CHECK(parse("foo 1 2147483647").ts == 2147483647000);
    CHECK(parse("foo 1 2147483648").ts == 2147483648);
    CHECK(parse("foo 1 -2147483648").ts == -2147483648000);
    CHECK(parse("foo 1 -2147483649").ts == -2147483649);
  }
  TEST_CASE("row 5: timestamp 0 is replaced by the default downstream") {
    auto p = parse("foo 1 0");
    REQUIRE(p.ok());
    CHECK(p.ts == 0);
    CHECK(p.has_ts);
    Row r;
    r.timestamp = 0;
    CHECK(r.timestamp_or(42) == 42);
    r.timestamp = -1000;
    CHECK(r.timestamp_or(42) == -1000);
  }
  TEST_CASE("row 6: negative timestamp") { CHECK(parse("foo 1 -1").ts == -1000); }
  TEST_CASE("row 7: fractional seconds") {
    CHECK(parse("foo 1 1.5").ts == 1500);
    CHECK(parse("foo 1 1700000000.123").ts == 1700000000123);
  }
  TEST_CASE("row 8: truncation") { CHECK(parse("foo 1 1700000000000.9").ts == 1700000000000); }
  TEST_CASE("row 9: Inf, NaN and huge timestamps give INT64_MIN (amd64)") {
    for (auto line : {"foo 1 Inf", "foo 1 NaN", "foo 1 1e30", "foo 1 -Inf", "foo 1 -1e30"}) {
      auto p = parse(line);
      CAPTURE(line);
      REQUIRE(p.ok());
      CHECK(p.ts == kMinInt64);
    }
  }
  TEST_CASE("row 10: '+' before a timestamp") {
    CHECK(parse("foo 1 +1700000000").rejected("cannot parse timestamp \"+1700000000\""));
  }
  TEST_CASE("row 11: inner whitespace in the timestamp") {
    CHECK(parse("foo 1 2 3").rejected("cannot parse timestamp \"2 3\""));
  }
  TEST_CASE("row 12: trailing comma") { CHECK(parse("foo{a=\"b\",} 1").tags == Tags{{"a", "b"}}); }
  TEST_CASE("row 13: empty label sets") {
    for (auto line : {"foo{} 1", "foo{ } 1"}) {
      auto p = parse(line);
      REQUIRE(p.ok());
      CHECK(p.tags.empty());
      CHECK(p.value == 1);
    }
  }
  TEST_CASE("row 14: whitespace before '{' is trimmed") {
    for (auto line : {"foo {a=\"b\"} 1", "foo\t{a=\"b\"}\t1"}) {
      auto p = parse(line);
      REQUIRE(p.ok());
      CHECK(p.metric == "foo");
      CHECK(p.tags == Tags{{"a", "b"}});
      CHECK(p.value == 1);
    }
  }
  TEST_CASE("row 15: whitespace around name, '=' and value") {
    CHECK(parse("foo{ a = \"b\" } 1").tags == Tags{{"a", "b"}});
  }
  TEST_CASE("row 16: no space after '}'") { CHECK(parse("foo{a=\"b\"}1").value == 1); }
  TEST_CASE("row 17: __name__ only") {
    CHECK(parse("{__name__=\"foo\"} 1").rejected("metric cannot be empty"));
  }
  TEST_CASE("row 18: __name__ in the braces is a tag, stored as the name") {
    auto p = parse("foo{__name__=\"bar\"} 1");
    REQUIRE(p.ok());
    CHECK(p.metric == "foo");
    CHECK(p.tags == Tags{{"__name__", "bar"}});
    CHECK(stored("foo{__name__=\"bar\"} 1") == "bar{}");
  }
  TEST_CASE("row 19: the three escapes") {
    CHECK(parse(R"(foo{a="x\"y\\z\nw"} 1)").tags == Tags{{"a", "x\"y\\z\nw"}});
  }
  TEST_CASE("row 20: unknown escapes are kept") {
    CHECK(parse(R"(foo{a="x\ty"} 1)").tags == Tags{{"a", "x\\ty"}});
  }
  TEST_CASE("row 21: escaped backslash before the closing quote") {
    CHECK(parse(R"(foo{a="b\\"} 1)").tags == Tags{{"a", "b\\"}});
  }
  TEST_CASE("row 22: escaped closing quote") {
    CHECK(parse(R"(foo{a="b\"} 1)").rejected("missing closing quote"));
  }
  TEST_CASE("row 23: unescaped quote inside a value") {
    CHECK(parse(R"(foo{a="x"y"} 1)").rejected("missing comma after tag"));
  }
  TEST_CASE("row 24: duplicate keys: both parsed, the last one stored") {
    CHECK(parse(R"(foo{a="1",a="2"} 1)").tags == Tags{{"a", "1"}, {"a", "2"}});
    CHECK(stored(R"(foo{a="1",a="2"} 1)") == "foo{a=\"2\"}");
  }
  TEST_CASE("row 25: empty value: parsed, not stored") {
    CHECK(parse(R"(foo{a=""} 1)").tags == Tags{{"a", ""}});
    CHECK(stored(R"(foo{a=""} 1)") == "foo{}");
  }
  TEST_CASE("row 26: empty key dropped") {
    auto p = parse(R"(foo{="x"} 1)");
    REQUIRE(p.ok());
    CHECK(p.tags.empty());
    CHECK(stored(R"(foo{="x"} 1)") == "foo{}");
  }
  TEST_CASE("row 27: space inside a key") {
    CHECK(parse(R"(foo{a b="c"} 1)").tags == Tags{{"a b", "c"}});
    CHECK(stored(R"(foo{a b="c"} 1)") == "foo{a b=\"c\"}");
  }
  TEST_CASE("row 28: garbage keys with commas") {
    CHECK(parse(R"(foo{,a="b"} 1)").tags == Tags{{",a", "b"}});
    CHECK(parse(R"(foo{a="b",,c="d"} 1)").tags == Tags{{"a", "b"}, {",c", "d"}});
  }
  TEST_CASE("row 29: '}' inside a key") { CHECK(parse(R"(foo{a}b="c"} 1)").tags == Tags{{"a}b", "c"}}); }
  TEST_CASE("row 30: missing comma") {
    CHECK(parse(R"(foo{a="b" c="d"} 1)").rejected("missing comma after tag"));
  }
  TEST_CASE("row 31: single quotes") {
    CHECK(parse("foo{a='b'} 1").rejected("expecting quoted value"));
  }
  TEST_CASE("row 32: quoted names are not supported") {
    CHECK(parse(R"(foo{"quoted"} 1)").rejected("missing value for tag"));
  }
  TEST_CASE("row 33: space inside the metric name") {
    CHECK(parse(R"(foo bar{a="b"} 1)").metric == "foo bar");
  }
  TEST_CASE("row 34: no charset check on the metric name") {
    auto p = parse("foo.bar-baz:qux/\xc3\xbc 1");
    REQUIRE(p.ok());
    CHECK(p.metric == "foo.bar-baz:qux/\xc3\xbc");
  }
  TEST_CASE("row 35: '#' in a bare metric name") { CHECK(parse("foo# 1").metric == "foo#"); }
  TEST_CASE("row 36: NaN is Go's math.NaN()") {
    CHECK(parse("foo NaN").bits() == prom::kGoNaNBits);
    CHECK(parse("foo nan").bits() == prom::kGoNaNBits);
  }
  TEST_CASE("row 37: infinities") {
    CHECK(parse("foo +Inf").bits() == kPosInf);
    CHECK(parse("foo Inf").bits() == kPosInf);
    CHECK(parse("foo -Inf").bits() == kNegInf);
    CHECK(parse("foo -infinity").bits() == kNegInf);
  }
  TEST_CASE("row 38: no hex, no underscores, one dot") {
    for (auto line : {"foo 0x1F", "foo 1_000", "foo 1.2.3"}) {
      CAPTURE(line);
      CHECK(parse(line).rejected("cannot parse value"));
    }
  }
  TEST_CASE("row 39: '+' before a number") { CHECK(parse("foo +1").rejected("cannot parse value \"+1\"")); }
  TEST_CASE("row 40: -5. is +5 (fastfloat sign bug)") {
    auto p = parse("foo -5.");
    REQUIRE(p.ok());
    CHECK(p.bits() == std::bit_cast<uint64_t>(5.0));
  }
  TEST_CASE("row 41: elided parts, negative zero, leading zeros") {
    CHECK(parse("foo .5").value == 0.5);
    CHECK(parse("foo 5.").value == 5);
    CHECK(parse("foo -0").bits() == 0x8000000000000000ULL);
    CHECK(parse("foo 00012").value == 12);
  }
  TEST_CASE("row 42: exponents") {
    CHECK(parse("foo 1e3").value == 1000);
    CHECK(parse("foo 1E-2").value == 0.01);
    CHECK(parse("foo 1e400").bits() == kPosInf);
  }
  TEST_CASE("row 43: long integers fall back to strconv") {
    CHECK(parse("foo 12345678901234567890").value == 1.2345678901234567e19);
  }
  TEST_CASE("row 44: trailing comments") {
    for (auto line : {"foo 1 # comment", "foo 1#comment"}) {
      auto p = parse(line);
      REQUIRE(p.ok());
      CHECK(p.value == 1);
      CHECK(p.ts == 0);
    }
  }
  TEST_CASE("row 45: comment after a timestamp") {
    auto p = parse(R"(foo{a="b"} 1 2 # c)");
    REQUIRE(p.ok());
    CHECK(p.value == 1);
    CHECK(p.ts == 2000);
  }
  TEST_CASE("row 46: missing value") { CHECK(parse("foo").rejected("missing value")); }
  TEST_CASE("row 47: empty value") {
    for (auto line : {"foo ", "foo{a=\"b\"}", "foo{a=\"b\"} "}) {
      CAPTURE(line);
      CHECK(parse(line).rejected("value cannot be empty"));
    }
  }
  TEST_CASE("row 48: leading and trailing whitespace") {
    CHECK(parse("   foo 1").ok());
    auto p = parse("foo 1 \t ");
    REQUIRE(p.ok());
    CHECK(p.value == 1);
    CHECK(!p.has_ts);
  }
  TEST_CASE("row 49: tabs are separators") {
    auto p = parse("foo\t1\t123");
    REQUIRE(p.ok());
    CHECK(p.ts == 123000);
  }
  TEST_CASE("row 50: one trailing CR") {
    auto p = parse("foo{a=\"b\"} 1\r");
    REQUIRE(p.ok());
    CHECK(p.value == 1);
  }
  TEST_CASE("row 51: comments are skipped") {
    for (auto line : {"# HELP foo x", "# TYPE foo counter", "#foo 1"}) CHECK(parse(line).skip());
  }
  TEST_CASE("row 52: le=\"+Inf\" is a string") {
    CHECK(parse(R"(foo_bucket{le="+Inf"} 3)").tags == Tags{{"le", "+Inf"}});
  }
  TEST_CASE("row 53: exemplar after a bare sample makes a garbage series") {
    auto p = parse(R"(foo 1 # {trace_id="abc"} 2 123)");
    REQUIRE(p.ok());
    CHECK(p.metric == "foo 1 #");
    CHECK(p.tags == Tags{{"trace_id", "abc"}});
    CHECK(p.value == 2);
    CHECK(p.ts == 123000);
  }
  TEST_CASE("row 54: exemplar after a label set is a comment") {
    auto p = parse(R"(foo{a="b"} 1 # {trace_id="abc"} 2 123)");
    REQUIRE(p.ok());
    CHECK(p.value == 1);
    CHECK(p.ts == 0);
    CHECK(p.tags == Tags{{"a", "b"}});
  }
  TEST_CASE("row 55: '{' in a comment is still seen") {
    CHECK(parse("foo 1 # {").rejected("missing value for tag"));
  }
  TEST_CASE("row 56: '#' inside quotes is literal") {
    CHECK(parse(R"(foo{a="#"} 1)").tags == Tags{{"a", "#"}});
  }
}

TEST_SUITE("prom/parser") {
  // §4.1
  TEST_CASE("unescape_value_append: the table of §4.1") {
    auto un = [](std::string_view s) { Bytes b; prom::unescape_value_append(b, s); return b; };
    CHECK(un(R"(a\\b)") == "a\\b");
    CHECK(un(R"(a\"b)") == "a\"b");
    CHECK(un(R"(a\nb)") == "a\nb");
    CHECK(un(R"(a\tb)") == "a\\tb");
    CHECK(un(R"(a\)") == "a\\");
    CHECK(un(R"(\\\\\n)") == "\\\\\n");
    CHECK(un("plain") == "plain");
    CHECK(un("") == "");
  }
  TEST_CASE("escapes: the closing quote uses backslash parity") {
    CHECK(parse(R"(foo{a="\\\"x"} 1)").tags == Tags{{"a", "\\\"x"}});
    CHECK(parse(R"(foo{a="\\\\"} 1)").tags == Tags{{"a", "\\\\"}});
    CHECK(parse(R"(foo{a="x\\\"} 1)").rejected("missing closing quote"));
    CHECK(parse(R"(foo{a="a\\",b="c\"d"} 1)").tags == Tags{{"a", "a\\"}, {"b", "c\"d"}});
  }
  // Differential check against a transliteration of Go's findClosingQuote + unescapeValue on
  // every string of up to 7 bytes over {a, ", \\, n, }, space}.
  TEST_CASE("escapes: closing quote and unescaping agree with Go's algorithm") {
    auto go_close = [](std::string_view s) -> long {  // s starts with the opening quote
      size_t off = 1;
      std::string_view t = s.substr(1);
      for (;;) {
        size_t n = t.find('"');
        if (n == std::string_view::npos) return -1;
        size_t bs = 0;
        while (bs < n && t[n - 1 - bs] == '\\') ++bs;
        if (bs % 2 == 0) return static_cast<long>(off + n);
        off += n + 1;
        t = t.substr(n + 1);
      }
    };
    const char alphabet[] = {'a', '"', '\\', 'n', '}', ' '};
    int checked = 0;
    for (int len = 0; len <= 7; ++len) {
      std::vector<int> idx(len, 0);
      for (;;) {
        std::string body;
        for (int i : idx) body += alphabet[i];
        std::string quoted = "\"" + body + "\"} 1";
        long close = go_close(quoted);
        std::string line = "m{k=" + quoted;
        auto p = parse(line);
        if (close < 0) {
          CHECK(!p.ok());
        } else if (p.ok() && !p.tags.empty()) {
          Bytes want;
          prom::unescape_value_append(want, std::string_view(quoted).substr(1, close - 1));
          CHECK(p.tags[0].second == want);
          ++checked;
        }
        int k = 0;
        while (k < len && ++idx[k] == 6) idx[k++] = 0;
        if (k == len) break;
      }
    }
    CHECK(checked > 1000);
  }

  TEST_CASE("escapes: unescaped values from several tags stay valid together") {
    auto p = parse(R"(foo{a="1\n",b="2\\",c="plain",d="\"4\""} 1)");
    REQUIRE(p.ok());
    CHECK(p.tags == Tags{{"a", "1\n"}, {"b", "2\\"}, {"c", "plain"}, {"d", "\"4\""}});
  }
  // §5
  TEST_CASE("comments and blank lines are skipped") {
    for (auto line : {"", " ", "\t \t", "\r", " \r", "#", "  # EOF", "# {a=\"b\"} 1"}) {
      CAPTURE(line);
      CHECK(parse(line).skip());
    }
    // A '\r' that is not the last byte is not stripped.
    CHECK(parse("\r ").rejected("value cannot be empty"));
  }
  // §6
  TEST_CASE("values: fastfloat rounding differs from strtod") {
    CHECK(parse("foo 1.5e-5").bits() == 0x3eef75104d551d6aULL);
    CHECK(parse("foo -+Inf").bits() == kNegInf);
    CHECK(parse("foo INFINITY").bits() == kPosInf);
    CHECK(parse("foo -NaN").bits() == prom::kGoNaNBits);
  }
  // §7
  TEST_CASE("timestamps: small values") {
    CHECK(parse("foo 1 0.0004").ts == 0);
    CHECK(parse("foo 1 -0.0009").ts == 0);
    CHECK(parse("foo 1 1e12").ts == 1000000000000);
    CHECK(parse("foo 1 9223372036854775807").ts == kMinInt64);  // 2^63 after rounding
    CHECK(parse("foo 1 9223372036854774784").ts == 9223372036854774784);
  }
  // §8
  TEST_CASE("malformed lines: errors say why and never crash") {
    CHECK(parse("foo{").rejected("cannot unmarshal tags: missing value for tag"));
    CHECK(parse("foo{a").rejected("missing value for tag"));
    CHECK(parse("foo{a=").rejected("expecting quoted value"));
    CHECK(parse("foo{a=\"").rejected("missing closing quote"));
    CHECK(parse("foo{a=\"b\"").rejected("missing comma"));
    CHECK(parse("foo{a=\"b\"} x").rejected("cannot parse value \"x\""));
    CHECK(parse("foo{a\"b=\"c\"} 1").rejected("cannot contain double quotes"));
    std::string huge = "foo " + std::string(100000, 'x');
    auto p = parse(huge);
    CHECK(p.rejected("cannot parse value"));
    CHECK(p.status.message().size() < 400);  // quoted fragments are capped
  }
  TEST_CASE("rows are reused without stale data") {
    prom::ParseScratch scratch;
    Row row;
    REQUIRE(prom::parse_line(R"(a{x="1",y="2"} 1 5)", row, scratch).is_ok());
    REQUIRE(row.tags.size() == 2);
    REQUIRE(prom::parse_line("b 2", row, scratch).is_ok());
    CHECK(row.tags.empty());
    CHECK(!row.has_timestamp);
    CHECK(row.timestamp == 0);
  }
}
