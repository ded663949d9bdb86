// The vminsert -> vmstorage stream writer. Spec: routing.md §8.
#include "route/wire.h"

#include <cstring>

namespace vmt::route {

void append_client_handshake(Bytes& out) {
  out.append(kVMInsertHello);
  put_u8(out, kCompressionOff);
  out.append(kHandshakeOk);
}

size_t metric_row_size(size_t raw_len) {
  size_t v = 1;
  for (uint64_t u = raw_len; u > 0x7f; u >>= 7) ++v;
  return v + raw_len + 16;
}

void marshal_metric_row(Bytes& out, ByteView raw, int64_t timestamp_ms, double value) {
  put_varuint(out, raw.size());
  out.append(raw);
  put_u64(out, static_cast<uint64_t>(timestamp_ms));
  uint64_t bits;
  std::memcpy(&bits, &value, 8);
  put_u64(out, bits);
}

}  // namespace vmt::route
