#include "ops/format.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cmath>
#include <cstdlib>
#include <string>

namespace vmt::ops {

namespace {

// Go: n := int(f); if float64(n) == f { print n }. int() of a value outside int64 is
// implementation-defined in Go (amd64 yields MinInt64), which never compares equal, so only
// integral values inside the int64 range take the integer path.
bool as_int64(double v, int64_t* out) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return false;
  int64_t n = static_cast<int64_t>(v);
  if (static_cast<double>(n) != v) return false;
  *out = n;
  return true;
}

// Digits d1..dn of a value 0.d1d2...dn * 10^point in Go's 'f' layout: "0.000ddd" when point <= 0,
// "ddd000" when point >= n, else "dd.ddd".
char* lay_out(char* w, const char* digits, int n, int point) {
  // A few bytes each: plain loops, not memmove calls.
  auto copy = [&](const char* from, int count) {
    for (int i = 0; i < count; ++i) *w++ = from[i];
  };
  auto zeros = [&](int count) {
    for (int i = 0; i < count; ++i) *w++ = '0';
  };
  if (point <= 0) {
    *w++ = '0';
    *w++ = '.';
    zeros(-point);
    copy(digits, n);
  } else if (point >= n) {
    copy(digits, n);
    zeros(point - n);
  } else {
    copy(digits, point);
    *w++ = '.';
    copy(digits + point, n - point);
  }
  return w;
}

// Go's strconv.AppendFloat(v, 'f', -1, 64): the shortest round-trip digits, placed in fixed
// notation and padded with zeros. std::to_chars(fixed) would print the exact binary value of large
// integers instead (12345678901234567168 rather than Go's 12345678901234567000), so take the
// shortest digits from the scientific form and lay them out ourselves.
char* write_fixed_shortest(char* w, double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  // buf: [-]d[.ddd]e(+|-)dd
  const char* p = buf;
  if (*p == '-') {
    *w++ = '-';
    ++p;
  }
  char digits[32];
  int n = 0;
  for (; p < res.ptr && *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  int exp10 = 0;
  bool neg = false;
  if (p < res.ptr) ++p;  // 'e'
  if (p < res.ptr && (*p == '+' || *p == '-')) neg = *p++ == '-';
  for (; p < res.ptr; ++p) exp10 = exp10 * 10 + (*p - '0');
  if (neg) exp10 = -exp10;
  // value = 0.d1d2...dn * 10^(exp10+1)
  return lay_out(w, digits, n, exp10 + 1);
}

// Most stored values are short decimals (storage keeps a value's decimal mantissa), which come back
// as v = m / 10^k. When double(m) / 10^k == v with |m| < 2^53 and k <= 22, that one division is
// correctly rounded, so v is the double nearest to m·10^-k; and when m has at most 15 significant
// digits, no shorter decimal rounds to v (two decimals of 15 digits never share a double), so the
// shortest round-trip digits of v, what AppendFloat(v, 'f', -1, 64) prints, are m's. Tried for k up
// to 9; null when none fits, and write_fixed_shortest does the general case.
char* write_short_decimal(char* w, double v) {
  static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
  for (int k = 1; k <= 9; ++k) {
    const double scaled = v * kPow10[k];
    if (!(std::fabs(scaled) < 9007199254740992.0)) return nullptr;
    int64_t m = std::llround(scaled);
    if (double(m) / kPow10[k] != v) continue;
    int after_point = k;
    while (m % 10 == 0 && after_point > 0) m /= 10, --after_point;
    char digits[24];
    const int n = int(std::to_chars(digits, digits + sizeof(digits), m < 0 ? -m : m).ptr - digits);
    if (n > 15) return nullptr;
    if (m < 0) *w++ = '-';
    return lay_out(w, digits, n, n - after_point);
  }
  return nullptr;
}

// A finite value as both forms print it: Go's {%f= %} / AppendFloat(v, 'f', -1, 64).
char* write_finite(char* w, double v) {
  int64_t n;
  if (as_int64(v, &n)) return std::to_chars(w, w + 24, n).ptr;
  if (char* e = write_short_decimal(w, v)) return e;
  return write_fixed_shortest(w, v);
}

char* write_export_number(char* w, double v) {
  if (std::isnan(v)) return std::copy_n("null", 4, w);  // convertValueToSpecialJSON: stale markers print as null
  if (std::isinf(v)) return v > 0 ? std::copy_n("\"Infinity\"", 10, w) : std::copy_n("\"-Infinity\"", 11, w);
  return write_finite(w, v);
}

char* write_prom_number(char* w, double v) {
  if (std::isnan(v)) return std::copy_n("NaN", 3, w);
  if (std::isinf(v)) return v > 0 ? std::copy_n("+Inf", 4, w) : std::copy_n("-Inf", 4, w);
  return write_finite(w, v);
}

}  // namespace

void append_int(Bytes& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

void append_export_number(Bytes& out, double v) {
  char buf[kMaxNumberBytes];
  out.append(buf, write_export_number(buf, v));
}

void append_prom_number(Bytes& out, double v) {
  char buf[kMaxNumberBytes];
  out.append(buf, write_prom_number(buf, v));
}

void append_prom_label_value(Bytes& out, ByteView s) {
  out.push_back('"');
  for (char ch : s) {
    switch (ch) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(ch);
    }
  }
  out.push_back('"');
}

void append_export_series(Bytes& out, ByteView labels_json, const std::vector<double>& values,
                          const std::vector<int64_t>& timestamps, const std::vector<size_t>& order) {
  out += "{\"metric\":{";
  out += labels_json;
  out += "},\"values\":[";
  // The numbers go through a stack buffer, a few KB at a time into out (two appends a sample
  // cost more than formatting it).
  char buf[8192];
  char* w = buf;
  auto room = [&] {
    if (w + kMaxNumberBytes + 1 > buf + sizeof buf) out.append(buf, w), w = buf;
  };
  for (size_t i = 0; i < order.size(); ++i) {
    room();
    if (i) *w++ = ',';
    w = write_export_number(w, values[order[i]]);
  }
  out.append(buf, w), w = buf;
  out += "],\"timestamps\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    room();
    if (i) *w++ = ',';
    w = std::to_chars(w, w + 24, timestamps[order[i]]).ptr;
  }
  out.append(buf, w);
  out += "]}\n";
}

