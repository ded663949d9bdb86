#include "mergeset/part_header.h"

#include <doctest/doctest.h>

#include "mergeset/test_util.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {
// mergeset.md §12, 344 bytes.
const char* kWorkedExampleJson =
    "{\"ItemsCount\":18,\"BlocksCount\":1,\"FirstItem\":\"010000002a0000000701687474705f72657175657374735f746f74616c"
    "011789abcd00000001\",\"LastItem\":\"070000000000004cce0000002a00000007687474705f72657175657374735f746f74616c01"
    "6a6f620161706901696e7374616e63650168313a393130300170617468012f7801020000002a00000007a20bcc1fd95ad8621f5ff62f0257"
    "b7901789abcd00000001\"}";

Status parse_err(ByteView text) {
  auto r = PartHeader::from_json(text);
  return r.is_ok() ? Status::ok() : r.status();
}
}  // namespace

TEST_SUITE("mergeset/part_header") {
  TEST_CASE("writes metadata.json byte-identical to Go (§12)") {
    auto items = testutil::worked_example_items();
    PartHeader ph{18, 1, items.front(), items.back()};
    Bytes json = ph.to_json();
    CHECK(json == kWorkedExampleJson);
    CHECK(json.size() == 344);
    auto back = PartHeader::from_json(json);
    REQUIRE(back.is_ok());
    CHECK(*back == ph);
  }

  TEST_CASE("reads keys case-insensitively, ignores unknown keys, accepts upper-case hex") {
    auto r = PartHeader::from_json(
        " {\"itemscount\":3, \"BLOCKSCOUNT\":2, \"x\":{\"a\":[1,2,{}]}, \"firstitem\":\"0A\", \"LastItem\":\"ff\"}\n");
    REQUIRE(r.is_ok());
    CHECK(r->items_count == 3);
    CHECK(r->blocks_count == 2);
    CHECK(r->first_item == "\x0a");
    CHECK(r->last_item == "\xff");
  }

  TEST_CASE("the last matching key wins, in document order") {
    auto r = PartHeader::from_json("{\"ItemsCount\":1,\"itemsCount\":5,\"BlocksCount\":1,\"ItemsCount\":4}");
    REQUIRE(r.is_ok());
    CHECK(r->items_count == 4);
  }

  TEST_CASE("matches Go's special folds (long s, Kelvin sign)") {
    auto r = PartHeader::from_json("{\"Item\xC5\xBF" "Count\":2,\"Bloc\xE2\x84\xAA" "sCount\":1}");
    REQUIRE(r.is_ok());
    CHECK(r->items_count == 2);
    CHECK(r->blocks_count == 1);
  }

  TEST_CASE("hex fields must be strings: null, numbers and bad hex are errors") {
    CHECK(parse_err("{\"ItemsCount\":1,\"BlocksCount\":1,\"FirstItem\":null}").message().find("FirstItem") !=
          std::string::npos);
    CHECK(!parse_err("{\"ItemsCount\":1,\"BlocksCount\":1,\"LastItem\":12}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":1,\"BlocksCount\":1,\"LastItem\":\"abc\"}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":1,\"BlocksCount\":1,\"LastItem\":\"zz\"}").is_ok());
    // Missing hex fields stay empty (an empty item is a valid item).
    CHECK(parse_err("{\"ItemsCount\":1,\"BlocksCount\":1}").is_ok());
  }

  TEST_CASE("counts take non-negative integers only; null leaves zero") {
    CHECK(!parse_err("{\"ItemsCount\":-1,\"BlocksCount\":1}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":1.0,\"BlocksCount\":1}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":1e2,\"BlocksCount\":1}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":\"3\",\"BlocksCount\":1}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":18446744073709551616,\"BlocksCount\":1}").is_ok());
    CHECK(parse_err("{\"ItemsCount\":18446744073709551615,\"BlocksCount\":1}").is_ok());
    CHECK(parse_err("{\"ItemsCount\":null,\"BlocksCount\":1}").message().find("ItemsCount must be >= 1") !=
          std::string::npos);
  }

  TEST_CASE("validates ItemsCount >= 1 and 1 <= BlocksCount <= ItemsCount") {
    CHECK(!parse_err("{\"ItemsCount\":0,\"BlocksCount\":0}").is_ok());
    CHECK(!parse_err("{\"ItemsCount\":2,\"BlocksCount\":0}").is_ok());
    CHECK(parse_err("{\"ItemsCount\":2,\"BlocksCount\":3}").message().find("BlocksCount must be <= ItemsCount") !=
          std::string::npos);
    CHECK(parse_err("{\"ItemsCount\":2,\"BlocksCount\":2}").is_ok());
  }

  TEST_CASE("rejects malformed JSON, trailing data and non-objects") {
    for (const char* bad : {"", "{", "{\"ItemsCount\":1,\"BlocksCount\":1}x", "[1]", "\"s\"", "{\"a\":1,}",
                            "{\"ItemsCount\":1 \"BlocksCount\":1}"}) {
      CHECK_MESSAGE(!parse_err(bad).is_ok(), bad);
    }
    // A top-level null leaves the header zero (Go), which then fails validation.
    CHECK(parse_err("null").message().find("ItemsCount") != std::string::npos);
  }

  TEST_CASE("read_part_header names the file") {
    auto r = read_part_header("/nonexistent-part");
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find("/nonexistent-part/metadata.json") != std::string::npos);
  }
}
