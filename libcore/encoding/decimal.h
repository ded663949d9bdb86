// Decimal: float64 values <-> int64 mantissas with one common exponent per block.
//
// Spec: encoding.md §9 (lib/decimal/decimal.go). A block stores values as mantissas v[i] plus the
// int16 Scale of its block header; the value is v[i] * 10^Scale. The conversion is lossy and
// depends on the other values of the block (§9.4, §9.7). Three mantissas are special and never
// scaled: +Inf, the Prometheus stale marker and -Inf.
//
// Everything here reproduces Go bit for bit: int16 wrap-around (Scale -1024 for blocks of only
// special values), math.Pow10's tables, the exact LOG10_2 constant, and amd64 float->uint64
// conversion for inputs >= 2^64. Requires -ffp-contract=off (the Makefile sets it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace vmt::decimal {

constexpr int64_t kVInfPos = INT64_MAX;         // +Inf
constexpr int64_t kVStaleNaN = INT64_MAX - 1;   // Prometheus staleness marker
constexpr int64_t kVInfNeg = INT64_MIN;         // -Inf
constexpr int64_t kVMax = INT64_MAX - 2;        // largest ordinary mantissa
constexpr int64_t kVMin = INT64_MIN + 1;        // smallest ordinary mantissa
constexpr uint64_t kStaleNaNBits = 0x7FF0000000000002ULL;

double stale_nan();                   // the float with bits kStaleNaNBits
bool is_stale_nan(double f);          // all 64 bits compared; other NaNs are not stale
inline bool is_special(int64_t v) { return v > kVMax || v < kVMin; }

double pow10(int n);                  // Go math.Pow10 exactly (table-driven, not pow())

// FromFloat: one float -> (mantissa, exponent), minimizing the mantissa. Ordinary NaNs are not
// representable (VM drops them before this); they give (kVMin, 0), as Go on amd64 does.
std::pair<int64_t, int16_t> from_float(double f);

// A decimal whose to_float is f bit for bit, when one of at most 18 digits exists: from_float's
// when it is one, else f's shortest round-trip digits or their neighbours, else mantissas with up
// to 3 more digits around them; failing all (magnitudes near 10^±300, where to_float's 10^-e
// leaves the double range), from_float's. Not the server's conversion: the import
// of JSON lines uses it so that a value printed by /api/v1/export comes back as that same float
// (the server's FromFloat drifts in the last digits, more on every round trip).
std::pair<int64_t, int16_t> exact_decimal(double f);

// AppendFloatToDecimal: appends n mantissas to out and returns their common exponent (Scale),
// including the -1024 quirk for blocks where every value is special. exact: each value through
// exact_decimal instead of from_float (the common exponent is chosen the same way).
int16_t append_float_to_decimal(std::vector<int64_t>& out, const double* src, size_t n, bool exact = false);

// ToFloat: v * 10^e, special mantissas to +Inf / stale NaN / -Inf.
double to_float(int64_t v, int16_t e);

// AppendDecimalToFloat: like to_float for each item, except that an all-zero block gives zeros
// whatever e is (to_float(0, 400) is NaN: 0 * Inf).
void append_decimal_to_float(std::vector<double>& out, const int64_t* v, size_t n, int16_t e);

// A float that FromFloat maps back to the value v * 10^e (the same number, whatever the trailing
// zeros): to_float(v, e) when it does, else the nearest such float within 4096 ULPs; failing that,
// the nearest whose FromFloat mantissa, brought to exponent e with truncation as a block's common
// scale brings it, is v (how values of a block with a raised scale are stored); else to_float.
// Printed with the shortest round-trip form, it makes export -> import keep stored values exact.
double float_for_decimal(int64_t v, int16_t e);

// CalibrateScale: brings a (exponent ae) and b (exponent be) to one exponent, in place, preferring
// to upscale the block with the larger exponent; downscales (lossy) only to avoid overflow.
int16_t calibrate_scale(std::vector<int64_t>& a, int16_t ae, std::vector<int64_t>& b, int16_t be);

// maxUpExponent: how many times v can be multiplied by 10 without overflow (1024 for 0 and the
// special values).
int max_up_exponent(int64_t v);

}  // namespace vmt::decimal
