#include "ops/format.h"

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

// Go's strconv.AppendFloat(v, 'f', -1, 64): the shortest round-trip digits, placed in fixed
// notation and padded with zeros. std::to_chars(fixed) would print the exact binary value of large
// integers instead (12345678901234567168 rather than Go's 12345678901234567000), so take the
// shortest digits from the scientific form and lay them out ourselves.
void append_fixed_shortest(Bytes& out, double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, size_t(res.ptr - buf));
  size_t epos = sci.find('e');
  std::string_view mant = sci.substr(0, epos);
  int exp10 = std::atoi(std::string(sci.substr(epos + 1)).c_str());
  if (!mant.empty() && mant[0] == '-') {
    out.push_back('-');
    mant.remove_prefix(1);
  }
  std::string digits;
  for (char c : mant) if (c != '.') digits.push_back(c);
  // value = 0.d1d2...dn * 10^(exp10+1)
  int point = exp10 + 1;
  int n = int(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(size_t(-point), '0');
    out += digits;
  } else if (point >= n) {
    out += digits;
    out.append(size_t(point - n), '0');
  } else {
    out.append(digits, 0, size_t(point));
    out.push_back('.');
    out.append(digits, size_t(point), std::string::npos);
  }
}

}  // namespace

void append_int(Bytes& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

void append_export_number(Bytes& out, double v) {
  if (std::isnan(v)) { out += "null"; return; }  // convertValueToSpecialJSON: stale markers print as null
  if (std::isinf(v)) { out += v > 0 ? "\"Infinity\"" : "\"-Infinity\""; return; }
  int64_t n;
  if (as_int64(v, &n)) { append_int(out, n); return; }
  append_fixed_shortest(out, v);
}

void append_prom_number(Bytes& out, double v) {
  if (std::isnan(v)) { out += "NaN"; return; }
  if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
  int64_t n;
  if (as_int64(v, &n)) { append_int(out, n); return; }
  append_fixed_shortest(out, v);
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

void append_export_series(Bytes& out, const metric::MetricName& name, const std::vector<double>& values,
                          const std::vector<int64_t>& timestamps, const std::vector<size_t>& order) {
  out += "{\"metric\":{";
  bool first = true;
  if (!name.metric_group.empty()) {
    out += "\"__name__\":";
    append_json_string(out, name.metric_group);
    first = false;
  }
  for (const auto& t : name.tags) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, t.key);
    out.push_back(':');
    append_json_string(out, t.value);
  }
  out += "},\"values\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) out.push_back(',');
    append_export_number(out, values[order[i]]);
  }
  out += "],\"timestamps\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) out.push_back(',');
    append_int(out, timestamps[order[i]]);
  }
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
