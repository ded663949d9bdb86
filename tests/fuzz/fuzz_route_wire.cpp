// Fuzz target: arbitrary bytes as a vminsert -> vmstorage stream (route/wire_reader.h). An input
// that starts with the hello is read as a whole stream, anything else as one packet payload.
// Invariants: no crash, no read outside the input; every decoded row re-encodes (wire.h) to exactly
// the bytes it came from; every row of a stream lies inside its packet.
//
// Seed corpus tests/fuzz/corpus/route_wire/: streams written by tsdb-route --format wire from the
// tiny fixture's inputs, plus the spec's vectors; regenerate the tiny-* files with
//   for t in 0-0 42-7; do build/bin/tsdb-route --storage-node a:1,b:2 --format wire --tenant ${t/-/:}
//     --out-dir /tmp/w-$t ../shared/fixtures/vm-cluster-1.93/tiny/input/tenant-$t.prom; done
// (one command; node-<i>_*.wire -> tiny-<t>-node-<i>.wire).
#include <cstdint>
#include <cstring>

#include "metric/metric_name.h"
#include "route/wire.h"
#include "route/wire_reader.h"

using namespace vmt;
using namespace vmt::route;

namespace {

void check_payload(ByteView payload) {
  ByteReader in(payload);
  Bytes again;
  while (!in.empty()) {
    const size_t start = in.pos();
    auto row = next_metric_row(in);
    if (!row.is_ok()) return;
    if (row->raw.data() < payload.data() || row->raw.data() + row->raw.size() > payload.data() + payload.size()) {
      __builtin_trap();
    }
    again.clear();
    double v;
    std::memcpy(&v, &row->value_bits, 8);
    marshal_metric_row(again, row->raw, row->timestamp, v);
    // A non-minimal varint length (e.g. 80 00) decodes too; compare from the name on then.
    ByteView orig = payload.substr(start, in.pos() - start);
    if (orig.size() == again.size() && ByteView(again) != orig) __builtin_trap();
    if (ByteView(again).substr(again.size() - row->raw.size() - 16) != orig.substr(orig.size() - row->raw.size() - 16)) {
      __builtin_trap();
    }
    (void)metric::MetricName::decode_raw(row->raw);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(reinterpret_cast<const char*>(data), size);
  if (in.substr(0, kVMInsertHello.size()) != kVMInsertHello) {
    check_payload(in);
    return 0;
  }
  WireReader r(in);
  if (!r.read_handshake().is_ok()) return 0;
  for (int packets = 0;; ++packets) {
    ByteView payload;
    auto more = r.next_packet(&payload);
    if (!more.is_ok() || !*more) break;
    if (payload.size() > kMaxPacketSizeForVMStorage) __builtin_trap();
    check_payload(payload);
  }
  return 0;
}
