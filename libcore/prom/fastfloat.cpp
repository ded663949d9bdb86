// fastfloat.Parse (fastjson v1.6.4), Go's math.Pow10 and the strconv.ParseFloat fallback.
// Spec: prometheus-text.md §6. Every branch below mirrors a branch of the Go code; keep the order.
#include "prom/fastfloat.h"

#include <locale.h>
#include <stdlib.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace vmt::prom {

namespace {

// Go's math.Pow10 tables (src/math/pow10.go): correctly rounded literals.
constexpr double kPow10Tab[32] = {1e00, 1e01, 1e02, 1e03, 1e04, 1e05, 1e06, 1e07, 1e08, 1e09, 1e10,
                                  1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21,
                                  1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31};
constexpr double kPow10PosTab32[10] = {1e00,  1e32,  1e64,  1e96,  1e128,
                                       1e160, 1e192, 1e224, 1e256, 1e288};
constexpr double kPow10NegTab32[11] = {1e-00,  1e-32,  1e-64,  1e-96,  1e-128, 1e-160,
                                       1e-192, 1e-224, 1e-256, 1e-288, 1e-320};

// fastfloat's float64pow10: exact powers 1e0..1e16.
constexpr double kExactPow10[17] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7, 1e8,
                                    1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Eight (four) digits at once: whether the bytes at p are all digits, and their value, first byte
// most significant (SWAR on a little-endian word). The loops below take a token's digits in such
// steps before the byte loop: a timestamp is 13 digits, a value often 7 or more.
inline bool eight_digits(const char* p, uint32_t* v) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if ((((w + 0x4646464646464646ull) | (w - 0x3030303030303030ull)) & 0x8080808080808080ull) != 0) return false;
  w -= 0x3030303030303030ull;
  w = w * 10 + (w >> 8);  // byte pairs: 10 * d0 + d1 in bytes 0, 2, 4, 6
  w = (((w & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
       (((w >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
  *v = uint32_t(w);
  return true;
}
inline bool four_digits(const char* p, uint32_t* v) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  if ((((w + 0x46464646u) | (w - 0x30303030u)) & 0x80808080u) != 0) return false;
  w -= 0x30303030u;
  w = w * 10 + (w >> 8);  // byte pairs: 10 * d0 + d1 in bytes 0 and 2
  *v = ((w & 0x00FF00FFu) * (1 + (100u << 16))) >> 16 & 0xFFFFu;
  return true;
}
// Appends the digits at s[*i..] to *d, eight then four at a time, while `more(*i)` allows (the
// byte loop after it checks the same limit digit by digit, so stopping a step later only means
// falling back a step later).
template <class More>
inline void take_digit_words(ByteView s, size_t* i, uint64_t* d, More more) {
  uint32_t v;
  while (s.size() - *i >= 8 && more(*i) && eight_digits(s.data() + *i, &v)) {
    *d = *d * 100000000 + v;
    *i += 8;
  }
  if (s.size() - *i >= 4 && more(*i) && four_digits(s.data() + *i, &v)) {
    *d = *d * 10000 + v;
    *i += 4;
  }
}
inline char lower(char c) { return static_cast<char>(c | 0x20); }

bool equal_fold(ByteView s, ByteView lower_word) {  // strings.EqualFold for ASCII words
  if (s.size() != lower_word.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_word[i]) return false;
  }
  return true;
}

double go_nan() { return std::bit_cast<double>(kGoNaNBits); }

// strconv's underscoreOK: '_' only between digits (or after a base prefix).
bool underscore_ok(ByteView s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0' &&
      (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    if (is_digit(s[i]) || (hex && lower(s[i]) >= 'a' && lower(s[i]) <= 'f')) {
      saw = '0';
      continue;
    }
    if (s[i] == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv's special(): [+-]inf, [+-]infinity, nan as a prefix; returns the prefix length or 0.
size_t go_special(ByteView s, double* out) {
  if (s.empty()) return 0;
  double sign = 1;
  size_t nsign = 0;
  ByteView t = s;
  if (t[0] == '+' || t[0] == '-') {
    if (t[0] == '-') sign = -1;
    nsign = 1;
    t.remove_prefix(1);
  }
  auto prefix_len = [](ByteView x, ByteView word) {
    size_t n = 0;
    while (n < x.size() && n < word.size() && lower(x[n]) == word[n]) ++n;
    return n;
  };
  if (!t.empty() && lower(t[0]) == 'i') {
    size_t n = prefix_len(t, "infinity");
    if (n > 3 && n < 8) n = 3;
    if (n == 3 || n == 8) {
      *out = sign * std::numeric_limits<double>::infinity();
      return nsign + n;
    }
  } else if (nsign == 0 && !t.empty() && lower(t[0]) == 'n' && prefix_len(t, "nan") == 3) {
    *out = go_nan();
    return 3;
  }
  return 0;
}

locale_t c_locale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return loc;
}

}  // namespace

double go_pow10(int n) {
  if (n >= 0 && n <= 308) return kPow10PosTab32[n / 32] * kPow10Tab[n % 32];
  if (n >= -323 && n <= 0) return kPow10NegTab32[(-n) / 32] / kPow10Tab[(-n) % 32];
  if (n > 0) return std::numeric_limits<double>::infinity();
  return 0;
}

bool go_parse_float(ByteView s, double* out, bool* range_error) {
  *range_error = false;
  double special = 0;
  if (size_t n = go_special(s, &special); n != 0) {
    if (n != s.size()) return false;
    *out = special;
    return true;
  }
  // readFloat, base 10 (a "0x" prefix is not supported: fastfloat never falls back with one).
  size_t i = 0;
  bool underscores = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i + 2 < s.size() && s[i] == '0' && lower(s[i + 1]) == 'x') return false;
  bool sawdot = false, sawdigits = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') { underscores = true; continue; }
    if (c == '.') {
      if (sawdot) break;
      sawdot = true;
      continue;
    }
    if (is_digit(c)) { sawdigits = true; continue; }
    break;
  }
  if (!sawdigits) return false;
  if (i < s.size() && lower(s[i]) == 'e') {
    ++i;
    if (i >= s.size()) return false;
    if (s[i] == '+' || s[i] == '-') ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
    for (; i < s.size() && (is_digit(s[i]) || s[i] == '_'); ++i) {
      if (s[i] == '_') underscores = true;
    }
  }
  if (underscores && !underscore_ok(s.substr(0, i))) return false;
  if (i != s.size()) return false;  // ParseFloat: trailing bytes are a syntax error

  // The syntax is now plain decimal: strtod in the C locale is correctly rounded, as Go is.
  char stack_buf[256];
  std::string heap_buf;
  char* buf = stack_buf;
  if (s.size() >= sizeof(stack_buf)) {
    heap_buf.resize(s.size() + 1);
    buf = heap_buf.data();
  }
  size_t n = 0;
  for (char c : s) {
    if (c != '_') buf[n++] = c;
  }
  buf[n] = '\0';
  double f = strtod_l(buf, nullptr, c_locale());
  if (std::isinf(f)) *range_error = true;
  *out = f;
  return true;
}

const char* parse_float(ByteView s, double* out) {
  const size_t len = s.size();
  if (len == 0) return "cannot parse float64 from empty string";
  size_t i = 0;
  const bool minus = s[0] == '-';
  if (minus) {
    ++i;
    if (i >= len) return "cannot parse float64";
  }
  // The integer part may be elided (".5"), but not together with the fraction (".", ".e1").
  if (s[i] == '.' && (i + 1 >= len || !is_digit(s[i + 1]))) {
    return "missing integer and fractional part";
  }

  // Any fallback to strconv: a range error is swallowed when the result is infinite.
  auto fallback = [&](const char* reason) -> const char* {
    double f = 0;
    bool range_error = false;
    if (!go_parse_float(s, &f, &range_error)) return reason;
    *out = f;
    return nullptr;
  };

  uint64_t d = 0;
  const size_t j = i;
  take_digit_words(s, &i, &d, [](size_t at) { return at <= 18; });
  if (i > 18) return fallback("cannot parse float64");  // may not fit in uint64
  while (i < len && is_digit(s[i])) {
    d = d * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
    if (i > 18) return fallback("cannot parse float64");  // may not fit in uint64
  }
  if (i <= j && s[i] != '.') {
    ByteView ss = s.substr(i);
    if (!ss.empty() && ss[0] == '+') ss.remove_prefix(1);
    if (equal_fold(ss, "inf") || equal_fold(ss, "infinity")) {
      *out = minus ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
      return nullptr;
    }
    if (equal_fold(ss, "nan")) {
      *out = go_nan();
      return nullptr;
    }
    return "unparsed tail left after parsing float64";
  }
  double f = static_cast<double>(d);
  if (i >= len) {  // just an integer
    *out = minus ? -f : f;
    return nullptr;
  }
  if (s[i] == '.') {
    ++i;
    if (i >= len) {
      // "5." returns here WITHOUT applying the sign: "-5." is +5 (fastfloat v1.6.4 bug, §6).
      *out = f;
      return nullptr;
    }
    const size_t k = i;
    take_digit_words(s, &i, &d, [j](size_t at) { return at - j < 17; });
    if (i - j >= 17) return fallback("cannot parse mantissa");  // the '.' counts
    while (i < len && is_digit(s[i])) {
      d = d * 10 + static_cast<uint64_t>(s[i] - '0');
      ++i;
      if (i - j >= 17) return fallback("cannot parse mantissa");  // the '.' counts
    }
    // One division of the whole mantissa (not correctly rounded in general).
    f = static_cast<double>(d) / kExactPow10[i - k];
    if (i >= len) {
      *out = minus ? -f : f;
      return nullptr;
    }
  }
  if (s[i] == 'e' || s[i] == 'E') {
    ++i;
    if (i >= len) return "cannot parse exponent";
    bool exp_minus = false;
    if (s[i] == '+' || s[i] == '-') {
      exp_minus = s[i] == '-';
      ++i;
      if (i >= len) return "cannot parse exponent";
    }
    int exp = 0;  // int16 in Go; it never exceeds 3009 here
    const size_t je = i;
    while (i < len && is_digit(s[i])) {
      exp = exp * 10 + (s[i] - '0');
      ++i;
      if (exp > 300) return fallback("cannot parse exponent");  // may be too big for float64
    }
    if (i <= je) return "cannot parse exponent";
    if (exp_minus) exp = -exp;
    f *= go_pow10(exp);
    if (i >= len) {
      *out = minus ? -f : f;
      return nullptr;
    }
  }
  return "cannot parse float64";
}

}  // namespace vmt::prom
