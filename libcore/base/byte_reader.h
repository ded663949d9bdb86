// ByteReader: a bounds-checked cursor over a ByteView.
//
// Every read checks that enough bytes remain and fails with out_of_range naming the field, the
// offset and how many bytes were needed, e.g.
//   "cannot read itemsCount (u32) at offset 81: need 4 bytes, have 3".
// `base` is added to reported offsets so a reader over a slice of a file reports file offsets.
//
// Spec: encoding.md §1 (fixed-width big-endian, zig-zag signed), §2 (varints: at most 10 bytes,
// the 10th byte must not have the continuation bit).
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt {

class ByteReader {
 public:
  explicit ByteReader(ByteView data, uint64_t base = 0) : data_(data), base_(base) {}

  size_t pos() const { return pos_; }
  uint64_t offset() const { return base_ + pos_; }   // absolute offset of the next byte
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  ByteView rest() const { return data_.substr(pos_); }
  ByteView data() const { return data_; }

  Result<uint8_t> u8(const char* field);
  Result<uint16_t> u16(const char* field);
  Result<uint32_t> u32(const char* field);
  Result<uint64_t> u64(const char* field);
  Result<int16_t> zz_i16(const char* field);  // UnmarshalInt16
  Result<int64_t> zz_i64(const char* field);  // UnmarshalInt64
  Result<uint64_t> varuint(const char* field);
  Result<int64_t> varint(const char* field);
  Result<ByteView> take(size_t n, const char* field);       // n raw bytes
  Result<ByteView> bytes(const char* field, size_t max_len);  // varuint len + bytes (len <= max_len)
  Status skip(size_t n, const char* field);

  // An error located at the current offset: "offset N: what".
  Status error_here(Code code, const std::string& what) const;

 private:
  Status need(size_t n, const char* field, const char* type) const;

  ByteView data_;
  uint64_t base_;
  size_t pos_ = 0;
};

// Decodes one LEB128 value from p[0..n). Returns bytes consumed, 0 if truncated/empty, or
// -1 if it is longer than 10 bytes. Hot loops use this directly.
inline int decode_varuint(const char* p, size_t n, uint64_t* out) {
  uint64_t u = 0;
  unsigned shift = 0;
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = static_cast<uint8_t>(p[i]);
    // encoding.md §2 (verified on v1.93.7): a 10th byte with the continuation bit fails; its
    // bits above bit 63 are silently dropped (lib/encoding's loop, not binary.Uvarint).
    if (i == 9 && c >= 0x80) return -1;
    u |= uint64_t(c & 0x7f) << shift;
    if (c < 0x80) { *out = u; return int(i + 1); }
    shift += 7;
  }
  return n >= 10 ? -1 : 0;
}

}  // namespace vmt
