// Prometheus exposition line parser. Spec: prometheus-text.md §4-§8, §12.
// Mirrors lib/protoparser/prometheus/parser.go@v1.93.7-cluster branch by branch; keep the order of
// the checks, it decides which error a malformed line gets.
#include "prom/parser.h"

#include <cstring>
#include <string>

#include "prom/fastfloat.h"

namespace vmt::prom {

namespace {

// Spec §4 (parseLabels): "key = rstrip(s[:n]); if key contains '"': error". The v1.93-era Go source
// we could read has no such check (a key like `a"b` would be accepted); we follow the spec. See the
// report to the lead; flip this if the server disagrees.
constexpr bool kRejectQuoteInTagKey = true;

// Quoted fragments in error messages are capped: a line may be 256 KiB long.
constexpr size_t kMaxQuoted = 200;

inline bool is_ws(char c) { return c == ' ' || c == '\t'; }

inline ByteView lstrip(ByteView s) {
  size_t i = 0;
  while (i < s.size() && is_ws(s[i])) ++i;
  return s.substr(i);
}

inline ByteView rstrip(ByteView s) {
  size_t n = s.size();
  while (n > 0 && is_ws(s[n - 1])) --n;
  return s.substr(0, n);
}

inline size_t next_ws(ByteView s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_ws(s[i])) return i;
  }
  return ByteView::npos;
}

// Go's %q, approximately: printable ASCII as is, the usual escapes, other control bytes as \xNN.
// Bytes >= 0x80 pass through (Go would also keep valid UTF-8 and escape invalid bytes).
std::string quote(ByteView s) {
  std::string out = "\"";
  size_t n = s.size() < kMaxQuoted ? s.size() : kMaxQuoted;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\x";
          out += "0123456789abcdef"[c >> 4];
          out += "0123456789abcdef"[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  if (n < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

Status bad(std::string msg) { return invalid_argument(std::move(msg)); }

Status bad_tags(std::string msg) { return invalid_argument("cannot unmarshal tags: " + msg); }

// unescapeValue into dst (which has room for s.size() bytes). Returns the bytes written.
size_t unescape_into(char* dst, ByteView s) {
  size_t w = 0;
  size_t i = 0;
  while (i < s.size()) {
    const void* p = std::memchr(s.data() + i, '\\', s.size() - i);
    size_t n = p ? static_cast<size_t>(static_cast<const char*>(p) - s.data()) : s.size();
    std::memcpy(dst + w, s.data() + i, n - i);
    w += n - i;
    if (n == s.size()) break;
    if (n + 1 == s.size()) {  // a lone trailing backslash is kept
      dst[w++] = '\\';
      break;
    }
    char c = s[n + 1];
    switch (c) {
      case '\\': dst[w++] = '\\'; break;
      case '"': dst[w++] = '"'; break;
      case 'n': dst[w++] = '\n'; break;
      default:  // unknown escapes are not decoded: both bytes are kept
        dst[w++] = '\\';
        dst[w++] = c;
    }
    i = n + 2;
  }
  return w;
}

// Index of the first c in s, or npos. Inline: the spans are short and memchr's call overhead
// dominated the profile.
inline size_t find_byte(ByteView s, size_t from, char c) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == c) return i;
  }
  return ByteView::npos;
}

