// Number parsing exactly as VictoriaMetrics v1.93.7 parses sample values and timestamps.
//
// Spec: prometheus-text.md §6, encoding.md §9.2. Go: valyala/fastjson v1.6.4 fastfloat.Parse, which
// falls back to strconv.ParseFloat for long mantissas and big exponents; math.Pow10.
//
//   token   := ['-'] ( ['+'] ("inf" | "infinity" | "nan")  |  number )     ASCII case-insensitive
//   number  := digits ['.' [digits]] [exp] | '.' digits [exp];   exp := ('e'|'E') ['+'|'-'] digits
//
// The fast path is NOT correctly rounded: f = float64(d) / 10^k, then f *= Pow10(exp) (so "1.5e-5"
// gives ...d6a, not strtod's ...d69), and "-5." gives +5 (the sign is lost when the token ends right
// after the '.'). NaN is Go's math.NaN(), bits 0x7FF8000000000001, whatever the sign.
#pragma once

#include <cstdint>

#include "base/coding.h"

namespace vmt::prom {

constexpr uint64_t kGoNaNBits = 0x7FF8000000000001ULL;       // math.NaN()
constexpr uint64_t kStaleNaNBits = 0x7FF0000000000002ULL;    // Prometheus staleness marker

// fastfloat.Parse. Returns nullptr and sets *out on success, else a static reason (fastfloat's
// words) and leaves *out untouched.
const char* parse_float(ByteView s, double* out);

// Go's math.Pow10(n): table based, exactly Go's results (±Inf / 0 outside [-323, 308]).
double go_pow10(int n);

// strconv.ParseFloat(s, 64) for decimal input (the only input fastfloat falls back with): optional
// sign, digits with an optional '.', optional exponent, '_' between digits. Correctly rounded.
// Returns false on a syntax error; on overflow returns true with ±Inf and sets *range_error.
bool go_parse_float(ByteView s, double* out, bool* range_error);

}  // namespace vmt::prom
