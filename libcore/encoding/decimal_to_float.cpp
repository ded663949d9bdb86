// Decimal -> float64: the server's conversion (decimal.AppendDecimalToFloat) for exports and
// merges, and the float whose FromFloat gives a stored decimal back (tsdb-inspect export --format
// prom, read back by tsdb-import). Spec: encoding.md §9.4-§9.5.
#include <cmath>

#include "encoding/decimal.h"
#include "encoding/decimal_internal.h"

namespace vmt::decimal {

using namespace detail;

double to_float(int64_t v, int16_t e) {
  if (is_special(v)) return special_to_float(v);
  const double f = double(v);
  // Division for negative exponents is more accurate. Go computes -e in int16: -(-32768) wraps.
  if (e < 0) return f / pow10(i16(-e));
  return f * pow10(e);
}

void append_decimal_to_float(std::vector<double>& out, const int64_t* v, size_t n, int16_t e) {
  const size_t old = out.size();
  bool zeros = true;
  for (size_t i = 0; i < n && zeros; ++i) zeros = v[i] == 0;
  if (zeros) {
    out.resize(old + n, 0.0);
    return;
  }
  out.resize(old + n);
  double* dst = out.data() + old;
  if (e == 0) {
    for (size_t i = 0; i < n; ++i) dst[i] = is_special(v[i]) ? special_to_float(v[i]) : double(v[i]);
  } else if (e < 0) {
    const double p = pow10(i16(-e));
    for (size_t i = 0; i < n; ++i) {
      dst[i] = is_special(v[i]) ? special_to_float(v[i]) : double(v[i]) / p;
    }
  } else {
    const double p = pow10(e);
    for (size_t i = 0; i < n; ++i) {
      dst[i] = is_special(v[i]) ? special_to_float(v[i]) : double(v[i]) * p;
    }
  }
}

namespace {

// The decimal without trailing zeros in its mantissa, so equal numbers compare equal.
std::pair<int64_t, int> normalized(int64_t v, int e) {
  if (v == 0) return {0, 0};
  while (v % 10 == 0) {
    v /= 10;
    ++e;
  }
  return {v, e};
}

}  // namespace

double float_for_decimal(int64_t v, int16_t e) {
  const double f = to_float(v, e);
  if (is_special(v) || v == 0 || !std::isfinite(f)) return f;
  const auto want = normalized(v, e);
  // Exact: FromFloat gives v * 10^e itself (a block of this value alone stores exactly v, e).
  auto exact = [&](double g) {
    const auto [gv, ge] = from_float(g);
    return normalized(gv, ge) == want;
  };
  // Truncation-compatible: brought to exponent e as AppendFloatToDecimal brings a value to a
  // block's common exponent (multiplied, or divided with truncation), FromFloat's mantissa is v.
  // That is how a stored value came to be when its block's scale was raised to avoid overflow.
  auto truncates_to = [&](double g) {
    const auto [gv, ge] = from_float(g);
    if (is_special(gv)) return false;
    const int d = int(ge) - int(e);
    if (d >= 0) return d <= max_up_exponent(gv) && mul_pow10(gv, d) == v;
    return -d <= 18 && div_pow10(gv, -d) == v;
  };
  if (exact(f)) return f;
  // FromFloat keeps up to 17 digits, computed in floating point, so the float a value came from
  // can lie some hundred ULPs from v * 10^e; values that need the search are rare.
  double up = f, down = f, fallback = truncates_to(f) ? f : NAN;
  for (int i = 0; i < 4096; ++i) {
    up = std::nextafter(up, INFINITY);
    if (exact(up)) return up;
    if (std::isnan(fallback) && truncates_to(up)) fallback = up;
    down = std::nextafter(down, -INFINITY);
    if (exact(down)) return down;
    if (std::isnan(fallback) && truncates_to(down)) fallback = down;
  }
  return std::isnan(fallback) ? f : fallback;
}

}  // namespace vmt::decimal
