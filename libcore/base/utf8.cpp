#include "base/utf8.h"

namespace vmt::utf8 {

void append(std::string& out, uint32_t r) {
  if (r < 0x80) {
    out.push_back(char(r));
  } else if (r < 0x800) {
    out.push_back(char(0xC0 | (r >> 6)));
    out.push_back(char(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out.push_back(char(0xE0 | (r >> 12)));
    out.push_back(char(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(char(0x80 | (r & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (r >> 18)));
    out.push_back(char(0x80 | ((r >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((r >> 6) & 0x3F)));
    out.push_back(char(0x80 | (r & 0x3F)));
  }
}

std::pair<uint32_t, size_t> decode_rune(ByteView s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  // The lead byte says the length; the second byte's range excludes overlong forms (E0, F0),
  // surrogates (ED) and values past U+10FFFF (F4).
  size_t n;
  uint32_t r;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    r = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    r = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    r = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return {kReplacement, 1};
  }
  if (s.size() < n) return {kReplacement, 1};
  for (size_t i = 1; i < n; ++i) {
    const unsigned char cc = b(i);
    if (cc < (i == 1 ? lo : 0x80) || cc > (i == 1 ? hi : 0xBF)) return {kReplacement, 1};
    r = (r << 6) | (cc & 0x3F);
  }
  return {r, n};
}

}  // namespace vmt::utf8
