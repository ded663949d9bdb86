// Helpers of the decimal conversions shared by decimal.cpp (float -> decimal, CalibrateScale) and
// decimal_to_float.cpp (decimal -> float). Internal to encoding/. Spec: encoding.md §9.
#pragma once

#include <cmath>
#include <cstdint>

#include "encoding/decimal.h"

namespace vmt::decimal::detail {

inline constexpr int64_t kPow10Int[19] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

inline int16_t i16(int v) { return static_cast<int16_t>(v); }  // Go int16 wrap-around

// Multiplies by 10^k with Go's wrapping semantics (callers guarantee no overflow in practice).
inline int64_t mul_pow10(int64_t v, int k) {
  uint64_t u = uint64_t(v);
  while (k > 18) { u *= 10; --k; }
  return int64_t(u * uint64_t(kPow10Int[k]));
}

// k repeated truncating divisions by 10 == one truncating division by 10^k; 0 once k > 18.
inline int64_t div_pow10(int64_t v, int k) {
  return k > 18 ? 0 : v / kPow10Int[k];
}

inline double special_to_float(int64_t v) {
  if (v == kVInfPos) return INFINITY;
  if (v == kVInfNeg) return -INFINITY;
  return stale_nan();
}

}  // namespace vmt::decimal::detail
