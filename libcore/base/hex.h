// Hex digits and strings: metadata.json FirstItem/LastItem (lower case on write, either case on read),
// part names (%016X) and dumps.
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt {

// The value of one hex digit of either case, or -1.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(ByteView b, bool upper = false);
Result<Bytes> from_hex(ByteView hex);
std::string hex16(uint64_t v);  // "%016X": part and generation names
// Parses exactly 16 upper-case hex digits (the names vmstorage generates).
bool parse_hex16(ByteView s, uint64_t* out);

}  // namespace vmt
