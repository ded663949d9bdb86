#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>

#include "../../tests/test_support.h"
#include "ingest/json_line.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {
std::string tag(const JsonLine& l, size_t i) {
  return std::string(l.row.tags[i].name) + "=" + std::string(l.row.tags[i].value);
}
}  // namespace

TEST_SUITE("ingest/json_line") {
  TEST_CASE("an export line: name, labels in order, values and timestamps") {
    JsonLineParser p;
    JsonLine l;
    REQUIRE(p.parse(R"({"metric":{"job":"a\"b","__name__":"up","i":"x"},"values":[1,0.5,-2e3],"timestamps":[1,2,3]})", l).is_ok());
    CHECK(std::string(l.row.metric) == "up");
    REQUIRE(l.row.tags.size() == 2);
    CHECK(tag(l, 0) == "job=a\"b");
    CHECK(tag(l, 1) == "i=x");
    CHECK(l.values == std::vector<double>{1, 0.5, -2000});
    CHECK(l.timestamps == std::vector<int64_t>{1, 2, 3});
  }

  TEST_CASE("special values as the server reads them") {
    JsonLineParser p;
    JsonLine l;
    REQUIRE(p.parse(R"({"metric":{"__name__":"x"},"values":["Infinity","-Inf",null,"NaN","nan","-infinity"],"timestamps":[1,2,3,4,5,6]})", l).is_ok());
    CHECK(l.values[0] == INFINITY);
    CHECK(l.values[1] == -INFINITY);
    CHECK(std::isnan(l.values[2]));
    CHECK(std::isnan(l.values[3]));
    CHECK(std::isnan(l.values[4]));
    CHECK(l.values[5] == -INFINITY);
  }

  TEST_CASE("numbers come back as the float64 that printed them") {
    JsonLineParser p;
    JsonLine l;
    // Shortest round-trip digits of doubles that a non-correctly-rounded parser gets wrong.
    REQUIRE(p.parse(R"({"metric":{"__name__":"x"},"values":[0.000015,1.7976931348623157e308,2.2250738585072014e-308,0.1],"timestamps":[1,2,3,4]})", l).is_ok());
    CHECK(l.values[0] == 0.000015);
    CHECK(l.values[1] == 1.7976931348623157e308);
    CHECK(l.values[2] == 2.2250738585072014e-308);
    CHECK(l.values[3] == 0.1);
  }

  TEST_CASE("what the server refuses is refused, with its words") {
    JsonLineParser p;
    JsonLine l;
    auto err = [&](const char* s) {
      Status st = p.parse(s, l);
      return st.is_ok() ? std::string("ok") : st.message();
    };
    CHECK(err(R"({"values":[1],"timestamps":[1]})").find("missing `metric` object") != std::string::npos);
    CHECK(err(R"({"metric":{},"values":[1],"timestamps":[1]})").find("missing tags") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":"x"},"timestamps":[1]})").find("missing `values` array") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":"x"},"values":[1]})").find("missing `timestamps` array") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":"x"},"values":[1,2],"timestamps":[1]})").find("must match") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":"x"},"values":["abc"],"timestamps":[1]})").find("position 0") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":"x"},"values":[1],"timestamps":[1.5]})").find("timestamp at position 0") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":"x"},"values":[1],"timestamps":[1]} x)") != "ok");
    CHECK(err(R"({"metric":{"__name__":"x"},"values":[1],"timestamps":[1])") != "ok");
    CHECK(err(R"({"metric":{"job":"a"},"values":[1],"timestamps":[1]})").find("__name__") != std::string::npos);
    CHECK(err(R"({"metric":{"__name__":1},"values":[1],"timestamps":[1]})") != "ok");
  }

  // Every line of a real server's export (victoria-metrics v1.93.7, the node fixture) reads back:
  // as many samples as it printed, and each value prints back to the same digits.
  TEST_CASE("the v1.93.7 node fixture's export reads back completely") {
    const std::string path = test::fixtures_dir() + "/../vm-single-1.93/node/export/all.jsonl";
    const test::ExportCounts want = test::count_export(path);
    REQUIRE(want.samples > 0);
    std::ifstream f(path);
    REQUIRE(f.good());
    JsonLineParser p;
    JsonLine l;
    std::string line;
    size_t lines = 0, samples = 0;
    while (std::getline(f, line)) {
      Status st = p.parse(line, l);
      REQUIRE_MESSAGE(st.is_ok(), st.message());
      CHECK(!l.row.metric.empty());
      samples += l.values.size();
      ++lines;
    }
    CHECK(lines == want.series);
    CHECK(samples == want.samples);
  }
}
