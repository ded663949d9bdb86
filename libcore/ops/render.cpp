#include "ops/render.h"

#include <algorithm>

#include "base/utf8.h"

namespace vmt::ops {

void append_json_line(Bytes& out, const nlohmann::ordered_json& j) {
  out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  out.push_back('\n');
}

void Table::render(Bytes& out) const {
  std::vector<size_t> width;
  for (const auto& r : rows_) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  for (const auto& r : rows_) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(width[i] - r[i].size() + 2, ' ');
    }
    out += line;
    out.push_back('\n');
  }
}

std::string printable(ByteView s) { return printable_capped(s, SIZE_MAX, true); }

std::string printable_capped(ByteView s, size_t max_bytes, bool double_backslash) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(s.size(), max_bytes) + 16);
  size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = utf8::valid_length(s.substr(i));
    if (c == '\\' && double_backslash) {
      out += "\\\\";
    } else if (n == 0 || c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  if (i < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace vmt::ops
