#include "storage/metaindex_row.h"

#include <doctest/doctest.h>

#include "base/hex.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

// data-part.md §13: the decompressed metaindex.bin of the tiny worked example.
const char* kTinyMetaindexHex =
    "00000000" "00000000" "000000000000000b" "00000016" "00000021" "000000000000002c"
    "00000002"
    "000003179fcad000" "000003179fcbba60"
    "0000000000000000"
    "0000004e";

}  // namespace

TEST_SUITE("storage/metaindex_row") {
  TEST_CASE("decodes and re-encodes the §13 metaindex") {
    Bytes raw = from_hex(kTinyMetaindexHex).value();
    REQUIRE(raw.size() == 64);
    auto rows = decode_metaindex(raw, vmt::metric::Tenancy::kCluster);
    REQUIRE(rows.is_ok());
    REQUIRE(rows->size() == 1);
    const MetaindexRow& mr = rows->at(0);
    CHECK(mr.tsid.metric_group_id == 11);
    CHECK(mr.tsid.job_id == 22);
    CHECK(mr.tsid.instance_id == 33);
    CHECK(mr.tsid.metric_id == 44);
    CHECK(mr.block_headers_count == 2);
    CHECK(mr.min_timestamp == 1700000000000);
    CHECK(mr.max_timestamp == 1700000030000);
    CHECK(mr.index_block_offset == 0);
    CHECK(mr.index_block_size == 78);
    Bytes out;
    mr.encode(out, vmt::metric::Tenancy::kCluster);
    CHECK(out == raw);
  }

  TEST_CASE("rejects an empty metaindex") {
    auto r = decode_metaindex("", vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find("at least one row") != std::string::npos);
  }

  TEST_CASE("rejects trailing bytes") {
    Bytes raw = from_hex(kTinyMetaindexHex).value() + "x";
    auto r = decode_metaindex(raw, vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find("multiple of") != std::string::npos);
  }

  TEST_CASE("rejects BlockHeadersCount = 0 naming the row") {
    Bytes raw = from_hex(kTinyMetaindexHex).value();
    raw += raw;
    raw[64 + 35] = 0;
    auto r = decode_metaindex(raw, vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find("metaindex row #1 of 2") != std::string::npos);
    CHECK(r.status().message().find("BlockHeadersCount must be > 0") != std::string::npos);
  }

  TEST_CASE("rejects IndexBlockSize > 131072") {
    MetaindexRow mr;
    mr.block_headers_count = 1;
    mr.index_block_size = 131073;
    Bytes raw;
    mr.encode(raw, vmt::metric::Tenancy::kCluster);
    auto r = decode_metaindex(raw, vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find("IndexBlockSize") != std::string::npos);
  }

  TEST_CASE("requires rows sorted by TSID, equal TSIDs allowed") {
    MetaindexRow a, b;
    a.block_headers_count = b.block_headers_count = 1;
    a.tsid.metric_id = 5;
    b.tsid.metric_id = 5;
    Bytes raw;
    a.encode(raw, vmt::metric::Tenancy::kCluster);
    b.encode(raw, vmt::metric::Tenancy::kCluster);
    CHECK(decode_metaindex(raw, vmt::metric::Tenancy::kCluster).is_ok());
    b.tsid.metric_id = 4;
    raw.clear();
    a.encode(raw, vmt::metric::Tenancy::kCluster);
    b.encode(raw, vmt::metric::Tenancy::kCluster);
    auto r = decode_metaindex(raw, vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find("sorted by TSID") != std::string::npos);
  }

  TEST_CASE("register_block_header tracks the first TSID and the time range") {
    MetaindexRow mr;
    BlockHeader bh;
    bh.tsid.metric_id = 9;
    bh.min_timestamp = 10;
    bh.max_timestamp = 20;
    mr.register_block_header(bh);
    bh.tsid.metric_id = 10;
    bh.min_timestamp = 5;
    bh.max_timestamp = 15;
    mr.register_block_header(bh);
    bh.min_timestamp = 12;
    bh.max_timestamp = 30;
    mr.register_block_header(bh);
    CHECK(mr.block_headers_count == 3);
    CHECK(mr.tsid.metric_id == 9);
    CHECK(mr.min_timestamp == 5);
    CHECK(mr.max_timestamp == 30);
  }
}