// unmarshalTags: s starts right after '{'. On success *rest is the text after the closing '}'.
Status parse_tags(ByteView s, Row& row, char* arena, size_t& arena_pos, ByteView* rest) {
  for (;;) {
    s = lstrip(s);
    if (!s.empty() && s[0] == '}') {
      *rest = s.substr(1);
      return Status::ok();
    }
    size_t n = find_byte(s, 0, '=');
    if (n == ByteView::npos) return bad_tags("missing value for tag " + quote(s));
    ByteView key = rstrip(s.substr(0, n));
    if (kRejectQuoteInTagKey && find_byte(key, 0, '"') != ByteView::npos) {
      return bad_tags("tag key " + quote(key) + " cannot contain double quotes");
    }
    s = lstrip(s.substr(n + 1));
    if (s.empty() || s[0] != '"') {
      return bad_tags("expecting quoted value for tag " + quote(key) + "; got " + quote(s));
    }
    // findClosingQuote: the first '"' preceded by an even number of backslashes. Scanning left to
    // right and skipping the byte after each backslash finds exactly that quote. Without any
    // backslash it is the next quote (Go's noEscapes fast path gives the same result).
    // Fast path (memchr twice): the next quote, with no backslash before it.
    size_t close = find_byte(s, 1, '"');
    bool escaped = close != ByteView::npos && std::memchr(s.data() + 1, '\\', close - 1) != nullptr;
    if (escaped) {
      close = 1;
      for (;;) {
        if (close >= s.size()) break;
        char c = s[close];
        if (c == '"') break;
        close += c == '\\' ? 2 : 1;
      }
    }
    if (close == ByteView::npos || close >= s.size()) {
      return bad_tags("missing closing quote for tag value " + quote(s));
    }
    ByteView value = s.substr(1, close - 1);
    s = s.substr(close + 1);
    if (escaped) {
      size_t w = unescape_into(arena + arena_pos, value);
      value = ByteView(arena + arena_pos, w);
      arena_pos += w;
    }
    if (!key.empty()) row.tags.push_back(metric::Label{key, value});  // empty keys are dropped
    s = lstrip(s);
    if (!s.empty() && s[0] == '}') {
      *rest = s.substr(1);
      return Status::ok();
    }
    if (s.empty() || s[0] != ',') {
      return bad_tags("missing comma after tag " + std::string(key) + "=" + quote(value));
    }
    s = s.substr(1);
  }
}

}  // namespace

int64_t go_float_to_int64(double t) {
  if (t >= -9223372036854775808.0 && t < 9223372036854775808.0) return static_cast<int64_t>(t);
  return INT64_MIN;
}

const char* parse_timestamp_ms(ByteView token, double* ms) {
  if (const char* why = parse_float(token, ms)) return why;
  if (*ms >= -2147483648.0 && *ms < 2147483648.0) *ms *= 1000;  // OpenMetrics seconds (§7)
  return nullptr;
}

void unescape_value_append(Bytes& out, ByteView s) {
  size_t old = out.size();
  out.resize(old + s.size());
  out.resize(old + unescape_into(out.data() + old, s));
}

Status parse_line(ByteView line, Row& row, ParseScratch& scratch) {
  row.metric = ByteView();
  row.tags.clear();
  row.value = 0;
  row.timestamp = 0;
  row.has_timestamp = false;

  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ByteView s = lstrip(line);
  if (s.empty() || s[0] == '#') return Status(Code::not_found, "skip");

  size_t n = find_byte(s, 0, '{');
  if (n != ByteView::npos) {
    // Unescaped values are never longer than their escaped text, so one line's values fit in
    // s.size() bytes and the arena never moves while views into it are handed out.
    if (scratch.arena.size() < s.size()) scratch.arena.resize(s.size());
    size_t arena_pos = 0;
    row.metric = rstrip(s.substr(0, n));
    ByteView rest;
    VMT_TRY(parse_tags(s.substr(n + 1), row, scratch.arena.data(), arena_pos, &rest));
    s = rest;
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  } else {
    n = next_ws(s);
    if (n == ByteView::npos) return bad("missing value");
    row.metric = s.substr(0, n);
    s = s.substr(n + 1);
  }
  if (row.metric.empty()) return bad("metric cannot be empty");
  s = lstrip(s);
  if (size_t hash = find_byte(s, 0, '#'); hash != ByteView::npos) s = s.substr(0, hash);  // trailing comment
  if (s.empty()) return bad("value cannot be empty");

  n = next_ws(s);
  ByteView value = n == ByteView::npos ? s : s.substr(0, n);
  if (const char* why = parse_float(value, &row.value)) {
    return bad("cannot parse value " + quote(value) + ": " + why);
  }
  if (n == ByteView::npos) return Status::ok();
  s = lstrip(s.substr(n + 1));
  if (s.empty()) return Status::ok();  // whitespace after the value, no timestamp
  s = rstrip(s);
  double t = 0;
  if (const char* why = parse_timestamp_ms(s, &t)) {
    return bad("cannot parse timestamp " + quote(s) + ": " + why);  // e.g. "2 3": inner whitespace
  }
  row.timestamp = go_float_to_int64(t);
  row.has_timestamp = true;
  return Status::ok();
}

}  // namespace vmt::prom
