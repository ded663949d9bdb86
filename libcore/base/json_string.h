// JSON string quoting exactly as VictoriaMetrics' export prints label names and values
// (quicktemplate's {%qz= %}, vendor/github.com/valyala/quicktemplate/jsonstring.go): \" \\ \n
// \r \t, \u003c for '<', \u0027 for ''', \u00XX (lower-case hex) for other bytes below 0x20;
// everything else, UTF-8 included, passes through unchanged.
#pragma once

#include "base/coding.h"

namespace vmt {

inline void append_json_string(Bytes& out, ByteView s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '<': out += "\\u003c"; break;
      case '\'': out += "\\u0027"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace vmt
