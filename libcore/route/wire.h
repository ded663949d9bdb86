// The vminsert -> vmstorage byte stream (the client side of one connection), as written by
// `tsdb-route --format wire`.
//
// Spec: routing.md §8 (8.1 handshake, 8.2 compression, 8.3 framing, 8.4 MarshalMetricRow, 8.6
// vectors). Go: lib/handshake/handshake.go, app/vminsert/netstorage/netstorage.go (sendToConn),
// lib/storage/storage.go (MarshalMetricRow). Reader (written from the spec, for tests and the
// fuzzer): wire_reader.h.
//
//   stream   := hello compression_flag ok packet*
//   hello    := "vminsert.02"                 11 bytes, no terminator
//   compression_flag := 00                    uncompressed (vminsert -rpc.disableCompression); we
//                                             never compress, so the stream is replayable as is
//   ok       := "ok"                          the client's answer to vmstorage's own flag (00)
//   packet   := size:u64 BE, payload[size]    size <= 100 MiB for vmstorage; we keep <= 30 MiB
//   payload  := MetricRow*                    no count, no separator; any tenants
//   MetricRow:= varint len, MetricNameRaw[len], timestamp:u64 BE (int64 ms), value:u64 BE (float64 bits)
//
// vmstorage answers "ok" twice, its flag 00, then one ack byte per packet (01 = accepted, 02 =
// read-only and discarded), which a replaying client must read (or at least drain).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/coding.h"

namespace vmt::route {

constexpr std::string_view kVMInsertHello = "vminsert.02";
constexpr std::string_view kHandshakeOk = "ok";
constexpr uint8_t kCompressionOff = 0x00;
constexpr uint8_t kAckAccepted = 0x01;
constexpr uint8_t kAckReadOnly = 0x02;
constexpr uint64_t kMaxPacketSizeForVMInsert = 30 * 1024 * 1024;    // consts.MaxInsertPacketSizeForVMInsert
constexpr uint64_t kMaxPacketSizeForVMStorage = 100 * 1024 * 1024;  // consts.MaxInsertPacketSizeForVMStorage

// The client's bytes of the handshake, compression off: hello, 00, "ok" (14 bytes).
void append_client_handshake(Bytes& out);

// MarshalMetricRow: varint(len(raw)) raw u64(ts) u64(value bits).
void marshal_metric_row(Bytes& out, ByteView raw, int64_t timestamp_ms, double value);
// Size of that encoding.
size_t metric_row_size(size_t raw_len);

// Packets built in place: begin_packet() appends an 8-byte placeholder and returns its offset;
// end_packet() writes the payload size into it (the bytes appended since).
inline size_t begin_packet(Bytes& out) {
  size_t at = out.size();
  out.append(8, '\0');
  return at;
}
inline void end_packet(Bytes& out, size_t at) { store_u64(out.data() + at, uint64_t(out.size() - at - 8)); }

}  // namespace vmt::route
