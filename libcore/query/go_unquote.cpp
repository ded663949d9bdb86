// Go's strconv.Unquote, as MetricsQL's lexer applies it to a selector's quoted label values
// (query/go_unquote.h).
#include "query/go_unquote.h"

#include <algorithm>

#include "base/hex.h"
#include "base/utf8.h"

namespace vmt::query {

Result<std::string> unquote_go(std::string_view text, size_t* pos) {
  const char q = text[*pos];
  size_t i = *pos + 1;
  std::string out;
  if (q == '`') {
    size_t end = text.find('`', i);
    if (end == std::string_view::npos) return invalid_argument("unterminated raw string");
    out.assign(text.substr(i, end - i));
    out.erase(std::remove(out.begin(), out.end(), '\r'), out.end());  // Go drops \r in raw strings
    *pos = end + 1;
    return out;
  }
  for (;;) {
    if (i >= text.size()) return invalid_argument("unterminated string");
    char c = text[i];
    if (c == q) break;
    if (c == '\n') return invalid_argument("newline in string");
    if (c != '\\') {
      // MetricsQL turns '...' into "..." by escaping '"', so a '"' inside it is literal.
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return invalid_argument("unterminated string");
    char e = text[i + 1];
    i += 2;
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': out.push_back('\\'); break;
      case '"':
        // In '...' MetricsQL rewrites the '"' of `\"` to `\"` too, so Go reads `\\` then `"` ends the
        // string: refuse it rather than guess.
        if (q == '\'') return invalid_argument("\\\" in a single-quoted string");
        out.push_back('"');
        break;
      case '\'':
        if (q != '\'') return invalid_argument("invalid escape \\' in a double-quoted string");
        out.push_back('\'');
        break;
      case 'x': case 'u': case 'U': {
        size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + digits > text.size()) return invalid_argument(std::string("short \\") + e + " escape");
        uint32_t v = 0;
        for (size_t k = 0; k < digits; ++k) {
          int h = hex_value(text[i + k]);
          if (h < 0) return invalid_argument(std::string("invalid \\") + e + " escape");
          v = v * 16 + uint32_t(h);
        }
        i += digits;
        if (e == 'x') {
          out.push_back(char(v));  // a raw byte, as Go's \x
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) return invalid_argument("invalid Unicode code point in escape");
          utf8::append(out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 2 > text.size()) return invalid_argument("short octal escape");
          uint32_t v = uint32_t(e - '0');
          for (size_t k = 0; k < 2; ++k) {
            char d = text[i + k];
            if (d < '0' || d > '7') return invalid_argument("invalid octal escape");
            v = v * 8 + uint32_t(d - '0');
          }
          if (v > 255) return invalid_argument("octal escape value > 255");
          i += 2;
          out.push_back(char(v));
          break;
        }
        return invalid_argument(std::string("invalid escape \\") + e);
    }
  }
  *pos = i + 1;
  return out;
}

}  // namespace vmt::query
