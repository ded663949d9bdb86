// Raw-pointer helpers for arrays of zig-zag varints (encoding.md §2: plain concatenations, no
// count prefix, the reader knows the count and any trailing byte is an error). Used by the ND and
// ND2 codecs; the hot loops write into pre-sized buffers and read with decode_varuint.
#pragma once

#include <cstdint>
#include <string>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"

namespace vmt::encoding::detail {

constexpr size_t kMaxVarintLen = 10;

// Writes MarshalVarInt64(v) at p (room for 10 bytes); returns the end.
inline char* write_varint(char* p, int64_t v) {
  uint64_t u = zigzag64(v);
  while (u > 0x7f) {
    *p++ = static_cast<char>(u | 0x80);
    u >>= 7;
  }
  *p++ = static_cast<char>(u);
  return p;
}

// Reads one zig-zag varint from [*p, end). Returns false on truncated or over-long input.
inline bool read_varint(const char** p, const char* end, int64_t* v) {
  const char* q = *p;
  if (q != end && static_cast<uint8_t>(*q) < 0x80) {  // one-byte fast path: the common case
    *v = unzigzag64(static_cast<uint8_t>(*q));
    *p = q + 1;
    return true;
  }
  uint64_t u;
  int k = decode_varuint(q, size_t(end - q), &u);
  if (k <= 0) return false;
  *v = unzigzag64(u);
  *p = q + k;
  return true;
}

// "cannot unmarshal varint #i of n at offset k: <why>"
Status bad_varint(size_t index, size_t count, const char* at, const char* begin, const char* end);
Status trailing_bytes(size_t count, size_t data_size, size_t tail);

}  // namespace vmt::encoding::detail
