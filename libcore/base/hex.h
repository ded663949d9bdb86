// Hex strings: metadata.json FirstItem/LastItem (lower case on write, either case on read),
// part names (%016X) and dumps.
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt {

std::string to_hex(ByteView b, bool upper = false);
Result<Bytes> from_hex(ByteView hex);
std::string hex16(uint64_t v);  // "%016X": part and generation names
// Parses exactly 16 upper-case hex digits (the names vmstorage generates).
bool parse_hex16(ByteView s, uint64_t* out);

}  // namespace vmt
