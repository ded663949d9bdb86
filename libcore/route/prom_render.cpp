// Exposition lines that VM parses back exactly. Spec: prometheus-text.md §4, §6, §7.
#include "route/prom_render.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "prom/fastfloat.h"
#include "prom/parser.h"

namespace vmt::route {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t'; }

bool same_bits(double a, double b) {
  uint64_t x, y;
  std::memcpy(&x, &a, 8);
  std::memcpy(&y, &b, 8);
  return x == y;
}

// A tag name that unmarshalTags reads back unchanged after '{' or ','.
bool renderable_name(ByteView n) {
  if (n.empty() || is_ws(n.front()) || is_ws(n.back()) || n.front() == '}') return false;
  for (char c : n) {
    if (c == '=' || c == '"' || c == '\n') return false;
  }
  return true;
}

// A metric name that Row.unmarshal reads back unchanged. *braces: the labelled form is needed.
bool renderable_metric(ByteView m, bool* braces) {
  if (m.empty() || is_ws(m.front()) || is_ws(m.back()) || m.front() == '#') return false;
  for (char c : m) {
    if (c == '{' || c == '\n') return false;
    if (is_ws(c)) *braces = true;
  }
  // A bare name ending in '\r' followed by ' ' is fine: only the line's last '\r' is dropped.
  return true;
}

void append_escaped(Bytes& out, ByteView v) {
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(v.data() + start, i - start);
    out.push_back('\\');
    out.push_back(c == '\n' ? 'n' : c);
    start = i + 1;
  }
  out.append(v.data() + start, v.size() - start);
}

// The timestamp the parser makes of a token (prom::parse_timestamp_ms, truncated); false also when
// it is out of int64's range, where the parser would make INT64_MIN of it.
bool parsed_timestamp(ByteView tok, int64_t* out) {
  double t;
  if (prom::parse_timestamp_ms(tok, &t) != nullptr) return false;
  if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0)) return false;
  *out = static_cast<int64_t>(t);
  return true;
}

}  // namespace

void append_value_token(Bytes& out, double value) {
  if (std::isnan(value)) {
    out.append("NaN");  // fastfloat gives Go's NaN bits; a text input never holds other NaNs
    return;
  }
  if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
  ByteView tok(buf, static_cast<size_t>(r.ptr - buf));
  // Up to 15 digits and no exponent, fastfloat computes digits / 10^k with both exact, a correctly
  // rounded division: the shortest form then reads back exactly without checking.
  size_t digits = 0;
  bool exponent = false;
  for (char c : tok) {
    digits += c >= '0' && c <= '9';
    exponent |= c == 'e';
  }
  if (!exponent && digits <= 15) {
    out.append(tok);
    return;
  }
  double back;
  if (prom::parse_float(tok, &back) == nullptr && same_bits(back, value)) {
    out.append(tok);
    return;
  }
  // fastfloat's fast path is not correctly rounded (1.5e-05 -> ...d6a); 17 significant digits
  // send it to strconv.ParseFloat, which is.
  r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific, 16);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
}

void append_timestamp_token(Bytes& out, int64_t ts) {
  char buf[48];
  if (ts < -2147483648LL || ts >= 2147483648LL) {
    auto r = std::to_chars(buf, buf + sizeof buf, ts);
    out.append(buf, static_cast<size_t>(r.ptr - buf));
    return;
  }
  // VM would read an integer this small as seconds: write seconds (with milliseconds). The product
  // (d / 1000) * 1000 may land just below d and truncate to d - 1; half a millisecond more never
  // changes the truncated result otherwise.
  uint64_t mag = ts < 0 ? uint64_t(-(ts + 1)) + 1 : uint64_t(ts);
  for (int form = 0; form < 3; ++form) {
    const auto secs = static_cast<unsigned long long>(mag / 1000), ms = static_cast<unsigned long long>(mag % 1000);
    if (form == 0 && ms != 0) continue;  // whole seconds: exact as they are
    int n = form == 0 ? std::snprintf(buf, sizeof buf, "%s%llu", ts < 0 ? "-" : "", secs)
                      : std::snprintf(buf, sizeof buf, "%s%llu.%03llu%s", ts < 0 ? "-" : "", secs, ms, form == 2 ? "5" : "");
    ByteView tok(buf, static_cast<size_t>(n));
    int64_t back;
    if (parsed_timestamp(tok, &back) && back == ts) {
      out.append(tok);
      return;
    }
  }
  // Not reached for |ts| < 2^31 ms (checked exhaustively at the edges in the tests); keep the
  // seconds form rather than an integer that would be off by a factor of 1000.
  int n = std::snprintf(buf, sizeof buf, "%s%llu.%03llu5", ts < 0 ? "-" : "", static_cast<unsigned long long>(mag / 1000),
                        static_cast<unsigned long long>(mag % 1000));
  out.append(buf, static_cast<size_t>(n));
}

bool render_prom_line(Bytes& out, const std::vector<metric::Label>& labels, size_t kept, double value,
                      int64_t timestamp_ms) {
  if (kept > labels.size()) kept = labels.size();
  size_t metric_at = kept;
  size_t n_tags = 0;
  for (size_t i = 0; i < kept; ++i) {
    const auto& l = labels[i];
    if (l.value.empty()) continue;  // not in the raw name
    if (metric_at == kept && l.name.empty()) {
      metric_at = i;
      continue;
    }
    if (!l.name.empty() && !renderable_name(l.name)) return false;
    ++n_tags;
  }
  if (metric_at == kept) return false;  // no metric name left in the raw name
  bool braces = n_tags > 0;
  if (!renderable_metric(labels[metric_at].value, &braces)) return false;

  out.append(labels[metric_at].value);
  if (braces) {
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < kept; ++i) {
      const auto& l = labels[i];
      if (i == metric_at || l.value.empty()) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(l.name.empty() ? ByteView("__name__") : l.name);
      out.append("=\"");
      append_escaped(out, l.value);
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  append_value_token(out, value);
  if (timestamp_ms != 0) {
    out.push_back(' ');
    append_timestamp_token(out, timestamp_ms);
  }
  out.push_back('\n');
  return true;
}

}  // namespace vmt::route