void append_prom_series(Bytes& out, const metric::MetricName& name, const std::vector<double>& values,
                        const std::vector<int64_t>& timestamps, const std::vector<size_t>& order) {
  Bytes prefix(name.metric_group);
  if (!name.tags.empty()) {
    prefix.push_back('{');
    for (size_t i = 0; i < name.tags.size(); ++i) {
      if (i) prefix.push_back(',');
      prefix += name.tags[i].key;
      prefix.push_back('=');
      append_prom_label_value(prefix, name.tags[i].value);
    }
    prefix.push_back('}');
  }
  for (size_t i : order) {
    out += prefix;
    out.push_back(' ');
    append_prom_number(out, values[i]);
    out.push_back(' ');
    append_int(out, timestamps[i]);
    out.push_back('\n');
  }
}

namespace {

// Any canonical name: decoded string by string.
Status append_labels_json_slow(Bytes& out, ByteView canonical, metric::Tenancy t) {
  const size_t mark = out.size();
  bool first = true;
  auto field = [&](ByteView k, ByteView v) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
    append_json_string(out, v);
  };
  Status st = metric::walk_canonical(
      canonical, t, [&](ByteView group) { if (!group.empty()) field("__name__", group); }, field);
  if (!st.is_ok()) out.resize(mark);
  return st;
}

}  // namespace

Status append_labels_json(Bytes& out, ByteView canonical, metric::Tenancy t) {
  const size_t head = t == metric::Tenancy::kCluster ? 8 : 0;
  if (canonical.size() < head) return append_labels_json_slow(out, canonical, t);
  ByteView s = canonical.substr(head);
  // The usual name: no escapes (0x00) and nothing JSON quotes, so each string is its bytes up to
  // its 0x01 terminator, and the object is at most the name plus 3 bytes a string and 11 more
  // ("__name__":). Written on the stack, then appended; anything else takes the slow path.
  char buf[4096];
  if (4 * s.size() + 11 > sizeof buf) return append_labels_json_slow(out, canonical, t);
  char* w = buf;
  size_t start = 0, strings = 0;
  auto put = [&](ByteView v) {
    std::memcpy(w, v.data(), v.size());
    w += v.size();
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (json_string_internal::kPlain[c]) continue;
    if (c != static_cast<unsigned char>(metric::kTagSeparatorChar)) break;
    ByteView str = s.substr(start, i - start);
    if (strings == 0) {  // the metric group
      if (!str.empty()) {
        put("\"__name__\":\"");
        put(str);
        *w++ = '"';
      }
    } else if (strings % 2 == 1) {  // a tag key
      if (w != buf) *w++ = ',';
      *w++ = '"';
      put(str);
      put("\":");
    } else {  // its value
      *w++ = '"';
      put(str);
      *w++ = '"';
    }
    ++strings;
    start = i + 1;
  }
  // Not all done: an escape or a byte to quote, an unterminated string, or a key without its value.
  if (start != s.size() || strings % 2 == 0) return append_labels_json_slow(out, canonical, t);
  out.append(buf, size_t(w - buf));
  return Status::ok();
}

}  // namespace vmt::ops
