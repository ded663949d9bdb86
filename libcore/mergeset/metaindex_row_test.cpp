#include "mergeset/metaindex_row.h"

#include <doctest/doctest.h>

#include "base/hex.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {
Bytes row(ByteView first, uint32_t count, uint64_t off, uint32_t size) {
  MetaindexRow r;
  r.first_item = first;
  r.block_headers_count = count;
  r.index_block_offset = off;
  r.index_block_size = size;
  Bytes b;
  r.encode(b);
  return b;
}
}  // namespace

TEST_SUITE("mergeset/metaindex_row") {
  TEST_CASE("decodes consecutive rows") {
    Bytes b = row("a", 1, 0, 66) + row("b", 3, 66, 100);
    CHECK(to_hex(row("a", 1, 0, 66)) == "0161000000010000000000000000" "00000042");
    auto rows = decode_metaindex(b);
    REQUIRE(rows.is_ok());
    REQUIRE(rows->size() == 2);
    CHECK((*rows)[1].first_item == "b");
    CHECK((*rows)[1].block_headers_count == 3);
    CHECK((*rows)[1].index_block_offset == 66);
    CHECK((*rows)[1].index_block_size == 100);
  }

  TEST_CASE("rejects an empty metaindex") {
    auto rows = decode_metaindex("");
    REQUIRE(!rows.is_ok());
    CHECK(rows.status().message().find("at least one row") != std::string::npos);
  }

  TEST_CASE("rejects rows not sorted by firstItem; accepts equal firstItems") {
    CHECK(decode_metaindex(row("a", 1, 0, 1) + row("a", 1, 1, 1)).is_ok());
    auto rows = decode_metaindex(row("b", 1, 0, 1) + row("a", 1, 1, 1));
    REQUIRE(!rows.is_ok());
    CHECK(rows.status().message().find("metaindex row #1") != std::string::npos);
  }

  TEST_CASE("rejects blockHeadersCount = 0 and indexBlockSize > 131072") {
    auto a = decode_metaindex(row("a", 0, 0, 1));
    CHECK(a.status().message().find("blockHeadersCount") != std::string::npos);
    CHECK(decode_metaindex(row("a", 1, 0, kMaxIndexBlockSize)).is_ok());
    auto b = decode_metaindex(row("a", 1, 0, kMaxIndexBlockSize + 1));
    CHECK(b.status().message().find("indexBlockSize") != std::string::npos);
  }

  TEST_CASE("rejects a truncated trailing row") {
    Bytes b = row("a", 1, 0, 1) + row("b", 1, 1, 1);
    for (size_t cut = 1; cut < 18; ++cut) {
      auto rows = decode_metaindex(ByteView(b).substr(0, b.size() - cut));
      REQUIRE(!rows.is_ok());
      CHECK(rows.status().message().find("metaindex row #1") != std::string::npos);
    }
  }
}
