#include "encoding/decimal.h"

#include <doctest/doctest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <random>
#include <vector>

using namespace vmt;
using namespace vmt::decimal;

namespace {

uint64_t bits(double f) { return std::bit_cast<uint64_t>(f); }

struct FromFloatRow {
  double f;
  int64_t v;
  int16_t e;
};

std::vector<int64_t> to_dec(std::vector<double> src, int16_t* scale) {
  std::vector<int64_t> out;
  *scale = append_float_to_decimal(out, src.data(), src.size());
  REQUIRE(out.size() == src.size());
  return out;
}

}  // namespace

TEST_SUITE("encoding/decimal") {
  // encoding.md §9.2 check values.
  TEST_CASE("Pow10 matches Go math.Pow10 bit patterns") {
    CHECK(bits(pow10(22)) == 0x4480f0cf064dd592ULL);
    CHECK(bits(pow10(308)) == 0x7fe1ccf385ebc8a0ULL);
    CHECK(bits(pow10(-323)) == 0x0000000000000002ULL);
    CHECK(pow10(0) == 1.0);
    CHECK(pow10(309) == INFINITY);
    CHECK(pow10(32767) == INFINITY);
    CHECK(pow10(-324) == 0.0);
    CHECK(pow10(-32768) == 0.0);
    CHECK(pow10(-1) == 0.1);
    CHECK(pow10(15) == 1e15);
  }

  // encoding.md §9.3 table (real output of the Go code).
  TEST_CASE("FromFloat table") {
    const FromFloatRow rows[] = {
        {1, 1, 0},
        {10, 1, 1},
        {1230, 123, 1},
        {0.1, 1, -1},
        {1.5, 15, -1},
        {123.456, 123456, -3},
        {-1.234, -1234, -3},
        {0.3, 3, -1},
        {2.5e-5, 25, -6},
        {1e-6, 10, -7},  // slow path strips only one trailing zero
        {1e-7, 1, -7},
        {1000000.5, 10000005, -1},
        {1.5e20, 15, 19},
        {1e300, 1, 300},
        {9007199254740993.0, 9007199254740992, 0},  // parses as 2^53
        {36028797018963968.0, 3602879701896396, 1},  // 2^55
        {5e-324, 494065645841, -335},
        {DBL_MAX, 1797693134862315, 293},
    };
    for (const FromFloatRow& r : rows) {
      CAPTURE(r.f);
      auto [v, e] = from_float(r.f);
      CHECK(v == r.v);
      CHECK(e == r.e);
    }
  }

  TEST_CASE("FromFloat at 2^64 follows amd64: slow path") {
    auto [v, e] = from_float(18446744073709551616.0);
    CHECK(v == 18446744073709548);
    CHECK(e == 3);
  }

  TEST_CASE("FromFloat of zeros, infinities and the stale marker") {
    CHECK(from_float(0.0) == std::pair<int64_t, int16_t>{0, 0});
    CHECK(from_float(-0.0) == std::pair<int64_t, int16_t>{0, 0});
    CHECK(from_float(INFINITY) == std::pair<int64_t, int16_t>{kVInfPos, 0});
    CHECK(from_float(-INFINITY) == std::pair<int64_t, int16_t>{kVInfNeg, 0});
    CHECK(from_float(stale_nan()) == std::pair<int64_t, int16_t>{kVStaleNaN, 0});
    // An ordinary NaN is not representable; it must not crash and is never special.
    auto [v, e] = from_float(std::nan(""));
    CHECK(!is_special(v));
    (void)e;
  }

  TEST_CASE("stale NaN is compared bit for bit") {
    CHECK(bits(stale_nan()) == 0x7FF0000000000002ULL);
    CHECK(is_stale_nan(std::bit_cast<double>(kStaleNaNBits)));
    CHECK(!is_stale_nan(std::nan("")));
    CHECK(!is_stale_nan(std::bit_cast<double>(0x7FF0000000000001ULL)));
    CHECK(!is_stale_nan(std::bit_cast<double>(0xFFF0000000000002ULL)));
  }

  // encoding.md §9.1.
  TEST_CASE("exactly three mantissas are special") {
    CHECK(is_special(INT64_MAX));
    CHECK(is_special(INT64_MAX - 1));
    CHECK(is_special(INT64_MIN));
    CHECK(!is_special(INT64_MAX - 2));
    CHECK(!is_special(INT64_MIN + 1));
    CHECK(!is_special(0));
  }

  // encoding.md §9.4 thresholds.
  TEST_CASE("maxUpExponent thresholds") {
    CHECK(max_up_exponent(0) == 1024);
    CHECK(max_up_exponent(kVInfPos) == 1024);
    CHECK(max_up_exponent(kVStaleNaN) == 1024);
    CHECK(max_up_exponent(kVInfNeg) == 1024);
    const int64_t thresholds[19] = {0,
                                    922337203685477580,
                                    92233720368547758,
                                    9223372036854775,
                                    922337203685477,
                                    92233720368547,
                                    9223372036854,
                                    922337203685,
                                    92233720368,
                                    9223372036,
                                    922337203,
                                    92233720,
                                    9223372,
                                    922337,
                                    92233,
                                    9223,
                                    922,
                                    92,
                                    9};
    for (int k = 1; k <= 18; ++k) {
      CAPTURE(k);
      CHECK(max_up_exponent(thresholds[k]) == k);
      CHECK(max_up_exponent(-thresholds[k]) == k);
      CHECK(max_up_exponent(thresholds[k] + 1) == k - 1);
    }
    CHECK(max_up_exponent(1) == 18);
    CHECK(max_up_exponent(kVMax) == 0);
    CHECK(max_up_exponent(kVMin) == 0);
  }

  // encoding.md §9.4 table.
  TEST_CASE("AppendFloatToDecimal table") {
    int16_t e;
    CHECK(to_dec({1, 2.5, 3}, &e) == std::vector<int64_t>{10, 25, 30});
    CHECK(e == -1);
    CHECK(to_dec({100, 200, 300}, &e) == std::vector<int64_t>{1, 2, 3});
    CHECK(e == 2);
    CHECK(to_dec({1.5, stale_nan()}, &e) == std::vector<int64_t>{15, kVStaleNaN});
    CHECK(e == -1);
    CHECK(to_dec({INFINITY, 0.001}, &e) == std::vector<int64_t>{INT64_MAX, 1});
    CHECK(e == -3);
    CHECK(to_dec({1e20, 1}, &e) == std::vector<int64_t>{1000000000000000000, 0});  // the 1 is lost
    CHECK(e == 2);
    CHECK(to_dec({1e-300, 1e300}, &e) == std::vector<int64_t>{0, 1000000000000000000});
    CHECK(e == 282);
    CHECK(to_dec({0, 0}, &e) == std::vector<int64_t>{0, 0});
    CHECK(e == 0);
    CHECK(to_dec({-0.0, 0}, &e) == std::vector<int64_t>{0, 0});
    CHECK(e == 0);
  }

  TEST_CASE("a block of only special values gets Scale -1024 (int16 wrap-around)") {
    int16_t e;
    CHECK(to_dec({stale_nan()}, &e) == std::vector<int64_t>{kVStaleNaN});
    CHECK(e == -1024);
    CHECK(to_dec({stale_nan(), stale_nan()}, &e) == std::vector<int64_t>{kVStaleNaN, kVStaleNaN});
    CHECK(e == -1024);
    CHECK(to_dec({INFINITY, -INFINITY, stale_nan()}, &e) ==
          std::vector<int64_t>{kVInfPos, kVInfNeg, kVStaleNaN});
    CHECK(e == -1024);
  }

  TEST_CASE("fast paths: all +0.0 and all 1.0; -0.0 takes the general path") {
    int16_t e;
    CHECK(to_dec({1, 1, 1}, &e) == std::vector<int64_t>{1, 1, 1});
    CHECK(e == 0);
    CHECK(to_dec({-0.0}, &e) == std::vector<int64_t>{0});
    CHECK(e == 0);
    std::vector<int64_t> out{99};
    CHECK(append_float_to_decimal(out, nullptr, 0) == 0);
    CHECK(out == std::vector<int64_t>{99});  // appends
  }

  TEST_CASE("5e-324 next to ordinary values collapses to 0") {
    int16_t e;
    std::vector<int64_t> v = to_dec({5e-324, 1}, &e);
    CHECK(v[0] == 0);
    CHECK(to_float(v[1], e) == 1.0);
  }

  // encoding.md §9.5.
  TEST_CASE("ToFloat: specials, division for negative exponents, Inf beyond 308") {
    CHECK(to_float(kVInfPos, 5) == INFINITY);
    CHECK(to_float(kVInfNeg, -5) == -INFINITY);
    CHECK(is_stale_nan(to_float(kVStaleNaN, 0)));
    CHECK(is_stale_nan(to_float(kVStaleNaN, -1024)));
    CHECK(to_float(15, -1) == 1.5);
    CHECK(to_float(123456, -3) == 123.456);
    CHECK(to_float(3, -1) == 0.3);  // 3 / 10, not 3 * 0.1 (0.30000000000000004)
    CHECK(to_float(15, 19) == 1.5e20);
    CHECK(to_float(1, 300) == 1e300);
    CHECK(to_float(7, 0) == 7.0);
    CHECK(to_float(1, 309) == INFINITY);
    CHECK(to_float(-1, 309) == -INFINITY);
    CHECK(std::isnan(to_float(0, 309)));  // 0 * Inf, as in Go
    CHECK(to_float(5, -400) == 0.0);
    // Go computes int(-e) in int16: -(-32768) stays -32768, Pow10 of it is 0, v / 0 = Inf.
    CHECK(to_float(1, INT16_MIN) == INFINITY);
    CHECK(to_float(-1, INT16_MIN) == -INFINITY);
  }

  TEST_CASE("AppendDecimalToFloat: same as ToFloat except all-zero blocks") {
    std::vector<double> out{42};
    const std::vector<int64_t> zeros{0, 0};
    append_decimal_to_float(out, zeros.data(), zeros.size(), 400);
    CHECK(out == std::vector<double>{42, 0, 0});  // ToFloat would give NaN
    const std::vector<int64_t> v{15, kVStaleNaN, -1234, kVInfPos, kVInfNeg, 0, 1};
    for (int16_t e : {int16_t(-3), int16_t(0), int16_t(2), int16_t(-1024), int16_t(INT16_MIN)}) {
      out.clear();
      append_decimal_to_float(out, v.data(), v.size(), e);
      REQUIRE(out.size() == v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        const double want = to_float(v[i], e);
        CHECK((bits(out[i]) == bits(want) || (std::isnan(want) && std::isnan(out[i]))));
      }
    }
  }

  TEST_CASE("decimal round trip of short decimal literals") {
    const double fs[] = {0.1,     0.25,   -273.15, 1.5,   123456.789, 2.718281828459,
                         99999.99, 1e-9,  42,      -1e15, 0.001,      6.02214076e23};
    for (double f : fs) {
      CAPTURE(f);
      auto [v, e] = from_float(f);
      CHECK(to_float(v, e) == f);
    }
  }

  // encoding.md §9.6 example.
  TEST_CASE("CalibrateScale example: b upscaled to a's exponent") {
    std::vector<int64_t> a{15, 25}, b{3};
    CHECK(calibrate_scale(a, -1, b, 0) == -1);
    CHECK(a == std::vector<int64_t>{15, 25});
    CHECK(b == std::vector<int64_t>{30});
    // Symmetric: the block with the larger exponent is the one upscaled.
    std::vector<int64_t> c{3}, d{15, 25};
    CHECK(calibrate_scale(c, 0, d, -1) == -1);
    CHECK(c == std::vector<int64_t>{30});
    CHECK(d == std::vector<int64_t>{15, 25});
  }

  TEST_CASE("CalibrateScale downscales only to avoid overflow, zeroing beyond 18 digits") {
    std::vector<int64_t> a{kVMax / 10, kVStaleNaN}, b{123456, kVInfNeg};
    // a (e 5) can go up by 1 only: down 4; b loses 4 digits.
    CHECK(calibrate_scale(a, 5, b, 0) == 4);
    CHECK(a == std::vector<int64_t>{kVMax / 10 * 10, kVStaleNaN});
    CHECK(b == std::vector<int64_t>{12, kVInfNeg});
    std::vector<int64_t> x{kVMax}, y{-987654321, 5};
    CHECK(calibrate_scale(x, 40, y, 0) == 40);
    CHECK(x == std::vector<int64_t>{kVMax});
    CHECK(y == std::vector<int64_t>{0, 0});
    std::vector<int64_t> z{0, kVInfPos}, w{7};
    CHECK(calibrate_scale(z, 300, w, 0) == 0);  // zeros and specials scale freely
    CHECK(z == std::vector<int64_t>{0, kVInfPos});
    CHECK(w == std::vector<int64_t>{7});
  }

  TEST_CASE("CalibrateScale fast paths") {
    std::vector<int64_t> a{1}, b{2}, empty;
    CHECK(calibrate_scale(a, 3, b, 3) == 3);
    CHECK(calibrate_scale(empty, 3, b, 1) == 1);
    CHECK(calibrate_scale(a, 3, empty, 1) == 3);
    CHECK(a == std::vector<int64_t>{1});
    CHECK(b == std::vector<int64_t>{2});
  }

  TEST_CASE("CalibrateScale against a -1024 block keeps the specials") {
    std::vector<int64_t> a{15}, b{kVStaleNaN};
    const int16_t e = calibrate_scale(a, -1, b, -1024);
    CHECK(is_stale_nan(to_float(b[0], e)));
    CHECK(to_float(a[0], e) == 1.5);
  }

  TEST_CASE("random blocks: every value within the block's precision") {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(-1000, 1000);
    for (int iter = 0; iter < 200; ++iter) {
      std::vector<double> src(1 + rng() % 100);
      for (double& f : src) f = std::round(u(rng) * 1000) / 1000;
      std::vector<int64_t> v;
      const int16_t e = append_float_to_decimal(v, src.data(), src.size());
      std::vector<double> back;
      append_decimal_to_float(back, v.data(), v.size(), e);
      for (size_t i = 0; i < src.size(); ++i) CHECK(std::fabs(back[i] - src[i]) <= 1e-9);
    }
  }

  TEST_CASE("float_for_decimal: a float FromFloat maps back to the stored value") {
    std::mt19937_64 rng(11);
    auto norm = [](std::pair<int64_t, int16_t> d) {
      int64_t v = d.first;
      int e = d.second;
      while (v != 0 && v % 10 == 0) {
        v /= 10;
        ++e;
      }
      return std::make_pair(v, v == 0 ? 0 : e);
    };
    int searched = 0;
    for (int i = 0; i < 20000; ++i) {
      const double mag = std::pow(10.0, int(rng() % 50) - 25);
      const double f0 = (double(rng() % 2000000) / 1000000.0 - 1.0) * mag;
      const auto d = from_float(f0);
      const double f = float_for_decimal(d.first, d.second);
      if (f != to_float(d.first, d.second)) ++searched;
      REQUIRE(norm(from_float(f)) == norm(d));
    }
    MESSAGE(searched << " of 20000 values needed the search beyond to_float");
  }

  TEST_CASE("float_for_decimal: a block read back through it is stored the same (scale raised too)") {
    std::mt19937_64 rng(5);
    int changed = 0;
    for (int b = 0; b < 300; ++b) {
      std::vector<double> src;
      // One magnitude per block (up to 1e15), or 40 orders apart (the common scale truncates).
      const bool mixed = b % 2 == 1;
      const int k = int(rng() % 33) - 20;
      for (int i = 0; i < 40; ++i) {
        const int mag = mixed ? int(rng() % 40) - 25 : k + int(rng() % 3);
        src.push_back((double(rng() % 2000000) / 1000000.0 - 1.0) * std::pow(10.0, mag));
      }
      std::vector<int64_t> stored;
      const int16_t e = append_float_to_decimal(stored, src.data(), src.size());
      std::vector<double> back;
      for (int64_t m : stored) back.push_back(float_for_decimal(m, e));
      std::vector<int64_t> again;
      const int16_t e2 = append_float_to_decimal(again, back.data(), back.size());
      if (e2 != e || again != stored) ++changed;
    }
    // A known gap, in the issue note: a few blocks whose FromFloat exponents land so that the
    // common scale rises on the way back (with to_float, as export printed before, 9 of them).
    MESSAGE(changed << " of 300 blocks stored differently after export and import");
    CHECK(changed <= 3);
  }
}

