#include <doctest/doctest.h>

#include "base/hex.h"
#include "metric/tsid.h"

using namespace vmt;
using vmt::metric::TSID;
using vmt::metric::Tenancy;

TEST_SUITE("metric/tsid") {
  // metricname-tsid.md §5.2: tenant 42:7 example.
  TEST_CASE("marshals as the spec's 32 bytes and round-trips") {
    TSID t{42, 7, 0xA20BCC1FD95AD862ULL, 0x1F5FF62F, 0x0257B790, 0x1789ABCD00000001ULL};
    Bytes b;
    t.encode(b, vmt::metric::Tenancy::kCluster);
    CHECK(to_hex(b, true) == "0000002A00000007A20BCC1FD95AD8621F5FF62F0257B7901789ABCD00000001");
    ByteReader r(b);
    auto back = TSID::decode(r, vmt::metric::Tenancy::kCluster);
    REQUIRE(back.is_ok());
    CHECK(*back == t);
  }
  TEST_CASE("order equals byte order of the marshaled form") {
    TSID a{0, 0, 5, 1, 1, 9}, b{0, 0, 5, 1, 2, 1}, c{1, 0, 0, 0, 0, 0};
    Bytes ba, bb, bc;
    a.encode(ba, vmt::metric::Tenancy::kCluster); b.encode(bb, vmt::metric::Tenancy::kCluster); c.encode(bc, vmt::metric::Tenancy::kCluster);
    CHECK(a < b);
    CHECK(ba < bb);
    CHECK(b < c);
    CHECK(bb < bc);
  }
  TEST_CASE("decode rejects short input") {
    ByteReader r(ByteView("\0\0\0", 3));
    CHECK(!TSID::decode(r, vmt::metric::Tenancy::kCluster).is_ok());
  }

  TEST_CASE("single-node: 24 bytes, no tenant; the same order") {
    TSID t;
    t.account_id = 0;
    t.metric_group_id = 0xa20bcc1fd95ad862ull;
    t.job_id = 0x1f5ff62f;
    t.instance_id = 0x0257b790;
    t.metric_id = 0x18ed54ebae70b817ull;
    Bytes b;
    t.encode(b, Tenancy::kSingle);
    CHECK(TSID::size(Tenancy::kSingle) == 24);
    CHECK(b.size() == 24);
    Bytes c;
    t.encode(c, Tenancy::kCluster);
    CHECK(ByteView(c).substr(8) == ByteView(b));  // the cluster form is the tenant, then these
    ByteReader r(b);
    auto back = TSID::decode(r, Tenancy::kSingle);
    REQUIRE(back.is_ok());
    CHECK(*back == t);
  }
}
