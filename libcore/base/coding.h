// Bytes, byte views and the primitive integer encodings every VictoriaMetrics file uses.
//
// Spec: encoding.md §1 (fixed-width, big-endian, zig-zag for signed) and §2 (LEB128 varints).
// Fixed-width integers are BIG-endian so that byte order sorts like the numbers; signed fixed-width
// fields (MinTimestamp, Scale, ...) are zig-zag encoded first:  u = (v << 1) ^ (v >> 63).
//
// Bytes is std::string (owned buffer, appended to by encoders); ByteView is std::string_view.
// std::char_traits<char> compares as unsigned char, so ByteView ordering is memcmp order: the
// byte-wise order of mergeset items and marshaled TSIDs.
//
// Encoders append to a buffer the caller owns and never fail. Decoders live in ByteReader
// (byte_reader.h), which checks every bound.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vmt {

using Bytes = std::string;
using ByteView = std::string_view;

inline uint8_t byte_at(ByteView v, size_t i) { return static_cast<uint8_t>(v[i]); }

// ---- zig-zag ---------------------------------------------------------------------------------
inline uint64_t zigzag64(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag64(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}
inline uint16_t zigzag16(int16_t v) {
  return static_cast<uint16_t>((static_cast<uint16_t>(v) << 1) ^ static_cast<uint16_t>(v >> 15));
}
inline int16_t unzigzag16(uint16_t u) {
  return static_cast<int16_t>((u >> 1) ^ static_cast<uint16_t>(~(u & 1) + 1));
}

// ---- fixed-width big-endian: load from raw pointers (caller checked the bounds) ---------------
inline uint16_t load_u16(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}
inline uint32_t load_u32(const char* p) {
  const auto* b = reinterpret_cast<const uint8_t*>(p);
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
}
inline uint64_t load_u64(const char* p) {
  return (uint64_t(load_u32(p)) << 32) | load_u32(p + 4);
}
inline void store_u16(char* p, uint16_t v) {
  p[0] = char(v >> 8); p[1] = char(v);
}
inline void store_u32(char* p, uint32_t v) {
  p[0] = char(v >> 24); p[1] = char(v >> 16); p[2] = char(v >> 8); p[3] = char(v);
}
inline void store_u64(char* p, uint64_t v) {
  store_u32(p, uint32_t(v >> 32)); store_u32(p + 4, uint32_t(v));
}

// ---- appenders ---------------------------------------------------------------------------------
inline void put_u8(Bytes& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
inline void put_u16(Bytes& out, uint16_t v) { char b[2]; store_u16(b, v); out.append(b, 2); }
inline void put_u32(Bytes& out, uint32_t v) { char b[4]; store_u32(b, v); out.append(b, 4); }
inline void put_u64(Bytes& out, uint64_t v) { char b[8]; store_u64(b, v); out.append(b, 8); }
inline void put_zz_i16(Bytes& out, int16_t v) { put_u16(out, zigzag16(v)); }   // MarshalInt16
inline void put_zz_i64(Bytes& out, int64_t v) { put_u64(out, zigzag64(v)); }   // MarshalInt64

// MarshalVarUint64: unsigned LEB128, 1..10 bytes.
inline void put_varuint(Bytes& out, uint64_t u) {
  char buf[10];
  int n = 0;
  while (u > 0x7f) { buf[n++] = static_cast<char>((u & 0x7f) | 0x80); u >>= 7; }
  buf[n++] = static_cast<char>(u);
  out.append(buf, n);
}
// MarshalVarInt64: zig-zag then LEB128 (protobuf sint64).
inline void put_varint(Bytes& out, int64_t v) { put_varuint(out, zigzag64(v)); }
// MarshalBytes: varuint(len) + bytes.
inline void put_bytes(Bytes& out, ByteView b) { put_varuint(out, b.size()); out.append(b); }

// Length of the common prefix of two byte strings.
inline size_t common_prefix_len(ByteView a, ByteView b) {
  size_t n = a.size() < b.size() ? a.size() : b.size();
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace vmt
