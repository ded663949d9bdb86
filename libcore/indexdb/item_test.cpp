#include <doctest/doctest.h>

#include "base/hex.h"
#include "indexdb/item.h"

using namespace vmt;
using namespace vmt::indexdb;

namespace {
Bytes hx(const char* h) { return *from_hex(h); }
}  // namespace

TEST_SUITE("indexdb/item") {
  TEST_CASE("composite keys with short names escape the length byte") {
    // indexdb.md §4.1: length 0 encodes as FE 00 30 ..., 1 and 2 as FE 00 31 / FE 00 32.
    Bytes key;
    composite_key(key, "", "job");
    Bytes esc;
    metric::escape_append(esc, key);
    CHECK(to_hex(esc, true).substr(0, 6) == "FE0030");
    CHECK(describe_key(key) == "composite(, job)");
    CHECK(describe_key("") == "__name__");
    CHECK(describe_key("\xFF") == "reverse(__name__)");
    CHECK(describe_key("env") == "env");
  }

  TEST_CASE("rejects malformed items") {
    CHECK(!decode_item(ByteView(), vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(!decode_item(hx("09"), vmt::metric::Tenancy::kCluster).is_ok());                       // unknown namespace
    CHECK(!decode_item(hx("0400000000000000"), vmt::metric::Tenancy::kCluster).is_ok());         // ns 4 is 9 bytes
    CHECK(!decode_item(hx("0500000000000000000000"), vmt::metric::Tenancy::kCluster).is_ok());   // short ns 5
    CHECK(!decode_item(hx("01000000000000000001610162010203"), vmt::metric::Tenancy::kCluster).is_ok());  // tail not a multiple of 8
    CHECK(!decode_item(hx("0100000000000000000161"), vmt::metric::Tenancy::kCluster).is_ok());   // unterminated value
  }

  TEST_CASE("namespace names parse back") {
    for (uint8_t ns = 0; ns <= 7; ++ns) {
      uint8_t got = 99;
      CHECK(parse_ns(ns_name(ns), &got));
      CHECK(got == ns);
    }
    uint8_t got;
    CHECK(parse_ns("5", &got));
    CHECK(got == 5);
    CHECK(!parse_ns("8", &got));
  }

  TEST_CASE("single-node: items without a tenant (v1.148 single-node, doc/flavours.md §2)") {
    // The 33-byte ns 2 item read off a directory victoria-metrics v1.148.0 wrote:
    // 02 · MetricID · TSID(MetricGroupID, JobID, InstanceID, MetricID).
    const Bytes ns2 = hx("0218ed54ebae70b817a20bcc1fd95ad8621f5ff62f0257b79018ed54ebae70b817");
    auto it = decode_item(ns2, metric::Tenancy::kSingle);
    REQUIRE(it.is_ok());
    CHECK(!it->has_tenant);
    REQUIRE(it->metric_ids.size() == 1);
    CHECK(it->metric_ids[0] == 0x18ed54ebae70b817ull);
    CHECK(it->tsid.metric_group_id == 0xa20bcc1fd95ad862ull);
    CHECK(it->tsid.job_id == 0x1f5ff62fu);
    CHECK(it->tsid.instance_id == 0x0257b790u);
    CHECK(it->tsid.metric_id == 0x18ed54ebae70b817ull);
    // The same bytes are no cluster item (49 bytes there), and a cluster ns 5 item no single one.
    CHECK(!decode_item(ns2, metric::Tenancy::kCluster).is_ok());
    CHECK(!decode_item(hx("050000000000000000000000000000004cce18ed54ebae70b817"), metric::Tenancy::kSingle).is_ok());
    auto ns5 = decode_item(hx("050000000000004cce18ed54ebae70b817"), metric::Tenancy::kSingle);
    REQUIRE(ns5.is_ok());
    CHECK(ns5->date == 0x4cce);
    // ns 1 tag row: 01 · esc(key) · esc(value) · MetricIDs.
    auto ns1 = decode_item(hx("016101620118ed54ebae70b817"), metric::Tenancy::kSingle);
    REQUIRE(ns1.is_ok());
    CHECK(ns1->tag.key == "a");
    CHECK(ns1->tag.value == "b");
    Bytes prefix;
    tenant_prefix(prefix, kNsDateToMetricID, metric::Tenancy::kSingle, 42, 7);
    CHECK(prefix == Bytes("\x05", 1));
  }
}
