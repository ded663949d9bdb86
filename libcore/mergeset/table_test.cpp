#include "mergeset/table.h"

#include <doctest/doctest.h>

#include "mergeset/test_util.h"

using namespace vmt;
using namespace vmt::mergeset;

TEST_SUITE("mergeset/table") {
  TEST_CASE("parts.json is written like Go's json.Marshal: sorted, compact, no newline") {
    CHECK(encode_parts_json({}) == "[]");
    CHECK(encode_parts_json({"18EA240D99112670"}) == "[\"18EA240D99112670\"]");
    CHECK(encode_parts_json({"B", "A", "C"}) == "[\"A\",\"B\",\"C\"]");
    CHECK(encode_parts_json({"a\"b<"}) == "[\"a\\\"b\\u003c\"]");
  }

  TEST_CASE("parts.json is read with Go syntax; anything but an array of distinct names is an error") {
    auto r = decode_parts_json(" [ \"B\" , \"A\" ]\n");
    REQUIRE(r.is_ok());
    CHECK(*r == std::vector<std::string>{"B", "A"});  // file order kept
    CHECK(decode_parts_json("[]").is_ok());
    CHECK(decode_parts_json("[\"\\u0041\"]").value() == std::vector<std::string>{"A"});
    for (const char* bad : {"", "[", "{}", "\"A\"", "[1]", "[[\"A\"]]", "[\"A\"] x", "[null]", "[\"..\"]",
                            "[\"a/b\"]", "[\"\"]", "null", "[\"A\",\"A\"]", "\xEF\xBB\xBF[]"}) {
      CHECK_MESSAGE(!decode_parts_json(bad).is_ok(), bad);
    }
  }

  TEST_CASE("fixtures: parts.json lists exactly the part directories") {
    auto tables = testutil::fixture_table_dirs();
    REQUIRE(tables.size() >= 10);
    auto all_parts = testutil::fixture_part_dirs();
    size_t listed = 0;
    for (const auto& t : tables) {
      CAPTURE(t);
      auto names = read_part_names(t);
      REQUIRE_MESSAGE(names.is_ok(), names.status().message());
      auto parts = list_parts(t);
      REQUIRE_MESSAGE(parts.is_ok(), parts.status().message());
      REQUIRE(parts->size() == names->size());
      for (const auto& p : *parts) {
        CHECK(std::find(all_parts.begin(), all_parts.end(), p.path) != all_parts.end());
        auto r = PartReader::open(p.path);
        REQUIRE(r.is_ok());
        CHECK((*r)->size_bytes() == p.size_bytes);
        CHECK((*r)->header() == p.header);
        ++listed;
      }
      // Re-encoding gives the file's bytes (Go wrote it sorted and compact).
      auto text = fs::read_file(fs::join(t, "parts.json"), 1 << 20);
      REQUIRE(text.is_ok());
      CHECK(encode_parts_json(*names) == *text);
    }
    CHECK(listed == all_parts.size());
  }

  TEST_CASE("write_part_names replaces parts.json atomically; missing parts.json lists directories") {
    vmt::test::TempDir tmp;
    REQUIRE(fs::mkdir_p(tmp.sub("18EA240D99112671")).is_ok());
    REQUIRE(fs::mkdir_p(tmp.sub("18EA240D99112670")).is_ok());
    REQUIRE(fs::mkdir_p(tmp.sub("tmp")).is_ok());
    REQUIRE(fs::mkdir_p(tmp.sub("x.must-remove.1")).is_ok());
    auto names = read_part_names(tmp.path());
    REQUIRE(names.is_ok());
    CHECK(*names == std::vector<std::string>{"18EA240D99112670", "18EA240D99112671"});
    REQUIRE(write_part_names(tmp.path(), {"18EA240D99112671", "18EA240D99112670"}).is_ok());
    auto text = fs::read_file(tmp.sub("parts.json"), 1 << 20);
    REQUIRE(text.is_ok());
    CHECK(*text == "[\"18EA240D99112670\",\"18EA240D99112671\"]");
    auto entries = fs::list_dir(tmp.path());
    REQUIRE(entries.is_ok());
    for (const auto& e : *entries) CHECK(e.name.find(".tmp.") == std::string::npos);
    CHECK(write_part_names(tmp.path(), {"../evil"}).code() == Code::invalid_argument);
    CHECK(new_part_name(0x18EA240D99112670ull) == "18EA240D99112670");
  }

  TEST_CASE("list_parts fails on a listed part that is missing") {
    vmt::test::TempDir tmp;
    REQUIRE(write_part_names(tmp.path(), {"18EA240D99112670"}).is_ok());
    auto parts = list_parts(tmp.path());
    REQUIRE(!parts.is_ok());
    CHECK(parts.status().message().find("18EA240D99112670/metadata.json") != std::string::npos);
  }
}
