#include <doctest/doctest.h>

#include "base/hex.h"
#include "metric/tsid.h"

using namespace vmt;
using vmt::metric::TSID;

TEST_SUITE("metric/tsid") {
  // metricname-tsid.md §5.2: tenant 42:7 example.
  TEST_CASE("marshals as the spec's 32 bytes and round-trips") {
    TSID t{42, 7, 0xA20BCC1FD95AD862ULL, 0x1F5FF62F, 0x0257B790, 0x1789ABCD00000001ULL};
    Bytes b;
    t.encode(b);
    CHECK(to_hex(b, true) == "0000002A00000007A20BCC1FD95AD8621F5FF62F0257B7901789ABCD00000001");
    ByteReader r(b);
    auto back = TSID::decode(r);
    REQUIRE(back.is_ok());
    CHECK(*back == t);
  }
  TEST_CASE("order equals byte order of the marshaled form") {
    TSID a{0, 0, 5, 1, 1, 9}, b{0, 0, 5, 1, 2, 1}, c{1, 0, 0, 0, 0, 0};
    Bytes ba, bb, bc;
    a.encode(ba); b.encode(bb); c.encode(bc);
    CHECK(a < b);
    CHECK(ba < bb);
    CHECK(b < c);
    CHECK(bb < bc);
  }
  TEST_CASE("decode rejects short input") {
    ByteReader r(ByteView("\0\0\0", 3));
    CHECK(!TSID::decode(r).is_ok());
  }
}
