#include <doctest/doctest.h>

#include "base/fs.h"
#include "layout/parts_json.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::layout;

TEST_SUITE("layout/parts_json") {
  TEST_CASE("encodes like Go json.Marshal: compact, sorted, [] for empty") {
    DataPartsJson p;
    p.small = {"B", "A"};
    CHECK(p.encode() == R"({"Small":["A","B"],"Big":[]})");
    TablePartsJson t;
    CHECK(t.encode() == "[]");
    t.parts = {"18EA240D99112670"};
    CHECK(t.encode() == R"(["18EA240D99112670"])");
  }

  TEST_CASE("decodes with Go rules: case-insensitive keys, unknown fields, null lists") {
    auto p = DataPartsJson::decode(R"({"small":["X"],"BIG":null,"Extra":1})");
    REQUIRE(p.is_ok());
    CHECK(p->small == std::vector<std::string>{"X"});
    CHECK(p->big.empty());
    auto t = TablePartsJson::decode("null");
    REQUIRE(t.is_ok());
    CHECK(t->parts.empty());
  }

  TEST_CASE("rejects malformed JSON and bad part names") {
    CHECK(!DataPartsJson::decode("{").is_ok());
    CHECK(!DataPartsJson::decode(R"({"Small":[1]})").is_ok());
    CHECK(!DataPartsJson::decode(R"({"Small":["../etc"]})").is_ok());
    CHECK(!TablePartsJson::decode(R"({"a":1})").is_ok());
    CHECK(!TablePartsJson::decode("").is_ok());
  }

  TEST_CASE("re-encoding every fixture parts.json gives the server's bytes") {
    for (const char* rel : {"tiny/storage/data/small/2023_10/parts.json", "tiny/storage/indexdb/18EA2420BC13A01A/parts.json",
                            "tiny/storage/indexdb/18EA2420BC13A019/parts.json",
                            "node/storage-after-merge/data/small/2023_11/parts.json"}) {
      std::string path = test::fixture(rel);
      auto text = fs::read_file(path, 1 << 20);
      REQUIRE(text.is_ok());
      if (std::string(rel).find("indexdb") != std::string::npos) {
        auto t = read_table_parts_json(path);
        REQUIRE(t.is_ok());
        CHECK(t->encode() == *text);
      } else {
        auto d = read_data_parts_json(path);
        REQUIRE(d.is_ok());
        CHECK(d->encode() == *text);
      }
    }
  }
}
