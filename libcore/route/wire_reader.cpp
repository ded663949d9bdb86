// The vminsert -> vmstorage stream reader. Spec: routing.md §8.1, §8.3, §8.4.
#include "route/wire_reader.h"

#include <cstring>

#include "route/wire.h"

namespace vmt::route {

double WireRow::value() const {
  double v;
  std::memcpy(&v, &value_bits, 8);
  return v;
}

Status WireReader::read_handshake() {
  VMT_ASSIGN_OR_RETURN(ByteView hello, in_.take(kVMInsertHello.size(), "hello"));
  if (hello != kVMInsertHello) {
    return corruption("offset 0: unexpected hello \"" + std::string(hello) + "\"; want \"vminsert.02\"");
  }
  VMT_ASSIGN_OR_RETURN(uint8_t flag, in_.u8("compression flag"));
  if (flag != 0) {
    return unsupported("offset 11: compression flag " + std::to_string(flag) +
                       ": compressed streams are not supported by this reader");
  }
  VMT_ASSIGN_OR_RETURN(ByteView ok, in_.take(2, "ok"));
  if (ok != kHandshakeOk) return corruption("offset 12: unexpected handshake answer; want \"ok\"");
  return Status::ok();
}

Result<bool> WireReader::next_packet(ByteView* payload) {
  if (in_.empty()) return false;
  const uint64_t at = in_.offset();
  VMT_ASSIGN_OR_RETURN(uint64_t size, in_.u64("packet size"));
  if (size > kMaxPacketSizeForVMStorage) {
    return corruption("offset " + std::to_string(at) + ": too big packet size: " + std::to_string(size) +
                      "; must not exceed " + std::to_string(kMaxPacketSizeForVMStorage));
  }
  if (size > in_.remaining()) {
    return out_of_range("offset " + std::to_string(at) + ": packet of " + std::to_string(size) + " bytes; only " +
                        std::to_string(in_.remaining()) + " bytes remain");
  }
  VMT_ASSIGN_OR_RETURN(*payload, in_.take(static_cast<size_t>(size), "packet payload"));
  return true;
}

Result<WireRow> next_metric_row(ByteReader& payload) {
  WireRow row;
  VMT_ASSIGN_OR_RETURN(uint64_t len, payload.varuint("MetricNameRaw length"));
  if (len > payload.remaining()) {
    return payload.error_here(Code::out_of_range, "MetricNameRaw of " + std::to_string(len) + " bytes; only " +
                                                      std::to_string(payload.remaining()) + " bytes remain in the packet");
  }
  if (len < 8) {
    return payload.error_here(Code::corruption, "MetricNameRaw of " + std::to_string(len) +
                                                    " bytes; need at least 8 for the tenant");
  }
  VMT_ASSIGN_OR_RETURN(row.raw, payload.take(static_cast<size_t>(len), "MetricNameRaw"));
  VMT_ASSIGN_OR_RETURN(uint64_t ts, payload.u64("timestamp"));
  row.timestamp = static_cast<int64_t>(ts);
  VMT_ASSIGN_OR_RETURN(row.value_bits, payload.u64("value"));
  return row;
}

}  // namespace vmt::route
