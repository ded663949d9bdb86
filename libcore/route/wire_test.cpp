#include <doctest/doctest.h>

#include <bit>

#include "base/hex.h"
#include "route/routing_key.h"
#include "route/wire.h"
#include "route/wire_reader.h"

using namespace vmt;
using namespace vmt::route;

namespace {
Bytes raw_of(uint32_t acc, uint32_t proj) {
  KeyOptions o;
  o.account_id = acc;
  o.project_id = proj;
  KeyBuilder kb(o);
  kb.build_from_labels({{"__name__", "up"}, {"job", "node"}});
  return Bytes(kb.raw());
}
}  // namespace

TEST_SUITE("route/wire") {
  // routing.md §8.6 (verified).
  TEST_CASE("the spec's one-row packet, byte for byte") {
    Bytes raw = raw_of(0, 0);
    CHECK(to_hex(raw) == "000000000000000000000002757000036a6f6200046e6f6465");
    Bytes pkt;
    size_t at = begin_packet(pkt);
    marshal_metric_row(pkt, raw, 1700000000000, 1.5);
    end_packet(pkt, at);
    CHECK(to_hex(pkt) ==
          "000000000000002a19000000000000000000000002757000036a6f6200046e6f64650000018bcfe568003ff8000000000000");
    CHECK(metric_row_size(raw.size()) == 42);
  }

  TEST_CASE("the same row for tenant 42:7") {
    Bytes row;
    marshal_metric_row(row, raw_of(42, 7), 1700000000000, 1.5);
    CHECK(to_hex(row) == "190000002a0000000700000002757000036a6f6200046e6f64650000018bcfe568003ff8000000000000");
  }

  TEST_CASE("a 212-byte MetricNameRaw is prefixed by d4 01") {
    Bytes row;
    marshal_metric_row(row, Bytes(212, 'x'), 0, 0);
    CHECK(to_hex(row.substr(0, 2)) == "d401");
    CHECK(metric_row_size(212) == row.size());
  }

  TEST_CASE("the client side of the uncompressed handshake") {
    Bytes hs;
    append_client_handshake(hs);
    // vminsert -> 766d696e736572742e3032, 00, then 6f6b after vmstorage's own flag.
    CHECK(to_hex(hs) == "766d696e736572742e3032" "00" "6f6b");
  }

  TEST_CASE("an empty packet is 8 zero bytes") {
    Bytes pkt;
    end_packet(pkt, begin_packet(pkt));
    CHECK(to_hex(pkt) == "0000000000000000");
  }

  TEST_CASE("timestamps are two's complement, NaN bits kept") {
    Bytes row;
    marshal_metric_row(row, Bytes(8, '\0'), -1, std::bit_cast<double>(0x7ff0000000000002ULL));
    CHECK(to_hex(row) == "08" "0000000000000000" "ffffffffffffffff" "7ff0000000000002");
  }
}
