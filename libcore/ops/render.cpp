#include "ops/render.h"

#include <algorithm>

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

std::string printable(ByteView s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') {
      if (c == '\\') { out += "\\\\"; continue; }
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

}  // namespace vmt::ops
