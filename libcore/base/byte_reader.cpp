#include "base/byte_reader.h"

namespace vmt {

const char* code_name(Code c) {
  switch (c) {
    case Code::ok: return "ok";
    case Code::corruption: return "corruption";
    case Code::out_of_range: return "out of range";
    case Code::invalid_argument: return "invalid argument";
    case Code::not_found: return "not found";
    case Code::io_error: return "I/O error";
    case Code::unsupported: return "unsupported";
  }
  return "unknown";
}

Status ByteReader::error_here(Code code, const std::string& what) const {
  return Status(code, "offset " + std::to_string(offset()) + ": " + what);
}

Status ByteReader::need(size_t n, const char* field, const char* type) const {
  if (remaining() >= n) return Status::ok();
  return out_of_range("cannot read " + std::string(field) + " (" + type + ") at offset " +
                      std::to_string(offset()) + ": need " + std::to_string(n) + " bytes, have " +
                      std::to_string(remaining()));
}

Result<uint8_t> ByteReader::u8(const char* field) {
  VMT_TRY(need(1, field, "u8"));
  return static_cast<uint8_t>(data_[pos_++]);
}

Result<uint16_t> ByteReader::u16(const char* field) {
  VMT_TRY(need(2, field, "u16"));
  uint16_t v = load_u16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

Result<uint32_t> ByteReader::u32(const char* field) {
  VMT_TRY(need(4, field, "u32"));
  uint32_t v = load_u32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

Result<uint64_t> ByteReader::u64(const char* field) {
  VMT_TRY(need(8, field, "u64"));
  uint64_t v = load_u64(data_.data() + pos_);
  pos_ += 8;
  return v;
}

Result<int16_t> ByteReader::zz_i16(const char* field) {
  VMT_TRY(need(2, field, "zig-zag i16"));
  int16_t v = unzigzag16(load_u16(data_.data() + pos_));
  pos_ += 2;
  return v;
}

Result<int64_t> ByteReader::zz_i64(const char* field) {
  VMT_TRY(need(8, field, "zig-zag i64"));
  int64_t v = unzigzag64(load_u64(data_.data() + pos_));
  pos_ += 8;
  return v;
}

Result<uint64_t> ByteReader::varuint(const char* field) {
  uint64_t u = 0;
  int n = decode_varuint(data_.data() + pos_, remaining(), &u);
  if (n == 0) {
    return out_of_range("cannot read " + std::string(field) + " (varint) at offset " +
                        std::to_string(offset()) + ": truncated after " +
                        std::to_string(remaining()) + " bytes");
  }
  if (n < 0) {
    return corruption("cannot read " + std::string(field) + " (varint) at offset " +
                      std::to_string(offset()) + ": longer than 10 bytes");
  }
  pos_ += size_t(n);
  return u;
}

Result<int64_t> ByteReader::varint(const char* field) {
  VMT_ASSIGN_OR_RETURN(uint64_t u, varuint(field));
  return unzigzag64(u);
}

Result<ByteView> ByteReader::take(size_t n, const char* field) {
  VMT_TRY(need(n, field, "bytes"));
  ByteView v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

Result<ByteView> ByteReader::bytes(const char* field, size_t max_len) {
  uint64_t start = offset();
  VMT_ASSIGN_OR_RETURN(uint64_t len, varuint(field));
  if (len > max_len) {
    return corruption("cannot read " + std::string(field) + " at offset " + std::to_string(start) +
                      ": length " + std::to_string(len) + " exceeds the limit " +
                      std::to_string(max_len));
  }
  return take(size_t(len), field);
}

Status ByteReader::skip(size_t n, const char* field) {
  VMT_TRY(need(n, field, "bytes"));
  pos_ += n;
  return Status::ok();
}

}  // namespace vmt
