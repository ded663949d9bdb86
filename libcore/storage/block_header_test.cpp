#include "storage/block_header.h"

#include <doctest/doctest.h>

#include "base/hex.h"

using namespace vmt;
using vmt::storage::BlockHeader;

namespace {

// data-part.md §5 worked example: real bh.Marshal output.
const char* kExampleHex =
    "00000001" "00000002" "0000000000000003"
    "00000004" "00000005" "0000000000000006"
    "00000000000007d0"
    "0000000000001770"
    "0000000000000009"
    "0000000000000010"
    "0000000000000020"
    "00000001" "00000002" "00000003"
    "0003"
    "020640";

BlockHeader example() {
  BlockHeader bh;
  bh.tsid = {1, 2, 3, 4, 5, 6};
  bh.min_timestamp = 1000;
  bh.max_timestamp = 3000;
  bh.first_value = -5;
  bh.timestamps_block_offset = 16;
  bh.values_block_offset = 32;
  bh.timestamps_block_size = 1;
  bh.values_block_size = 2;
  bh.rows_count = 3;
  bh.scale = -2;
  bh.timestamps_marshal_type = 2;
  bh.values_marshal_type = 6;
  bh.precision_bits = 64;
  return bh;
}

Bytes example_bytes() { return from_hex(kExampleHex).value(); }

}  // namespace

TEST_SUITE("storage/block_header") {
  TEST_CASE("encodes the §5 worked example byte for byte") {
    Bytes out;
    example().encode(out, vmt::metric::Tenancy::kCluster);
    CHECK(out.size() == BlockHeader::size(vmt::metric::Tenancy::kCluster));
    CHECK(to_hex(out) == kExampleHex);
  }

  TEST_CASE("decodes the §5 worked example") {
    Bytes b = example_bytes();
    ByteReader in(b);
    auto r = BlockHeader::decode(in, vmt::metric::Tenancy::kCluster);
    REQUIRE(r.is_ok());
    CHECK(r.value() == example());
    CHECK(in.empty());
  }

  TEST_CASE("appends to existing bytes and round-trips extreme values") {
    BlockHeader bh = example();
    bh.tsid = {0xffffffff, 0xfffffffe, ~0ull, 7, 8, ~0ull - 1};
    bh.min_timestamp = INT64_MIN;
    bh.max_timestamp = INT64_MAX;
    bh.first_value = INT64_MIN;
    bh.scale = -1024;
    bh.timestamps_block_offset = ~0ull;
    bh.rows_count = 16384;
    bh.timestamps_block_size = 131072;
    bh.values_block_size = 131072;
    bh.precision_bits = 1;
    Bytes out = "xy";
    bh.encode(out, vmt::metric::Tenancy::kCluster);
    REQUIRE(out.size() == 2 + BlockHeader::size(vmt::metric::Tenancy::kCluster));
    ByteReader in(ByteView(out).substr(2));
    auto r = BlockHeader::decode(in, vmt::metric::Tenancy::kCluster);
    REQUIRE(r.is_ok());
    CHECK(r.value() == bh);
  }

  TEST_CASE("single-node: 81 bytes, the cluster layout without AccountID and ProjectID") {
    BlockHeader bh = example();
    bh.tsid.account_id = bh.tsid.project_id = 0;  // a single-node TSID has no tenant
    Bytes cluster, single;
    bh.encode(cluster, vmt::metric::Tenancy::kCluster);
    bh.encode(single, vmt::metric::Tenancy::kSingle);
    CHECK(BlockHeader::size(vmt::metric::Tenancy::kSingle) == 81);
    REQUIRE(single.size() == 81);
    CHECK(ByteView(cluster).substr(8) == ByteView(single));
    ByteReader in(single);
    auto r = BlockHeader::decode(in, vmt::metric::Tenancy::kSingle);
    REQUIRE(r.is_ok());
    CHECK(r.value() == bh);
    ByteReader short_in(ByteView(single).substr(0, 80));
    CHECK(!BlockHeader::decode(short_in, vmt::metric::Tenancy::kSingle).is_ok());
  }

  TEST_CASE("rejects RowsCount = 0 and RowsCount > 16384") {
    BlockHeader bh = example();
    bh.rows_count = 0;
    CHECK(bh.validate().message() == "RowsCount must be > 0; got 0");
    bh.rows_count = 16385;
    CHECK(bh.validate().code() == Code::corruption);
    CHECK(bh.validate().message().find("RowsCount") != std::string::npos);
    bh.rows_count = 16384;
    CHECK(bh.validate().is_ok());
  }

  TEST_CASE("rejects marshal types above 6; accepts 0 (VM's CheckMarshalType)") {
    BlockHeader bh = example();
    bh.timestamps_marshal_type = 7;
    CHECK(bh.validate().message().find("TimestampsMarshalType") != std::string::npos);
    bh.timestamps_marshal_type = 0;
    CHECK(bh.validate().is_ok());
    bh.values_marshal_type = 255;
    CHECK(bh.validate().message().find("ValuesMarshalType") != std::string::npos);
  }

  TEST_CASE("rejects PrecisionBits outside 1..64") {
    BlockHeader bh = example();
    bh.precision_bits = 0;
    CHECK(bh.validate().message().find("PrecisionBits") != std::string::npos);
    bh.precision_bits = 65;
    CHECK(!bh.validate().is_ok());
  }

  TEST_CASE("rejects block sizes above 131072") {
    BlockHeader bh = example();
    bh.timestamps_block_size = 131073;
    CHECK(bh.validate().message().find("TimestampsBlockSize") != std::string::npos);
    bh.timestamps_block_size = 0;
    bh.values_block_size = 131073;
    CHECK(bh.validate().message().find("ValuesBlockSize") != std::string::npos);
  }

  TEST_CASE("decode of a short buffer is out_of_range naming blockHeader") {
    Bytes b = example_bytes();
    b.resize(88);
    ByteReader in(b);
    auto r = BlockHeader::decode(in, vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().code() == Code::out_of_range);
    CHECK(r.status().message().find("blockHeader") != std::string::npos);
  }

  TEST_CASE("decode validates") {
    Bytes b = example_bytes();
    b[80] = b[81] = b[82] = b[83] = 0;   // RowsCount = 0
    ByteReader in(b);
    auto r = BlockHeader::decode(in, vmt::metric::Tenancy::kCluster);
    REQUIRE(!r.is_ok());
    CHECK(r.status().code() == Code::corruption);
  }
}
