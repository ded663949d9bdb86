#include "storage/part_header.h"

#include <doctest/doctest.h>

#include "base/fs.h"
#include "../tests/test_support.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

PartHeader tiny() {
  PartHeader ph;
  ph.rows_count = 6;
  ph.blocks_count = 2;
  ph.min_timestamp = 1700000000000;
  ph.max_timestamp = 1700000030000;
  return ph;
}

std::string decode_error(const std::string& json) {
  auto r = PartHeader::decode_json(json);
  return r.is_ok() ? "ok" : r.status().message();
}

}  // namespace

TEST_SUITE("storage/part_header") {
  TEST_CASE("encodes exactly like Go json.Marshal (§13)") {
    CHECK(tiny().to_json() ==
          R"({"RowsCount":6,"BlocksCount":2,"MinTimestamp":1700000000000,"MaxTimestamp":1700000030000,"MinDedupInterval":0})");
    CHECK(tiny().to_json().size() == 110);
    PartHeader ph = tiny();
    ph.min_timestamp = -5;
    ph.min_dedup_interval = 60000;
    ph.rows_count = UINT64_MAX;
    CHECK(ph.to_json() ==
          R"({"RowsCount":18446744073709551615,"BlocksCount":2,"MinTimestamp":-5,"MaxTimestamp":1700000030000,"MinDedupInterval":60000})");
  }

  TEST_CASE("decodes its own encoding") {
    auto r = PartHeader::decode_json(tiny().to_json());
    REQUIRE(r.is_ok());
    CHECK(r.value() == tiny());
  }

  TEST_CASE("keys match case-insensitively, unknown keys are ignored, whitespace is fine") {
    auto r = PartHeader::decode_json(
        " {\n\"rowscount\": 6, \"BLOCKSCOUNT\":2,\"minTimestamp\":1700000000000,\t\"maxtimestamp\":1700000030000,"
        "\"Extra\":{\"a\":[1,2,{\"RowsCount\":99}]},\"x\":\"y\",\"MinDedupInterval\":null}\n");
    REQUIRE(r.is_ok());
    CHECK(r.value() == tiny());
  }

  TEST_CASE("Go's K and long-s folding: U+212A and U+017F match k and s") {
    auto r = PartHeader::decode_json(
        "{\"Row\xC5\xBF" "Count\":6,\"Bloc\xE2\x84\xAA" "sCount\":2,\"MinTimestamp\":1,\"MaxTimestamp\":2}");
    REQUIRE(r.is_ok());
    CHECK(r->rows_count == 6);
    CHECK(r->blocks_count == 2);
  }

  TEST_CASE("the last duplicate wins, in document order across case variants") {
    auto r = PartHeader::decode_json(
        R"({"rowscount":1,"RowsCount":7,"rowscount":6,"BlocksCount":2,"MinTimestamp":1,"MaxTimestamp":2})");
    REQUIRE(r.is_ok());
    CHECK(r->rows_count == 6);
  }

  TEST_CASE("missing fields keep the reset values and fail validation") {
    CHECK(decode_error("{}") == "MinTimestamp cannot exceed MaxTimestamp; got 9223372036854775807 vs -9223372036854775808");
    CHECK(decode_error(R"({"MinTimestamp":1,"MaxTimestamp":2})") == "RowsCount must be > 0; got 0");
    CHECK(decode_error(R"({"RowsCount":1,"MinTimestamp":1,"MaxTimestamp":2})") == "BlocksCount must be > 0; got 0");
    CHECK(decode_error(R"({"RowsCount":1,"BlocksCount":2,"MinTimestamp":1,"MaxTimestamp":2})") ==
          "BlocksCount cannot exceed RowsCount; got BlocksCount=2, RowsCount=1");
    CHECK(decode_error("null") == "MinTimestamp cannot exceed MaxTimestamp; got 9223372036854775807 vs -9223372036854775808");
  }

  TEST_CASE("type errors for known keys") {
    CHECK(decode_error(R"({"RowsCount":"6"})") == "cannot unmarshal string into RowsCount of type uint64");
    CHECK(decode_error(R"({"RowsCount":6.0})") == "cannot unmarshal number 6.0 into RowsCount of type uint64");
    CHECK(decode_error(R"({"RowsCount":1e3})") == "cannot unmarshal number 1e3 into RowsCount of type uint64");
    CHECK(decode_error(R"({"RowsCount":-1})") == "cannot unmarshal number -1 into RowsCount of type uint64");
    CHECK(decode_error(R"({"RowsCount":18446744073709551616})").find("cannot unmarshal number 18446744073709551616") == 0);
    CHECK(decode_error(R"({"MinTimestamp":9223372036854775808})") ==
          "cannot unmarshal number 9223372036854775808 into MinTimestamp of type int64");
    CHECK(decode_error(R"({"BlocksCount":true})") == "cannot unmarshal bool into BlocksCount of type uint64");
    CHECK(decode_error(R"({"MaxTimestamp":[1]})") == "cannot unmarshal array into MaxTimestamp of type int64");
    CHECK(decode_error(R"({"MaxTimestamp":{}})") == "cannot unmarshal object into MaxTimestamp of type int64");
    CHECK(decode_error("[]") == "cannot unmarshal array into the part header (want an object)");
    CHECK(decode_error("5") == "cannot unmarshal number into the part header (want an object)");
    CHECK(decode_error("\"x\"") == "cannot unmarshal string into the part header (want an object)");
  }

  TEST_CASE("extreme but valid numbers") {
    auto r = PartHeader::decode_json(
        R"({"RowsCount":18446744073709551615,"BlocksCount":1,"MinTimestamp":-9223372036854775808,"MaxTimestamp":9223372036854775807,"MinDedupInterval":-1})");
    REQUIRE(r.is_ok());
    CHECK(r->rows_count == UINT64_MAX);
    CHECK(r->min_timestamp == INT64_MIN);
    CHECK(r->max_timestamp == INT64_MAX);
    CHECK(r->min_dedup_interval == -1);
  }

  // Go accepts any bytes in a string, valid UTF-8 or not (tests/fixtures/go-json/cases.tsv).
  TEST_CASE("invalid UTF-8 in an unknown key's string is not a syntax error") {
    auto r = PartHeader::decode_json("{\"RowsCount\":1,\"BlocksCount\":1,\"MinTimestamp\":0,\"MaxTimestamp\":0,\"x\":\"\xff\"}");
    CHECK(r.is_ok());
  }

  TEST_CASE("syntax errors") {
    for (const char* bad : {"", "{", "{\"RowsCount\":6", "{\"RowsCount\":6}x", "{\"RowsCount\":06}",
                            "{'RowsCount':6}", "{\"RowsCount\":6,}", "\xff", "\xEF\xBB\xBF{}"}) {
      CAPTURE(bad);
      auto r = PartHeader::decode_json(bad);
      REQUIRE(!r.is_ok());
      CHECK(r.status().code() == Code::corruption);
      const std::string& m = r.status().message();
      CHECK((m.find("invalid character") == 0 || m == "unexpected end of JSON input"));
    }
  }

  TEST_CASE("update accumulates block headers (§9.3)") {
    PartHeader ph;
    BlockHeader bh;
    bh.rows_count = 3;
    bh.min_timestamp = 10;
    bh.max_timestamp = 20;
    ph.update(bh);
    bh.min_timestamp = 5;
    bh.max_timestamp = 7;
    ph.update(bh);
    CHECK(ph.rows_count == 6);
    CHECK(ph.blocks_count == 2);
    CHECK(ph.min_timestamp == 5);
    CHECK(ph.max_timestamp == 20);
  }

  TEST_CASE("write_dir and read_dir") {
    test::TempDir tmp;
    REQUIRE(tiny().write_dir(tmp.path()).is_ok());
    auto text = fs::read_file(tmp.sub("metadata.json"), 1000);
    REQUIRE(text.is_ok());
    CHECK(text.value() == tiny().to_json());
    auto r = PartHeader::read_dir(tmp.path());
    REQUIRE(r.is_ok());
    CHECK(r.value() == tiny());
  }

  TEST_CASE("read_dir names the file on bad content") {
    test::TempDir tmp;
    REQUIRE(fs::write_file_sync(tmp.sub("metadata.json"), "{\"RowsCount\":0}").is_ok());
    auto r = PartHeader::read_dir(tmp.path());
    REQUIRE(!r.is_ok());
    CHECK(r.status().message().find(tmp.sub("metadata.json") + ": ") == 0);
  }

  TEST_CASE("read_dir falls back to a legacy name and min_dedup_interval") {
    test::TempDir tmp;
    const std::string dir = tmp.sub("130_13_20231101000000.000_20231101090000.703_17A0B0C0D0E0F001");
    REQUIRE(fs::mkdir_p(dir).is_ok());
    auto r = PartHeader::read_dir(dir);
    REQUIRE(r.is_ok());
    CHECK(r->rows_count == 130);
    CHECK(r->min_dedup_interval == 0);
    REQUIRE(fs::write_file_sync(fs::join(dir, "min_dedup_interval"), "1m0s").is_ok());
    r = PartHeader::read_dir(dir);
    REQUIRE(r.is_ok());
    CHECK(r->min_dedup_interval == 60000);
  }

  TEST_CASE("read_dir without metadata.json and a hex name is not_found naming metadata.json") {
    test::TempDir tmp;
    const std::string dir = tmp.sub("17A0B0C0D0E0F001");
    REQUIRE(fs::mkdir_p(dir).is_ok());
    auto r = PartHeader::read_dir(dir);
    REQUIRE(!r.is_ok());
    CHECK(r.status().code() == Code::not_found);
    CHECK(r.status().message().find("metadata.json") != std::string::npos);
  }
}
