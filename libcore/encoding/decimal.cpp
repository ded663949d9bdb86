#include "encoding/decimal.h"

#include <array>
#include <bit>
#include <charconv>
#include <system_error>
#include <cmath>
#include <cstring>

#include "encoding/decimal_internal.h"

namespace vmt::decimal {

using namespace detail;

namespace {

// math.Pow10's tables: correctly rounded literals.
constexpr double kPow10Tab[32] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31,
};
constexpr double kPow10PosTab32[10] = {1e0,   1e32,  1e64,  1e96,  1e128,
                                       1e160, 1e192, 1e224, 1e256, 1e288};
constexpr double kPow10NegTab32[11] = {1e-0,   1e-32,  1e-64,  1e-96,  1e-128, 1e-160,
                                       1e-192, 1e-224, 1e-256, 1e-288, 1e-320};

// Go evaluates math.Ln2/math.Ln10 as an exact constant; M_LN2 / M_LN10 at run time is one ulp
// lower (0x3FD34413509F79FE). Spec §9.3.
const double kLog10Of2 = std::bit_cast<double>(uint64_t(0x3FD34413509F79FF));

// kMaxUpThreshold[k] = MaxInt64 / 10^k: 9 for k = 18 ... 922337203685477580 for k = 1.
constexpr auto kMaxUpThreshold = [] {
  std::array<int64_t, 19> t{};
  for (int k = 0; k < 19; ++k) t[k] = INT64_MAX / kPow10Int[k];
  return t;
}();

// Go's float64 -> uint64 conversion as compiled for amd64: exact below 2^64; 2^63 (the x86
// "integer indefinite" with the sign bit or-ed in) for f >= 2^64 and NaN. C++ leaves those UB.
inline uint64_t go_f64_to_u64(double f) {
  if (f < 9223372036854775808.0) return uint64_t(int64_t(f));  // f >= 0 here
  if (f < 18446744073709551616.0) {
    return uint64_t(int64_t(f - 9223372036854775808.0)) | (uint64_t(1) << 63);
  }
  return uint64_t(1) << 63;
}

std::pair<int64_t, int16_t> decimal_and_scale(uint64_t u) {
  int16_t scale = 0;
  while (u >= (uint64_t(1) << 55)) {
    // float64 has 53 significant bits: the low digits of a big integer are conversion noise.
    u /= 10;
    ++scale;
  }
  if (u % 10 != 0) return {int64_t(u), scale};
  u /= 10;
  ++scale;
  while (u != 0 && u % 10 == 0) {
    u /= 10;
    ++scale;
  }
  return {int64_t(u), scale};
}

std::pair<int64_t, int16_t> positive_to_decimal_slow(double f) {
  int16_t scale = 0;
  double prec = 1e12;
  if (f > 1e6 || f < 1e-6) {
    if (f > 1e6) prec = 1e15;
    int exp;
    std::frexp(f, &exp);
    if (exp < -1022) {
      exp = -1022;
    } else if (exp > 1023) {
      exp = 1023;
    }
    scale = i16(int(double(exp) * kLog10Of2));  // truncation toward zero, like Go
    f *= pow10(-int(scale));
  }
  while (f < prec) {
    // modf for 0 < f < 1e15: the integer part through int64 (exact below 2^63), and the fraction
    // f - x, which is exact; the same bits as std::modf without its call.
    const double x = double(int64_t(f));
    const double frac = f - x;
    if (frac * prec < x) {
      f = x;
      break;
    }
    if ((1 - frac) * prec < x) {
      f = x + 1;
      break;
    }
    f *= 100;
    scale = i16(scale - 2);
  }
  uint64_t u = go_f64_to_u64(f);
  if (u % 10 != 0) return {int64_t(u), scale};
  return {int64_t(u / 10), i16(scale + 1)};  // only one trailing zero is stripped here
}

std::pair<int64_t, int16_t> positive_to_decimal(double f) {
  const uint64_t u = go_f64_to_u64(f);
  if (double(u) != f) return positive_to_decimal_slow(f);
  if (u < (uint64_t(1) << 55) && u % 10 != 0) return {int64_t(u), 0};
  return decimal_and_scale(u);
}

}  // namespace

double stale_nan() { return std::bit_cast<double>(kStaleNaNBits); }

