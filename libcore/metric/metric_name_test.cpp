#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/hex.h"
#include "metric/metric_name.h"

using namespace vmt;
using vmt::metric::MetricName;
using vmt::metric::Tag;

namespace {

MetricName make(uint32_t acc, uint32_t proj, const std::string& group,
                std::vector<std::pair<std::string, std::string>> tags) {
  MetricName mn;
  mn.account_id = acc;
  mn.project_id = proj;
  mn.metric_group = group;
  for (auto& [k, v] : tags) mn.tags.push_back(Tag{k, v});
  return mn;
}

std::vector<std::string> keys(const MetricName& mn) {
  std::vector<std::string> out;
  for (const Tag& t : mn.tags) out.push_back(t.key);
  return out;
}

}  // namespace

TEST_SUITE("metric/metric_name") {
  // §4.1 (verified): "a\x00b\x01c\x02d" -> 61 00 30 62 00 31 63 00 32 64 01.
  TEST_CASE("escape_append matches the spec's example") {
    Bytes out;
    metric::escape_append(out, ByteView("a\x00" "b\x01" "c\x02" "d", 7));
    CHECK(to_hex(out) == "6100306200316300326401");
    out.clear();
    metric::escape_append(out, "");
    CHECK(to_hex(out) == "01");
  }

  TEST_CASE("escape_append escapes exactly 0x00-0x02 at any place of long strings") {
    // The scan takes 16 bytes a step: escapable bytes at every offset of strings up to 70 bytes,
    // beside bytes just above (0x03) and far above (0x80, 0xff, which a signed compare would
    // take for small), against the byte-by-byte rule of §4.1.
    auto reference = [](ByteView s) {
      Bytes out;
      for (char c : s) {
        if (uint8_t(c) <= 2) {
          out.push_back(0x00);
          out.push_back(char('0' + uint8_t(c)));
        } else {
          out.push_back(c);
        }
      }
      out.push_back(0x01);
      return out;
    };
    const char fill[] = {'a', 0x03, char(0x80), char(0xff)};
    for (size_t len = 0; len <= 70; ++len) {
      for (size_t at = 0; at <= len; ++at) {
        for (char e : {char(0x00), char(0x01), char(0x02), char(0xfe)}) {
          Bytes s;
          for (size_t k = 0; k < len; ++k) s.push_back(fill[k % 4]);
          if (at < len) s[at] = e;
          if (len > 20 && at + 17 < len) s[at + 17] = char(0x02);  // a second one, a step later
          Bytes got = "x";
          metric::escape_append(got, s);
          CAPTURE(len);
          CAPTURE(at);
          CHECK(got == "x" + reference(s));
        }
      }
    }
  }

  TEST_CASE("unescape reverses escape and returns a view without escapes") {
    Bytes enc;
    metric::escape_append(enc, ByteView("a\x00" "b\x01" "c\x02" "d", 7));
    metric::escape_append(enc, "plain");
    ByteReader in(enc);
    Bytes scratch;
    auto a = metric::unescape(in, scratch, "first");
    REQUIRE(a.is_ok());
    CHECK(*a == ByteView("a\x00" "b\x01" "c\x02" "d", 7));
    auto b = metric::unescape(in, scratch, "second");
    REQUIRE(b.is_ok());
    CHECK(*b == "plain");
    CHECK(b->data() >= enc.data());  // a view into the input, not a copy
    CHECK(in.empty());
  }

  TEST_CASE("unescape rejects a missing terminator, a dangling escape and unknown escapes") {
    Bytes scratch;
    for (ByteView bad : {ByteView("abc"), ByteView("ab\x00\x01", 4), ByteView("a\x00" "3\x01", 4),
                         ByteView("\x00", 1)}) {
      ByteReader in(bad);
      auto r = metric::unescape(in, scratch, "MetricGroup");
      CHECK(!r.is_ok());
      CHECK(r.status().code() == Code::corruption);
    }
    ByteReader in(ByteView("xy", 2));
    auto r = metric::unescape(in, scratch, "MetricGroup");
    CHECK(r.status().message().find("MetricGroup") != std::string::npos);
  }

  // §4.3 (verified).
  TEST_CASE("sort_tags puts job-like, then instance-like, then other keys") {
    MetricName mn = make(0, 0, "m",
                         {{"zeta", "1"}, {"Instance", "2"}, {"path", "3"}, {"job", "4"},
                          {"alpha", "5"}, {"namespace", "6"}, {"pod", "7"}, {"Job", "8"}});
    mn.sort_tags();
    CHECK(keys(mn) == std::vector<std::string>{"namespace", "job", "Job", "Instance", "pod", "alpha",
                                               "path", "zeta"});
  }

  TEST_CASE("sort_tags keeps keys sharing a sort key in input order") {
    MetricName a = make(0, 0, "m", {{"SensorType", "x"}, {"sensor_type", "y"}, {"Sensor_type", "z"}});
    a.sort_tags();
    CHECK(keys(a) == std::vector<std::string>{"SensorType", "sensor_type", "Sensor_type"});
    MetricName b = make(0, 0, "m", {{"Job", "x"}, {"job", "y"}});
    b.sort_tags();
    CHECK(keys(b) == std::vector<std::string>{"Job", "job"});
  }

  TEST_CASE("sort_tags: duplicate keys, the last occurrence wins") {
    MetricName mn = make(0, 0, "foo", {{"a", "1"}, {"b", "x"}, {"a", "2"}, {"a", "3"}, {"job", "j"}});
    mn.sort_tags();
    REQUIRE(mn.tags.size() == 3);
    CHECK(mn.tags[0] == Tag{"job", "j"});
    CHECK(mn.tags[1] == Tag{"a", "3"});
    CHECK(mn.tags[2] == Tag{"b", "x"});
  }

  // Follows from §4.3 (the dedup compares with the previously KEPT key only): duplicates separated
  // by another key with the same sort key survive. Go's sortTags does the same.
  TEST_CASE("sort_tags: duplicates split by a same-sort-key tag are both kept") {
    MetricName mn = make(0, 0, "m", {{"Job", "a"}, {"job", "b"}, {"Job", "c"}});
    mn.sort_tags();
    CHECK(keys(mn) == std::vector<std::string>{"Job", "job", "Job"});
  }

  TEST_CASE("sort key table: every name, its capitalised form, nothing else") {
    CHECK(to_hex(metric::tag_sort_key("namespace")) == "000000");
    CHECK(to_hex(metric::tag_sort_key("Namespace")) == "000000");
    CHECK(to_hex(metric::tag_sort_key("db")) == "000040");
    CHECK(to_hex(metric::tag_sort_key("Sensor_type")) == "000038");
    CHECK(to_hex(metric::tag_sort_key("measurement")) == "000148");
    CHECK(to_hex(metric::tag_sort_key("Measurement")) == "000148");
    CHECK(to_hex(metric::tag_sort_key("name")) == "000140");
    CHECK(metric::tag_sort_key("JOB") == "JOB");
    CHECK(metric::tag_sort_key("jobs") == "jobs");
    CHECK(metric::tag_sort_key("") == "");
  }

  // §4.4 (verified): 61 bytes.
  TEST_CASE("encode_canonical gives the spec's 61-byte example") {
    MetricName mn = make(42, 7, "http_requests_total",
                         {{"job", "api"}, {"instance", "h1:9100"}, {"path", "/x"}});
    mn.sort_tags();
    Bytes out;
    mn.encode_canonical(out, vmt::metric::Tenancy::kCluster);
    CHECK(out.size() == 61);
    CHECK(to_hex(out, true) ==
          "0000002A00000007"
          "687474705F72657175657374735F746F74616C01"
          "6A6F6201" "61706901"
          "696E7374616E636501" "68313A3931303001"
          "7061746801" "2F7801");
    auto back = MetricName::decode_canonical(out, vmt::metric::Tenancy::kCluster);
    REQUIRE(back.is_ok());
    CHECK(*back == mn);
  }

  TEST_CASE("single-node canonical form: no tenant prefix (MetricName.Marshal at v1.93.7)") {
    MetricName mn = make(0, 0, "http_requests_total", {{"job", "api"}, {"instance", "h1:9100"}, {"path", "/x"}});
    mn.sort_tags();
    Bytes cluster, single;
    mn.encode_canonical(cluster, vmt::metric::Tenancy::kCluster);
    mn.encode_canonical(single, vmt::metric::Tenancy::kSingle);
    CHECK(single.size() == 53);
    CHECK(ByteView(cluster).substr(8) == ByteView(single));
    auto back = MetricName::decode_canonical(single, vmt::metric::Tenancy::kSingle);
    REQUIRE(back.is_ok());
    CHECK(*back == mn);
    // A cluster name read as single-node starts with eight zero bytes of metric name: not 0x01
    // terminated where the tags expect it.
    CHECK(!(MetricName::decode_canonical(cluster, vmt::metric::Tenancy::kSingle).is_ok() &&
            *MetricName::decode_canonical(cluster, vmt::metric::Tenancy::kSingle) == mn));
  }

  TEST_CASE("canonical round trip with reserved bytes and an empty name") {
    MetricName mn = make(1, 2, "", {{Bytes("k\x00", 2), Bytes("\x01\x02v", 3)}, {"e", ""}});
    Bytes out;
    mn.encode_canonical(out, vmt::metric::Tenancy::kCluster);
    CHECK(to_hex(out.substr(8, 1)) == "01");  // empty MetricGroup is a lone 0x01
    auto back = MetricName::decode_canonical(out, vmt::metric::Tenancy::kCluster);
    REQUIRE(back.is_ok());
    CHECK(*back == mn);
  }

  TEST_CASE("decode_canonical rejects truncated and malformed input") {
    MetricName mn = make(42, 7, "m", {{"a", "b"}});
    Bytes good;
    mn.encode_canonical(good, vmt::metric::Tenancy::kCluster);
    for (size_t n = 0; n < good.size(); ++n) {
      if (n == 10) continue;  // "m\x01" complete, no tags: valid
      CAPTURE(n);
      CHECK(!MetricName::decode_canonical(ByteView(good).substr(0, n), vmt::metric::Tenancy::kCluster).is_ok());
    }
    Bytes bad = good;
    bad[8] = '\x00';  // "\x00\x01": escape followed by the terminator
    CHECK(!MetricName::decode_canonical(bad, vmt::metric::Tenancy::kCluster).is_ok());
    // A key without its value.
    CHECK(!MetricName::decode_canonical(ByteView("\0\0\0\0\0\0\0\0m\x01k\x01", 12), vmt::metric::Tenancy::kCluster).is_ok());
  }

  TEST_CASE("decode_canonical survives arbitrary bytes") {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 2000; ++i) {
      Bytes b;
      size_t len = i % 40;
      for (size_t j = 0; j < len; ++j) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        b.push_back(static_cast<char>(x % 5 == 0 ? x % 3 : (x >> 8) & 0xff));
      }
      auto r = MetricName::decode_canonical(b, vmt::metric::Tenancy::kCluster);
      if (r.is_ok()) {
        Bytes again;
        r->encode_canonical(again, vmt::metric::Tenancy::kCluster);
        auto r2 = MetricName::decode_canonical(again, vmt::metric::Tenancy::kCluster);
        REQUIRE(r2.is_ok());
        CHECK(*r2 == *r);
      }
    }
  }

  TEST_CASE("add_tag: __name__ appends to the metric group") {
    MetricName mn;
    mn.add_tag("__name__", "foo");
    mn.add_tag("__name__", "bar");
    mn.add_tag("a", "b");
    CHECK(mn.metric_group == "foobar");
    CHECK(keys(mn) == std::vector<std::string>{"a"});
  }

  TEST_CASE("labels_for_export: __name__ first when present, then stored order") {
    MetricName mn = make(0, 0, "foo", {{"job", "x"}, {"a", "b"}});
    auto l = mn.labels_for_export();
    REQUIRE(l.size() == 3);
    CHECK(l[0] == std::pair<std::string, std::string>{"__name__", "foo"});
    CHECK(l[2] == std::pair<std::string, std::string>{"a", "b"});
    mn.metric_group.clear();
    CHECK(mn.labels_for_export().size() == 2);
  }
}
