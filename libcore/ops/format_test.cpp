#include <doctest/doctest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <random>
#include <string>
#include <limits>

#include "ops/format.h"

using namespace vmt;
using namespace vmt::ops;

namespace {
std::string num(double v) { Bytes b; append_export_number(b, v); return b; }
std::string js(ByteView s) { Bytes b; append_json_string(b, s); return b; }
}  // namespace

TEST_SUITE("ops/format") {
  // Forms seen in ../shared/fixtures/vm-cluster-1.93/tiny/export/tenant-0-0.jsonl.
  TEST_CASE("export numbers print like quicktemplate's {%f= %}") {
    CHECK(num(42) == "42");
    CHECK(num(-0.0) == "0");
    CHECK(num(0.00001) == "0.00001");
    CHECK(num(0.000000001) == "0.000000001");
    CHECK(num(2.718281828459) == "2.718281828459");
    CHECK(num(1e19) == "10000000000000000000");
    CHECK(num(12345678901234567000.0) == "12345678901234567000");
    CHECK(num(1e300).size() == 301);
    // The longest forms (within kMaxNumberBytes): the smallest and the largest doubles.
    CHECK(num(-std::numeric_limits<double>::denorm_min()) == "-0." + std::string(323, '0') + "5");
    CHECK(num(-std::numeric_limits<double>::max()) == "-17976931348623157" + std::string(292, '0'));
    CHECK(num(9007199254740992.0) == "9007199254740992");
    CHECK(num(std::numeric_limits<double>::infinity()) == "\"Infinity\"");
    CHECK(num(-std::numeric_limits<double>::infinity()) == "\"-Infinity\"");
    // A stale marker (the only NaN storage keeps): null, as the server's convertValueToSpecialJSON
    // prints it (checked: v1.148.0's export of remote-written stale markers, tests/fixtures/prom-2.42).
    CHECK(num(std::nan("")) == "null");
  }

  TEST_CASE("export numbers: short decimals take the digit path and print what the shortest form prints") {
    // The reference: std::to_chars in fixed notation gives the shortest round-trip digits too, and
    // lays them out as Go's 'f' does for values below 2^53 (larger ones it prints exactly).
    auto reference = [](double v) {
      char buf[400];
      auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
      return std::string(buf, r.ptr);
    };
    std::mt19937_64 rng(42);
    size_t checked = 0;
    for (int round = 0; round < 400000; ++round) {
      const int k = int(rng() % 13);
      const int digits = 1 + int(rng() % 17);
      int64_t m = int64_t(rng() % uint64_t(std::pow(10.0, digits)));
      if (rng() % 2) m = -m;
      double v = double(m) / std::pow(10.0, k);
      if (round % 4 == 0) v = std::bit_cast<double>(rng());  // any double at all
      if (!std::isfinite(v) || std::fabs(v) >= 9007199254740992.0) continue;
      CHECK(num(v) == (v == std::trunc(v) ? std::to_string(int64_t(v)) : reference(v)));
      ++checked;
    }
    CHECK(checked > 300000);
    // Forms the digit path lays out, checked by hand.
    CHECK(num(2297059.64) == "2297059.64");
    CHECK(num(-0.005) == "-0.005");
    CHECK(num(0.1) == "0.1");
    CHECK(num(123456789.123456) == "123456789.123456");
    CHECK(num(0.30000000000000004) == "0.30000000000000004");  // 17 digits: the general path
    CHECK(num(1e-10) == "0.0000000001");
    // 16 digits that an exact division gives, but whose double has shorter digits (Python's repr
    // agrees): the digit path must leave them to the general one.
    CHECK(num(8581759878151638.0 / 1e5) == "85817598781.51637");
    CHECK(num(8660863925495791.0 / 1e9) == "8660863.92549579");
  }

  TEST_CASE("JSON strings escape like quicktemplate's {%qz= %}") {
    CHECK(js("line1\nline2") == "\"line1\\nline2\"");
    CHECK(js("C:\\Program Files\\vm") == "\"C:\\\\Program Files\\\\vm\"");
    CHECK(js("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(js("a<b>c'd&") == "\"a\\u003cb>c\\u0027d&\"");
    CHECK(js(ByteView("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
    CHECK(js("Zürich 🚀") == "\"Zürich 🚀\"");
  }

  TEST_CASE("exposition label values and numbers") {
    Bytes b;
    append_prom_label_value(b, "a\"b\\c\nd");
    CHECK(b == "\"a\\\"b\\\\c\\nd\"");
    b.clear();
    append_prom_number(b, -std::numeric_limits<double>::infinity());
    CHECK(b == "-Inf");
  }

  TEST_CASE("append_labels_json: a canonical name's labels as the server's series element prints them") {
    using metric::Tenancy;
    auto canonical = [](const char* group, std::vector<std::pair<std::string, std::string>> tags, Tenancy t) {
      metric::MetricName mn;
      mn.account_id = 42;
      mn.project_id = 7;
      mn.metric_group = group;
      for (auto& [k, v] : tags) mn.tags.push_back(metric::Tag{k, v});
      Bytes out;
      mn.encode_canonical(out, t);
      return out;
    };
    auto labels = [](ByteView c, Tenancy t) {
      Bytes b;
      REQUIRE(append_labels_json(b, c, t).is_ok());
      return b;
    };
    // Written out by hand: the form of /api/v1/series elements (tests/fixtures answers).
    CHECK(labels(canonical("up", {{"instance", "h:9100"}, {"job", "node"}}, Tenancy::kSingle), Tenancy::kSingle) ==
          R"("__name__":"up","instance":"h:9100","job":"node")");
    CHECK(labels(canonical("up", {{"job", "node"}}, Tenancy::kCluster), Tenancy::kCluster) == R"("__name__":"up","job":"node")");
    CHECK(labels(canonical("", {{"job", "node"}}, Tenancy::kSingle), Tenancy::kSingle) == R"("job":"node")");
    CHECK(labels(canonical("up", {}, Tenancy::kSingle), Tenancy::kSingle) == R"("__name__":"up")");
    CHECK(labels(canonical("", {}, Tenancy::kSingle), Tenancy::kSingle).empty());
    CHECK(labels(canonical("up", {{"a", ""}, {"", "v"}}, Tenancy::kSingle), Tenancy::kSingle) == R"("__name__":"up","a":"","":"v")");
    CHECK(labels(canonical("up", {{"path", "C:\\x \"q\" <b> it's\n"}}, Tenancy::kSingle), Tenancy::kSingle) ==
          R"("__name__":"up","path":"C:\\x \"q\" \u003cb> it\u0027s\n")");
    CHECK(labels(canonical("up", {{"raw", std::string("\x00\x01\x02", 3)}}, Tenancy::kSingle), Tenancy::kSingle) ==
          R"("__name__":"up","raw":"\u0000\u0001\u0002")");

    // Every mix of plain and quoted strings: the one-pass form equals quoting the decoded name.
    const std::vector<std::string> pieces{"", "node", "a\"b", std::string("x\x00y", 3), "\x01", "<", "ünï"};
    for (Tenancy t : {Tenancy::kSingle, Tenancy::kCluster}) {
      for (const auto& g : pieces) {
        for (const auto& k : pieces) {
          for (const auto& v : pieces) {
            Bytes c = canonical(g.c_str(), {{k, v}, {"job", v}}, t);
            auto mn = metric::MetricName::decode_canonical(c, t);
            REQUIRE(mn.is_ok());
            Bytes want;
            for (const auto& [lk, lv] : mn->labels_for_export()) {
              if (!want.empty()) want += ",";
              append_json_string(want, lk);
              want += ":";
              append_json_string(want, lv);
            }
            CHECK(labels(c, t) == want);
          }
        }
      }
    }

    // Damaged names fail as decoding them fails, and leave nothing behind.
    for (ByteView bad : {ByteView("up\x01job", 6), ByteView("up\x01job\x01", 7), ByteView("up\x01j\x00\x39\x01v\x01", 9),
                         ByteView("\x00\x00\x00", 3)}) {
      Bytes b = "{";
      CHECK_FALSE(append_labels_json(b, bad, Tenancy::kSingle).is_ok());
      CHECK(b == "{");
      CHECK_FALSE(metric::MetricName::decode_canonical(bad, Tenancy::kSingle).is_ok());
    }
    Bytes b;
    CHECK_FALSE(append_labels_json(b, ByteView("\0\0\0", 3), Tenancy::kCluster).is_ok());
  }
}