bool is_stale_nan(double f) { return std::bit_cast<uint64_t>(f) == kStaleNaNBits; }

double pow10(int n) {
  if (0 <= n && n <= 308) return kPow10PosTab32[unsigned(n) / 32] * kPow10Tab[unsigned(n) % 32];
  if (-323 <= n && n <= 0) {
    const unsigned m = unsigned(-n);
    return kPow10NegTab32[m / 32] / kPow10Tab[m % 32];
  }
  return n > 0 ? INFINITY : 0.0;
}

std::pair<int64_t, int16_t> from_float(double f) {
  if (f == 0) return {0, 0};
  if (is_stale_nan(f)) return {kVStaleNaN, 0};
  if (std::isinf(f)) return {f > 0 ? kVInfPos : kVInfNeg, 0};
  if (f > 0) {
    auto [v, e] = positive_to_decimal(f);
    if (v > kVMax) v = kVMax;
    return {v, e};
  }
  // Negative (or an ordinary NaN, which Go also sends down this branch).
  auto [v, e] = positive_to_decimal(-f);
  v = int64_t(uint64_t(0) - uint64_t(v));
  if (v < kVMin) v = kVMin;
  return {v, e};
}

int max_up_exponent(int64_t v) {
  if (v == 0 || is_special(v)) return 1024;
  if (v < 0) v = -v;  // v != MinInt64 here (special)
  // Largest k with v <= MaxInt64 / 10^k (the table is precomputed: no division on this path).
  for (int k = 18; k > 0; --k) {
    if (v <= kMaxUpThreshold[k]) return k;
  }
  return 0;
}

namespace {

bool same_bits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// Digits and exponent of f printed with `precision` significant digits (0: the shortest form that
// reads back as f), as an int64 mantissa; false when they do not fit.
bool decimal_digits(double f, int precision, int64_t* v, int16_t* e) {
  char buf[64];
  std::to_chars_result r = precision == 0 ? std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific)
                                          : std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific,
                                                          precision - 1);
  if (r.ec != std::errc()) return false;
  // d.ddddde±XX
  const char* p = buf;
  bool neg = false;
  if (*p == '-') {
    neg = true;
    ++p;
  }
  uint64_t m = 0;
  int frac = 0;
  bool dot = false;
  for (; p < r.ptr && *p != 'e'; ++p) {
    if (*p == '.') {
      dot = true;
      continue;
    }
    if (m > (uint64_t(INT64_MAX) - 9) / 10) return false;
    m = m * 10 + uint64_t(*p - '0');
    if (dot) ++frac;
  }
  if (p >= r.ptr) return false;
  int exp10 = 0;
  const char* q = p + 1;
  if (q < r.ptr && *q == '+') ++q;   // from_chars takes '-' but not '+'
  if (std::from_chars(q, r.ptr, exp10).ec != std::errc()) return false;
  int64_t mm = int64_t(m);
  int ex = exp10 - frac;
  while (mm != 0 && mm % 10 == 0) {   // the smallest mantissa, as FromFloat prefers
    mm /= 10;
    ++ex;
  }
  if (ex < INT16_MIN || ex > INT16_MAX) return false;
  *v = neg ? -mm : mm;
  *e = int16_t(ex);
  return true;
}

}  // namespace

std::pair<int64_t, int16_t> exact_decimal(double f) {
  const auto base = from_float(f);
  if (f == 0 || std::isnan(f) || std::isinf(f) || is_special(base.first)) return base;
  if (same_bits(to_float(base.first, base.second), f)) return base;
  int64_t v = 0;
  int16_t e = 0;
  if (!decimal_digits(f, 0, &v, &e)) return base;
  // The shortest digits read back as f; to_float's v * 10^e may still miss it by an ulp or two
  // (double(v) is inexact past 2^53, 10^-e past 10^22). Then the mantissas whose doubles are the
  // neighbours of double(v) are tried, at the shortest length and with up to 3 more digits.
  for (int extra = 0; extra <= 3; ++extra) {
    if (extra > 0) {
      if (v > kVMax / 10 || v < kVMin / 10 || e == INT16_MIN) break;
      v *= 10;
      e = int16_t(e - 1);
    }
    const uint64_t mag = v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v);
    const int width = std::bit_width(mag);
    const int64_t step = width > 53 ? int64_t(1) << (width - 53) : 1;   // the ulp of double(v)
    // Every mantissa within 8 ulps of double(v) (at most 8 * 2^11 of them, and only on this rare path).
    for (int64_t d = 0; d <= 8 * step; ++d) {
      for (int64_t c : {v + d, v - d}) {
        if (c > kVMax || c < kVMin || c == 0) continue;
        if (same_bits(to_float(c, e), f)) return {c, e};
      }
    }
  }
  return base;
}

