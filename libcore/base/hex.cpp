#include "base/hex.h"

namespace vmt {

std::string to_hex(ByteView b, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.resize(b.size() * 2);
  for (size_t i = 0; i < b.size(); ++i) {
    uint8_t c = byte_at(b, i);
    out[2 * i] = digits[c >> 4];
    out[2 * i + 1] = digits[c & 15];
  }
  return out;
}

Result<Bytes> from_hex(ByteView hex) {
  if (hex.size() % 2 != 0) return corruption("hex string has odd length " + std::to_string(hex.size()));
  Bytes out;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return corruption("invalid hex digit at position " + std::to_string(2 * i));
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string hex16(uint64_t v) {
  static const char* digits = "0123456789ABCDEF";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[size_t(i)] = digits[v & 15];
    v >>= 4;
  }
  return out;
}

bool parse_hex16(ByteView s, uint64_t* out) {
  if (s.size() != 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    v = (v << 4) | uint64_t(d);
  }
  *out = v;
  return true;
}

}  // namespace vmt
