// JSON string quoting exactly as VictoriaMetrics' export prints label names and values
// (quicktemplate's {%qz= %}, vendor/github.com/valyala/quicktemplate/jsonstring.go): \" \\ \n
// \r \t, \u003c for '<', \u0027 for ''', \u00XX (lower-case hex) for other bytes below 0x20;
// everything else, UTF-8 included, passes through unchanged.
#pragma once

#include <array>

#include "base/coding.h"

namespace vmt {

namespace json_string_internal {

// Bytes that pass through unquoted: a label is nearly always all of them, so runs of them are
// appended at once (series and export print millions of labels).
constexpr std::array<bool, 256> plain_bytes() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[size_t(c)] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '\'';
  return t;
}
inline constexpr std::array<bool, 256> kPlain = plain_bytes();

}  // namespace json_string_internal

inline void append_json_string(Bytes& out, ByteView s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && json_string_internal::kPlain[static_cast<unsigned char>(s[run])]) ++run;
    out.append(s.data() + i, run - i);
    if (run == s.size()) break;
    auto c = static_cast<unsigned char>(s[run]);
    i = run + 1;
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '<': out += "\\u003c"; break;
      case '\'': out += "\\u0027"; break;
      default:
        out += "\\u00";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
  }
  out.push_back('"');
}

}  // namespace vmt
