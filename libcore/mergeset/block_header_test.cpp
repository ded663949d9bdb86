#include "mergeset/block_header.h"

#include <doctest/doctest.h>

#include "base/hex.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {
BlockHeader sample() {
  BlockHeader bh;
  bh.common_prefix = ByteView("\x01\x02", 2);
  bh.first_item = ByteView("\x01\x02\x03", 3);
  bh.marshal_type = MarshalType::zstd;
  bh.items_count = 18;
  bh.items_block_offset = 1;
  bh.lens_block_offset = 2;
  bh.items_block_size = 194;
  bh.lens_block_size = 43;
  return bh;
}
Status decode_err(const Bytes& b) {
  ByteReader in(b);
  auto r = BlockHeader::decode(in);
  return r.is_ok() ? Status::ok() : r.status();
}
}  // namespace

TEST_SUITE("mergeset/block_header") {
  TEST_CASE("encodes the §6 layout and decodes it back exactly") {
    Bytes b;
    sample().encode(b);
    CHECK(to_hex(b) == "0201020301020301000000120000000000000001000000000000000200" "0000c20000002b");
    CHECK(b.size() == sample().encoded_size());
    ByteReader in(b);
    auto r = BlockHeader::decode(in);
    REQUIRE(r.is_ok());
    CHECK(in.empty());
    CHECK(r->common_prefix == sample().common_prefix);
    CHECK(r->first_item == sample().first_item);
    CHECK(r->marshal_type == MarshalType::zstd);
    CHECK(r->items_count == 18);
    CHECK(r->items_block_offset == 1);
    CHECK(r->lens_block_offset == 2);
    CHECK(r->items_block_size == 194);
    CHECK(r->lens_block_size == 43);
  }

  TEST_CASE("rejects itemsCount = 0") {
    BlockHeader bh = sample();
    bh.items_count = 0;
    Bytes b;
    bh.encode(b);
    Status st = decode_err(b);
    CHECK(st.code() == Code::corruption);
    CHECK(st.message().find("itemsCount") != std::string::npos);
  }

  TEST_CASE("rejects marshalType other than 0 and 1") {
    Bytes b;
    sample().encode(b);
    b[7] = 2;  // 1+2 cp, 1+3 firstItem, then marshalType
    Status st = decode_err(b);
    CHECK(st.message().find("marshalType") != std::string::npos);
  }

  TEST_CASE("rejects itemsBlockSize > 131072 and lensBlockSize > 1048576") {
    BlockHeader bh = sample();
    bh.items_block_size = kMaxItemsBlockSize;
    Bytes b;
    bh.encode(b);
    CHECK(decode_err(b).is_ok());
    bh.items_block_size = kMaxItemsBlockSize + 1;
    b.clear();
    bh.encode(b);
    CHECK(decode_err(b).message().find("itemsBlockSize") != std::string::npos);
    bh = sample();
    bh.lens_block_size = kMaxLensBlockSize + 1;
    b.clear();
    bh.encode(b);
    CHECK(decode_err(b).message().find("lensBlockSize") != std::string::npos);
  }

  TEST_CASE("rejects a commonPrefix that is not a prefix of firstItem") {
    BlockHeader bh = sample();
    bh.common_prefix = ByteView("\x09", 1);
    Bytes b;
    bh.encode(b);
    CHECK(decode_err(b).message().find("commonPrefix") != std::string::npos);
  }

  TEST_CASE("rejects firstItem longer than 65536 before reading it") {
    Bytes b;
    put_varuint(b, 0);
    put_varuint(b, 1u << 30);
    CHECK(decode_err(b).message().find("firstItem") != std::string::npos);
  }

  TEST_CASE("every truncation fails and names a field") {
    Bytes b;
    sample().encode(b);
    for (size_t n = 0; n < b.size(); ++n) {
      Status st = decode_err(b.substr(0, n));
      REQUIRE(!st.is_ok());
      CHECK(st.message().find("cannot read") != std::string::npos);
    }
  }
}
