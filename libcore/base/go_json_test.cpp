#include <doctest/doctest.h>

#include <sstream>

#include "base/fs.h"
#include "base/go_json.h"
#include "base/hex.h"

using namespace vmt;

TEST_SUITE("base/go_json") {
  // tests/fixtures/go-json/cases.tsv holds Go 1.26 encoding/json's own verdicts (gen.go): hand-picked
  // edge cases and 700 seeded mutations of the files the servers write, NULs and BOMs among them.
  TEST_CASE("accepts and rejects exactly what Go's encoding/json does, with Go's messages") {
    auto text = fs::read_file("tests/fixtures/go-json/cases.tsv", 1 << 20);
    REQUIRE(text.is_ok());
    std::istringstream lines(*text);
    std::string line;
    int cases = 0, accepted = 0;
    while (std::getline(lines, line)) {
      const size_t t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
      REQUIRE(t2 != std::string::npos);
      auto input = from_hex(line.substr(0, t1));
      REQUIRE(input.is_ok());
      const std::string verdict = line.substr(t1 + 1, t2 - t1 - 1), detail = line.substr(t2 + 1);
      auto doc = go_json::parse(*input);
      CAPTURE(line.substr(0, 200));
      if (verdict == "ok") {
        ++accepted;
        REQUIRE(doc.is_ok());
        if (doc->kind == go_json::Kind::string) CHECK(to_hex(doc->text) == detail);
      } else {
        REQUIRE(!doc.is_ok());
        // Ours is Go's message plus " at offset N".
        CHECK(doc.status().message().rfind(detail, 0) == 0);
      }
      ++cases;
    }
    CHECK(cases > 700);
    CHECK(accepted > 100);
  }

  TEST_CASE("top-level members and elements in document order, nested values by kind") {
    auto doc = go_json::parse(R"( {"a":1,"b":{"x":[1,2]},"a":"s\u00e9","c":null} )");
    REQUIRE(doc.is_ok());
    REQUIRE(doc->members.size() == 4);
    CHECK(doc->members[0].key == "a");
    CHECK(doc->members[0].value.text == "1");
    CHECK(doc->members[1].value.kind == go_json::Kind::object);
    REQUIRE(doc->members[1].value.members.size() == 1);
    CHECK(doc->members[1].value.members[0].key == "x");
    CHECK(doc->members[1].value.members[0].value.kind == go_json::Kind::array);
    CHECK(doc->members[1].value.members[0].value.elements.empty());  // below kKeptDepth: kind only
    CHECK(doc->members[2].value.text == "s\xC3\xA9");
    CHECK(doc->members[3].value.kind == go_json::Kind::null);
    auto arr = go_json::parse(R"(["x",[],true])");
    REQUIRE(arr.is_ok());
    REQUIRE(arr->elements.size() == 3);
    CHECK(arr->elements[1].kind == go_json::Kind::array);
    CHECK(arr->elements[2].text == "true");
  }

  TEST_CASE("the NUL and BOM cases the server refuses, with the offset") {
    auto nul = go_json::parse(std::string("[]\0", 3));
    REQUIRE(!nul.is_ok());
    CHECK(nul.status().message() == "invalid character '\\x00' after top-level value at offset 2");
    auto bom = go_json::parse("\xEF\xBB\xBF{}");
    REQUIRE(!bom.is_ok());
    CHECK(bom.status().message() == "invalid character '\xC3\xAF' looking for beginning of value at offset 0");
  }

  TEST_CASE("integer fields take what strconv.ParseUint / ParseInt take") {
    using go_json::Kind;
    CHECK(*go_json::to_uint64({Kind::number, "18446744073709551615", {}, {}}, "F") == UINT64_MAX);
    CHECK(!go_json::to_uint64({Kind::number, "18446744073709551616", {}, {}}, "F").is_ok());
    CHECK(!go_json::to_uint64({Kind::number, "-0", {}, {}}, "F").is_ok());
    CHECK(!go_json::to_uint64({Kind::number, "1.0", {}, {}}, "F").is_ok());
    CHECK(!go_json::to_uint64({Kind::number, "1e3", {}, {}}, "F").is_ok());
    CHECK(!go_json::to_uint64({Kind::string, "1", {}, {}}, "F").is_ok());
    CHECK(*go_json::to_int64({Kind::number, "-0", {}, {}}, "F") == 0);
    CHECK(*go_json::to_int64({Kind::number, "-9223372036854775808", {}, {}}, "F") == INT64_MIN);
    CHECK(!go_json::to_int64({Kind::number, "9223372036854775808", {}, {}}, "F").is_ok());
    CHECK(go_json::to_uint64({Kind::number, "1.5", {}, {}}, "RowsCount").status().message() ==
          "cannot unmarshal number 1.5 into RowsCount of type uint64");
  }

  TEST_CASE("keys match fields as Go folds them") {
    CHECK(go_json::key_matches("rowscount", "RowsCount"));
    CHECK(go_json::key_matches("ROWSCOUNT", "RowsCount"));
    CHECK(go_json::key_matches("Row\xC5\xBF" "Count", "RowsCount"));       // U+017F long s
    CHECK(go_json::key_matches("Bloc\xE2\x84\xAA" "sCount", "BlocksCount"));  // U+212A Kelvin sign
    CHECK(!go_json::key_matches("Smqll", "Small"));
    CHECK(!go_json::key_matches("Small ", "Small"));
  }
}
