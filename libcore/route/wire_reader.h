// A reader of the vminsert -> vmstorage stream, written from routing.md §8 alone (not from our
// writer), to check tsdb-route's wire output and to fuzz: it must reject, never crash on, any bytes.
//
//   handshake: "vminsert.02", one flag byte (any non-zero = compressed: unsupported here), "ok"
//   packet:    u64 BE size (<= 100 MiB, "too big packet size" otherwise; 0 is legal), payload
//   row:       varint len, MetricNameRaw (>= 8 bytes: the tenant), u64 BE timestamp, u64 BE value
// Every count and length is checked against the bytes that remain before it is used; errors name
// the stream offset.
#pragma once

#include <cstdint>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"

namespace vmt::route {

struct WireRow {
  ByteView raw;            // MetricNameRaw, a view into the stream
  int64_t timestamp = 0;   // ms
  uint64_t value_bits = 0;
  double value() const;
};

class WireReader {
 public:
  explicit WireReader(ByteView stream) : in_(stream) {}

  // Consumes the client handshake. unsupported for a compressed stream.
  Status read_handshake();
  // The next packet's payload; false at a clean end of the stream (between packets).
  Result<bool> next_packet(ByteView* payload);
  uint64_t offset() const { return in_.offset(); }

 private:
  ByteReader in_;
};

// Decodes the next MetricRow of a payload (give the ByteReader the payload's stream offset as its
// base, so errors name stream offsets). Also checks that the raw name holds the 8-byte tenant.
Result<WireRow> next_metric_row(ByteReader& payload);

}  // namespace vmt::route
