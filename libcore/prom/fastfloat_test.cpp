#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "prom/fastfloat.h"

using namespace vmt;

namespace {
// Parses or returns a sentinel error value (bits FFFF...): easier to CHECK.
uint64_t bits(std::string_view s) {
  double f = 0;
  if (prom::parse_float(s, &f) != nullptr) return ~0ULL;
  return std::bit_cast<uint64_t>(f);
}
double val(std::string_view s) {
  double f = -12345;
  REQUIRE(prom::parse_float(s, &f) == nullptr);
  return f;
}
bool err(std::string_view s) {
  double f = 0;
  return prom::parse_float(s, &f) != nullptr;
}
}  // namespace

TEST_SUITE("prom/fastfloat") {
  // encoding.md §9.2 check values.
  TEST_CASE("go_pow10 matches Go's math.Pow10") {
    CHECK(std::bit_cast<uint64_t>(prom::go_pow10(22)) == 0x4480f0cf064dd592ULL);
    CHECK(std::bit_cast<uint64_t>(prom::go_pow10(308)) == 0x7fe1ccf385ebc8a0ULL);
    CHECK(std::bit_cast<uint64_t>(prom::go_pow10(-323)) == 0x0000000000000002ULL);
    CHECK(std::isinf(prom::go_pow10(309)));
    CHECK(prom::go_pow10(-324) == 0);
    CHECK(prom::go_pow10(0) == 1);
  }

  // prometheus-text.md §6 table.
  TEST_CASE("specials") {
    for (auto s : {"Inf", "inf", "INF", "+Inf", "Infinity", "infinity", "+infinity"}) {
      CAPTURE(s);
      CHECK(bits(s) == 0x7ff0000000000000ULL);
    }
    for (auto s : {"-Inf", "-inf", "-Infinity", "-+Inf"}) {
      CAPTURE(s);
      CHECK(bits(s) == 0xfff0000000000000ULL);
    }
    for (auto s : {"NaN", "nan", "+NaN", "-NaN", "nAn"}) {
      CAPTURE(s);
      CHECK(bits(s) == prom::kGoNaNBits);
    }
    for (auto s : {"in", "infinit", "infinityy", "++Inf", "+-Inf", "nana", "+", "-", "inf "}) {
      CAPTURE(s);
      CHECK(err(s));
    }
  }

  TEST_CASE("decimals") {
    CHECK(val("1") == 1);
    CHECK(val("00012") == 12);
    CHECK(val("1.5") == 1.5);
    CHECK(val(".5") == 0.5);
    CHECK(val("-.5") == -0.5);
    CHECK(val("5.") == 5);
    CHECK(val("1e3") == 1000);
    CHECK(val("1E-2") == 0.01);
    CHECK(val("1.e5") == 1e5);
    CHECK(val("1e+2") == 100);
    CHECK(bits("-0") == 0x8000000000000000ULL);
    CHECK(bits("-0.0") == 0x8000000000000000ULL);
    CHECK(val("-5.") == 5);      // the sign bug
    CHECK(val("-5.e0") == -5);   // only when the token ends right after the '.'
    CHECK(val("1e400") == INFINITY);
    CHECK(val("-1e400") == -INFINITY);
    CHECK(val("1e-400") == 0);
    CHECK(val("12345678901234567890") == 1.2345678901234567e19);
  }

  TEST_CASE("errors") {
    for (auto s : {"", "+1", "+1.5", "0x1F", "1_000", "1.2.3", "1e", "1e+", "-", ".", ".e1", "-.",
                   "1a", "1 ", " 1", "e5", "1e5.5", "--1", "1..2"}) {
      CAPTURE(s);
      CHECK(err(s));
    }
  }

  TEST_CASE("the fast path is not correctly rounded") {
    CHECK(bits("1.5e-5") == 0x3eef75104d551d6aULL);  // strtod: ...69
    CHECK(val("0.1") == 0.1);
    CHECK(val("123.456") == 123.456);
  }

  TEST_CASE("strconv fallbacks: long integer part, long mantissa, big exponent") {
    // 19 integer characters (18 digits after a '-').
    CHECK(val("1234567890123456789") == 1234567890123456789.0);
    CHECK(val("-123456789012345678") == -123456789012345678.0);
    // (index - first digit) reaches 17 in the fraction: strtod, correctly rounded.
    CHECK(val("0.30000000000000004") == 0.30000000000000004);
    CHECK(val("3.141592653589793") == 3.141592653589793);
    CHECK(val("1.7976931348623157e308") == 1.7976931348623157e308);
    CHECK(val("1e301") == 1e301);
    CHECK(val("1e-301") == 1e-301);
    CHECK(val("5e-324") == 5e-324);
    // The fallback parses the whole token with strconv's grammar: underscores between digits.
    CHECK(val("1234567890123456789_0") == 12345678901234567890.0);
    CHECK(err("1234567890123456789__0"));
    CHECK(err("1234567890123456789x"));
    CHECK(err("0.12345678901234567.8"));
    CHECK(err("1e999x"));
  }

  TEST_CASE("digits taken eight and four at a time give the byte loop's numbers and fallbacks") {
    // What the byte loop gives, worked out per token: an integer part of up to 18 characters
    // (sign included) is the integer, a fraction while (index - first digit) stays under 17 is one
    // division, anything longer strconv's correctly rounded parse (strtod here).
    std::mt19937_64 rng(5);
    size_t fast = 0, fallback = 0;
    for (int round = 0; round < 100000; ++round) {
      const bool minus = rng() % 3 == 0;
      const size_t int_digits = rng() % 21, frac_digits = rng() % 3 == 0 ? 0 : 1 + rng() % 20;
      if (int_digits == 0 && frac_digits == 0) continue;
      std::string t = minus ? "-" : "";
      uint64_t d = 0;
      for (size_t k = 0; k < int_digits; ++k) {
        const int c = int(rng() % 10);
        t += char('0' + c);
        d = d * 10 + uint64_t(c);
      }
      if (frac_digits > 0) t += '.';
      for (size_t k = 0; k < frac_digits; ++k) {
        const int c = int(rng() % 10);
        t += char('0' + c);
        d = d * 10 + uint64_t(c);
      }
      CAPTURE(t);
      const size_t sign = minus ? 1 : 0;
      double want;
      if (sign + int_digits > 18 || (frac_digits > 0 && int_digits + 1 + frac_digits >= 17)) {
        want = std::strtod(t.c_str(), nullptr);
        ++fallback;
      } else {
        want = double(d) / std::pow(10.0, double(frac_digits));  // 10^k exact for k <= 16
        if (minus) want = -want;
        ++fast;
      }
      REQUIRE(bits(t) == std::bit_cast<uint64_t>(want));
    }
    CHECK(fast > 10000);
    CHECK(fallback > 10000);
  }

  TEST_CASE("go_parse_float grammar") {
    double f = 0;
    bool range = false;
    CHECK(prom::go_parse_float("1_23.50_0_0e+1_2", &f, &range));
    CHECK(f == 1.235e14);
    CHECK(prom::go_parse_float("-1e999", &f, &range));
    CHECK(range);
    CHECK(f == -INFINITY);
    for (auto s : {"_1", "1_", "1__0", "1_.5", "1._5", "", "+", "1e", "0x10", "1e_5", "inf0"}) {
      CAPTURE(s);
      CHECK(!prom::go_parse_float(s, &f, &range));
    }
    CHECK(prom::go_parse_float("+Infinity", &f, &range));
    CHECK(f == INFINITY);
  }
}
