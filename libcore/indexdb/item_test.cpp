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
    CHECK(!decode_item(ByteView()).is_ok());
    CHECK(!decode_item(hx("09")).is_ok());                       // unknown namespace
    CHECK(!decode_item(hx("0400000000000000")).is_ok());         // ns 4 is 9 bytes
    CHECK(!decode_item(hx("0500000000000000000000")).is_ok());   // short ns 5
    CHECK(!decode_item(hx("01000000000000000001610162010203")).is_ok());  // tail not a multiple of 8
    CHECK(!decode_item(hx("0100000000000000000161")).is_ok());   // unterminated value
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
}
