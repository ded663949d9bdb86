// UTF-8 as Go's unicode/utf8 defines it: the encoder, Go's DecodeRune (overlong forms, surrogates
// and values past U+10FFFF are invalid) and the validity of one sequence. Used by the JSON reader
// (go_json.h: \u escapes, invalid bytes replaced), the selector lexer (query/selector.h: \u, \U
// and \x escapes, characters copied whole) and text output (ops/render.h: invalid bytes escaped).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "base/coding.h"

namespace vmt::utf8 {

constexpr uint32_t kReplacement = 0xFFFD;   // utf8.RuneError

// Appends the encoding of rune r (<= U+10FFFF; surrogates are encoded as given).
void append(std::string& out, uint32_t r);

// The rune at the start of s and its length; (U+FFFD, 1) for an invalid or truncated sequence,
// as utf8.DecodeRuneInString returns. s must not be empty.
std::pair<uint32_t, size_t> decode_rune(ByteView s);

// The length (1..4) of the valid sequence at the start of s, or 0 when it does not start with one.
// s must not be empty.
inline size_t valid_length(ByteView s) {
  if (static_cast<unsigned char>(s[0]) < 0x80) return 1;
  const size_t n = decode_rune(s).second;
  return n > 1 ? n : 0;
}

}  // namespace vmt::utf8
