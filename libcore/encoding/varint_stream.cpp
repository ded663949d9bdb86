#include "encoding/varint_stream.h"

#include <string>

namespace vmt::encoding::detail {

Status bad_varint(size_t index, size_t count, const char* at, const char* begin, const char* end) {
  uint64_t u;
  const int k = decode_varuint(at, size_t(end - at), &u);
  const char* why = at == end ? "unexpected end of data"
                    : k < 0   ? "varint is longer than 10 bytes"
                              : "truncated varint";
  return corruption("cannot unmarshal " + std::to_string(count) + " varints from " +
                    std::to_string(end - begin) + " bytes: varint #" + std::to_string(index) +
                    " at offset " + std::to_string(at - begin) + ": " + why);
}

Status trailing_bytes(size_t count, size_t data_size, size_t tail) {
  return corruption("unexpected tail left after unmarshaling " + std::to_string(count) +
                    " varints from " + std::to_string(data_size) + " bytes; tail size=" +
                    std::to_string(tail));
}

}  // namespace vmt::encoding::detail