TEST_SUITE("encoding/decimal exact_decimal") {
  // The JSON-lines import relies on it: every finite double comes back bit for bit.
  TEST_CASE("exact_decimal: doubles come back bit for bit") {
    // Metric-like values (a few significant digits; epoch seconds with nanosecond fractions) must
    // all come back. Doubles of random bits mostly do: v / 10^-e with a 17-digit v steps over some
    // doubles (double(v) moves 16 at a time past 2^56), and nothing can store those exactly.
    std::mt19937_64 rng(11);
    size_t tried[3] = {0, 0, 0}, missed[3] = {0, 0, 0}, server_drifts = 0;
    for (int i = 0; i < 300000; ++i) {
      double f;
      const int kind = i % 3;
      if (kind == 0) {
        f = std::bit_cast<double>(rng());
        if (!std::isfinite(f) || std::fabs(f) > 1e250 || std::fabs(f) < 1e-250) continue;
      } else if (kind == 1) {
        f = double(int64_t(rng() % 2000001) - 1000000) / vmt::decimal::pow10(int(rng() % 12));
      } else {
        f = 1.7e9 + double(rng() % 1000000000) / 1e9;
      }
      ++tried[kind];
      const auto [v, e] = vmt::decimal::exact_decimal(f);
      missed[kind] += std::bit_cast<uint64_t>(vmt::decimal::to_float(v, e)) != std::bit_cast<uint64_t>(f);
      const auto [sv, se] = vmt::decimal::from_float(f);
      server_drifts += std::bit_cast<uint64_t>(vmt::decimal::to_float(sv, se)) != std::bit_cast<uint64_t>(f);
    }
    MESSAGE("random bits: " << missed[0] << " of " << tried[0] << " not exact; metric-like: " << missed[1] + missed[2]
            << " of " << tried[1] + tried[2] << "; the server's FromFloat changes " << server_drifts << " of all");
    CHECK(missed[1] == 0);
    CHECK(missed[2] == 0);
    CHECK(missed[0] * 100 < tried[0]);   // under 1%
    CHECK(server_drifts > 0);   // else this property would be the server's and the test would prove nothing
  }

  TEST_CASE("exact_decimal: from_float's answer when it is already exact, specials unchanged") {
    CHECK(vmt::decimal::exact_decimal(0.5) == vmt::decimal::from_float(0.5));
    CHECK(vmt::decimal::exact_decimal(12345) == vmt::decimal::from_float(12345));
    CHECK(vmt::decimal::exact_decimal(INFINITY).first == vmt::decimal::kVInfPos);
    CHECK(vmt::decimal::exact_decimal(-INFINITY).first == vmt::decimal::kVInfNeg);
    CHECK(vmt::decimal::exact_decimal(vmt::decimal::stale_nan()).first == vmt::decimal::kVStaleNaN);
    std::vector<int64_t> out;
    const double vals[] = {1795287148.1358247, 0, 1};
    const int16_t e = vmt::decimal::append_float_to_decimal(out, vals, 3, /*exact=*/true);
    CHECK(vmt::decimal::to_float(out[0], e) == 1795287148.1358247);
  }
  TEST_CASE("exact: a block mixing the largest doubles with small values never turns one into Inf") {
    // exact_decimal's 17 digits of 1.7976931348623157e308, brought to a lower common exponent, made
    // to_float overflow; the block then takes FromFloat's digits (as the server stores it).
    std::vector<int64_t> out;
    const double vals[] = {-7, 1.7976931348623157e308, 0.1, 5e-324, 123456789.12345679};
    const int16_t e = vmt::decimal::append_float_to_decimal(out, vals, 5, /*exact=*/true);
    std::vector<int64_t> server;
    const int16_t se = vmt::decimal::append_float_to_decimal(server, vals, 5, /*exact=*/false);
    CHECK(e == se);
    CHECK(out == server);
    for (size_t i = 0; i < 5; ++i) CHECK(std::isfinite(vmt::decimal::to_float(out[i], e)));
  }
}