int16_t append_float_to_decimal(std::vector<int64_t>& out, const double* src, size_t n, bool exact) {
  if (n == 0) return 0;
  const size_t old = out.size();
  // Fast paths of VM: all +0.0 (bit-identical: -0.0 takes the general path) or all 1.0.
  bool zeros = true, ones = true;
  for (size_t i = 0; i < n && (zeros || ones); ++i) {
    const uint64_t bits = std::bit_cast<uint64_t>(src[i]);
    zeros = zeros && bits == 0;
    ones = ones && bits == 0x3FF0000000000000ULL;
  }
  if (zeros || ones) {
    out.resize(old + n, zeros ? 0 : 1);
    return 0;
  }

  // The mantissas go straight into out; the exponents into a per-thread scratch.
  thread_local std::vector<int16_t> exps;
  exps.resize(n);
  out.resize(old + n);
  int64_t* va = out.data() + old;
  int16_t min_exp = INT16_MAX;
  for (size_t i = 0; i < n; ++i) {
    auto [v, e] = exact ? exact_decimal(src[i]) : from_float(src[i]);
    va[i] = v;
    exps[i] = e;
    if (e < min_exp && !is_special(v)) min_exp = e;
  }
  // Lower the common exponent only as far as no mantissa overflows. int16 arithmetic wraps as in
  // Go: with only special values min_exp stays 32767 and the result becomes -1024.
  int16_t down_exp = 0;
  for (size_t i = 0; i < n; ++i) {
    const int16_t up_exp = i16(exps[i] - min_exp);
    const int16_t t = i16(up_exp - max_up_exponent(va[i]));
    if (t > down_exp) down_exp = t;
  }
  min_exp = i16(min_exp + down_exp);
  for (size_t i = 0; i < n; ++i) {
    const int64_t v = va[i];
    if (is_special(v) || v == 0) continue;
    const int adj = i16(exps[i] - min_exp);
    if (adj > 0) {
      va[i] = mul_pow10(v, adj);
    } else if (adj < 0) {
      va[i] = div_pow10(v, -adj);  // truncation toward zero: precision loss
    }
  }
  if (exact && min_exp >= 280) {
    // exact_decimal's digits of a value near the double's maximum, moved to a lower common
    // exponent, can overflow to Inf in to_float's v * 10^e; the server's FromFloat digits do not
    // (they may lose digits, as every value of such a block does): take those for the block.
    for (size_t i = 0; i < n; ++i) {
      if (!is_special(va[i]) && std::isfinite(src[i]) && !std::isfinite(to_float(va[i], min_exp))) {
        out.resize(old);
        return append_float_to_decimal(out, src, n, false);
      }
    }
  }
  return min_exp;
}

int16_t calibrate_scale(std::vector<int64_t>& a, int16_t ae, std::vector<int64_t>& b, int16_t be) {
  if (ae == be) return ae;
  if (a.empty()) return be;
  if (b.empty()) return ae;
  std::vector<int64_t>* pa = &a;
  std::vector<int64_t>* pb = &b;
  if (ae < be) {
    std::swap(pa, pb);
    std::swap(ae, be);
  }
  int16_t up_exp = i16(ae - be);
  int16_t down_exp = 0;
  for (int64_t v : *pa) {
    const int16_t t = i16(up_exp - max_up_exponent(v));
    if (t > down_exp) down_exp = t;
  }
  up_exp = i16(up_exp - down_exp);
  if (up_exp > 0) {
    for (int64_t& v : *pa) {
      if (!is_special(v) && v != 0) v = mul_pow10(v, up_exp);
    }
  }
  if (down_exp > 0) {
    for (int64_t& v : *pb) {
      if (!is_special(v)) v = div_pow10(v, down_exp);
    }
  }
  return i16(be + down_exp);
}

}  // namespace vmt::decimal
