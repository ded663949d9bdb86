#include <doctest/doctest.h>

#include <bit>
#include <string>
#include <vector>

#include "base/hex.h"
#include "route/wire.h"
#include "route/wire_reader.h"

using namespace vmt;
using namespace vmt::route;

namespace {
Bytes unhex(const std::string& h) {
  auto r = from_hex(h);
  REQUIRE(r.is_ok());
  return *r;
}

// The full transcript's client bytes (routing.md §8.6, compression off).
const std::string kSpecStream =
    "766d696e736572742e3032" "00" "6f6b"
    "000000000000002a19000000000000000000000002757000036a6f6200046e6f64650000018bcfe568003ff8000000000000";
}  // namespace

TEST_SUITE("route/wire_reader") {
  TEST_CASE("decodes the spec's transcript") {
    Bytes s = unhex(kSpecStream);
    WireReader r(s);
    REQUIRE(r.read_handshake().is_ok());
    ByteView payload;
    auto more = r.next_packet(&payload);
    REQUIRE(more.is_ok());
    REQUIRE(*more);
    CHECK(payload.size() == 42);
    ByteReader in(payload);
    auto row = next_metric_row(in);
    REQUIRE(row.is_ok());
    CHECK(to_hex(row->raw) == "000000000000000000000002757000036a6f6200046e6f6465");
    CHECK(row->timestamp == 1700000000000);
    CHECK(row->value() == 1.5);
    CHECK(in.empty());
    more = r.next_packet(&payload);
    REQUIRE(more.is_ok());
    CHECK_FALSE(*more);
  }

  TEST_CASE("round trip: many rows over several packets, empty packets included") {
    Bytes s;
    append_client_handshake(s);
    std::vector<Bytes> raws;
    for (int p = 0; p < 5; ++p) {
      size_t at = begin_packet(s);
      for (int i = 0; i < p * 3; ++i) {
        Bytes raw(8, '\0');
        raw += "m" + std::to_string(p * 100 + i);
        raws.push_back(raw);
        marshal_metric_row(s, raw, p * 1000 + i, double(i) / 3);
      }
      end_packet(s, at);
    }
    WireReader r(s);
    REQUIRE(r.read_handshake().is_ok());
    size_t n = 0, packets = 0;
    ByteView payload;
    for (;;) {
      auto more = r.next_packet(&payload);
      REQUIRE(more.is_ok());
      if (!*more) break;
      ++packets;
      ByteReader in(payload);
      while (!in.empty()) {
        auto row = next_metric_row(in);
        REQUIRE(row.is_ok());
        REQUIRE(n < raws.size());
        CHECK(row->raw == ByteView(raws[n]));
        ++n;
      }
    }
    CHECK(packets == 5);
    CHECK(n == raws.size());
  }

  TEST_CASE("rejects a wrong hello and a compressed stream") {
    Bytes bad = unhex("766d73656c6563742e3031" "00" "6f6b");  // vmselect.01
    CHECK(WireReader(bad).read_handshake().code() == Code::corruption);
    Bytes comp = unhex("766d696e736572742e3032" "01" "6f6b");
    CHECK(WireReader(comp).read_handshake().code() == Code::unsupported);
    Bytes short_hs = unhex("766d696e73");
    CHECK(WireReader(short_hs).read_handshake().code() == Code::out_of_range);
  }

  TEST_CASE("rejects a packet over 100 MiB without reading it") {
    Bytes s = unhex("766d696e736572742e3032" "00" "6f6b" "0000000006400001");
    WireReader r(s);
    REQUIRE(r.read_handshake().is_ok());
    ByteView p;
    auto more = r.next_packet(&p);
    REQUIRE_FALSE(more.is_ok());
    CHECK(more.status().message().find("too big packet size") != std::string::npos);
    CHECK(more.status().message().find("offset 14") != std::string::npos);
  }

  TEST_CASE("rejects truncated packets and rows") {
    Bytes s = unhex(kSpecStream);
    for (size_t cut = 15; cut < s.size(); ++cut) {  // 14: a clean end after the handshake
      WireReader r(ByteView(s).substr(0, cut));
      REQUIRE(r.read_handshake().is_ok());
      ByteView p;
      auto more = r.next_packet(&p);
      CHECK_FALSE(more.is_ok());
    }
    // A payload whose row claims more bytes than the packet holds.
    Bytes payload = unhex("30" "0000000000000000");
    ByteReader in(payload);
    CHECK(next_metric_row(in).status().code() == Code::out_of_range);
    Bytes tiny = unhex("02" "0000" "0000000000000000" "0000000000000000");
    ByteReader in2(tiny);
    CHECK(next_metric_row(in2).status().code() == Code::corruption);  // no room for the tenant
  }
}
