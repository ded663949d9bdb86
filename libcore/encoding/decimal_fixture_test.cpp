// The tiny fixture (tests/../shared/fixtures/vm-cluster-1.93/tiny): a real vmstorage stored each
// series as one block per monthly partition (10 samples each) and vmselect exported the values
// read back from those blocks. Converting the same inputs with append_float_to_decimal +
// append_decimal_to_float must give exactly the exported values, whatever the neighbours do to
// them (2.718281828459045 -> 2.718281828459, extreme floats collapsing to 0, ...).
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/fs.h"
#include "encoding/decimal.h"
#include "../tests/test_support.h"

using namespace vmt;

namespace {

constexpr int64_t kNovember2023 = 1698796800000;  // 2023-11-01T00:00:00Z: the partition boundary

std::vector<std::string> split_lines(const Bytes& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == Bytes::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The values of one series from the exposition input: "<series> <value> <timestamp>".
// Plain NaNs are dropped as vmstorage does (encoding.md §9.1).
void input_values(const std::vector<std::string>& lines, const std::string& series,
                  std::vector<double>* oct, std::vector<double>* nov) {
  for (const std::string& l : lines) {
    if (l.empty() || l[0] == '#' || l.compare(0, series.size(), series) != 0) continue;
    const size_t ts_at = l.rfind(' ');
    const size_t v_at = l.rfind(' ', ts_at - 1);
    const std::string value = l.substr(v_at + 1, ts_at - v_at - 1);
    const double f = std::strtod(value.c_str(), nullptr);
    if (std::isnan(f)) continue;
    const int64_t ts = std::strtoll(l.c_str() + ts_at + 1, nullptr, 10);
    (ts < kNovember2023 ? oct : nov)->push_back(f);
  }
}

// The "values" array of the export line containing `needle`.
std::vector<double> exported_values(const std::vector<std::string>& lines,
                                    const std::string& needle) {
  std::vector<double> out;
  for (const std::string& l : lines) {
    if (l.find(needle) == std::string::npos) continue;
    const size_t start = l.find("\"values\":[") + 10;
    const size_t end = l.find(']', start);
    std::string arr = l.substr(start, end - start);
    size_t p = 0;
    while (p <= arr.size()) {
      size_t q = arr.find(',', p);
      if (q == std::string::npos) q = arr.size();
      const std::string tok = arr.substr(p, q - p);
      if (tok == "\"Infinity\"") {
        out.push_back(INFINITY);
      } else if (tok == "\"-Infinity\"") {
        out.push_back(-INFINITY);
      } else {
        out.push_back(std::strtod(tok.c_str(), nullptr));
      }
      p = q + 1;
    }
    return out;
  }
  return out;
}

std::vector<double> through_block(const std::vector<double>& src) {
  std::vector<int64_t> mantissas;
  const int16_t scale = decimal::append_float_to_decimal(mantissas, src.data(), src.size());
  std::vector<double> back;
  decimal::append_decimal_to_float(back, mantissas.data(), mantissas.size(), scale);
  return back;
}

}  // namespace

TEST_SUITE("encoding/decimal") {
  TEST_CASE("tiny fixture: per-partition blocks give the values vmselect exported") {
    auto input = fs::read_file(test::fixture("tiny/input/tenant-0-0.prom"), 1 << 20);
    auto exported = fs::read_file(test::fixture("tiny/export/tenant-0-0.jsonl"), 1 << 20);
    REQUIRE_MESSAGE(input.is_ok(), input.status().message());
    REQUIRE_MESSAGE(exported.is_ok(), exported.status().message());
    const std::vector<std::string> in_lines = split_lines(*input);
    const std::vector<std::string> ex_lines = split_lines(*exported);

    struct Series {
      const char* input_prefix;
      const char* export_needle;
    };
    const Series series[] = {
        {"tiny_temperature_celsius{job=\"tiny\",sensor=\"gpu\"", "\"sensor\":\"gpu\""},
        {"tiny_temperature_celsius{job=\"tiny\",sensor=\"cpu\"", "\"sensor\":\"cpu\""},
        {"tiny_extreme_floats{", "\"__name__\":\"tiny_extreme_floats\""},
        {"tiny_integer_items{", "\"__name__\":\"tiny_integer_items\""},
        {"tiny_special_values{", "\"__name__\":\"tiny_special_values\""},
        {"tiny_requests_total{", "\"__name__\":\"tiny_requests_total\""},
        {"tiny_constant_value{", "\"__name__\":\"tiny_constant_value\""},
        {"tiny_no_labels ", "\"__name__\":\"tiny_no_labels\""},
        {"tiny_unicode_labels{", "\"__name__\":\"tiny_unicode_labels\""},
        {"tiny_escaped_labels{", "\"__name__\":\"tiny_escaped_labels\""},
    };
    for (const Series& s : series) {
      CAPTURE(s.input_prefix);
      std::vector<double> oct, nov;
      input_values(in_lines, s.input_prefix, &oct, &nov);
      REQUIRE(!oct.empty());
      REQUIRE(!nov.empty());
      std::vector<double> got = through_block(oct);
      const std::vector<double> nov_got = through_block(nov);
      got.insert(got.end(), nov_got.begin(), nov_got.end());
      const std::vector<double> want = exported_values(ex_lines, s.export_needle);
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i);
        CAPTURE(want[i]);
        CAPTURE(got[i]);
        // Bit equality, except that the export prints -0 and 0 alike.
        CHECK((std::bit_cast<uint64_t>(got[i]) == std::bit_cast<uint64_t>(want[i]) ||
               (got[i] == 0 && want[i] == 0)));
      }
    }
  }

  TEST_CASE("tiny fixture facts from its README") {
    // 2.718281828459045 -> 2.718281828459 and 0.30000000000000004 -> 0.3 in the gpu block.
    const std::vector<double> oct{-0.0035, 0.1, 0.30000000000000004, 0.25, -273.15,
                                  1.5,     -1.5, 123456.789,          2.718281828459045,
                                  3.141592653589793};
    const std::vector<double> got = through_block(oct);
    CHECK(got[2] == 0.3);
    CHECK(got[8] == 2.718281828459);
    CHECK(got[9] == 3.141592653589);
    const std::vector<double> nov{0.0, -0.0, 1e-05, 99999999.99, -1.25,
                                  0.333333333333, 7.0, 12.5, 1e-09, 1000.001};
    const std::vector<double> got2 = through_block(nov);
    CHECK(std::bit_cast<uint64_t>(got2[1]) == 0);  // -0.0 -> 0
    CHECK(got2[5] == 0.3333333333);
  }
}
