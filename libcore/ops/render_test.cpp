#include <doctest/doctest.h>

#include "ops/render.h"

using namespace vmt;
using namespace vmt::ops;

TEST_SUITE("ops/render") {
  TEST_CASE("printable keeps valid UTF-8 and escapes control bytes, invalid UTF-8 and backslashes") {
    CHECK(printable("up") == "up");
    CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK(printable(std::string("a\0b\n", 4)) == "a\\x00b\\x0a");
    CHECK(printable("\xff\xfe") == "\\xff\\xfe");
    CHECK(printable("\xc3") == "\\xc3");              // truncated sequence
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate is not UTF-8
    CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");      // overlong
    CHECK(printable("a\\b") == "a\\\\b");
    CHECK(printable("\x7f") == "\\x7f");
  }
  TEST_CASE("printable_capped cuts long input and says how long it was; message backslashes stay single") {
    const std::string line(10000, 'x');
    const std::string out = printable_capped(line, 100);
    CHECK(out == std::string(100, 'x') + "... (10000 bytes)");
    CHECK(printable_capped("value \"\\\"a\"", 100) == "value \"\\\"a\"");
    CHECK(printable_capped("\xff", 100) == "\\xff");
    CHECK(printable_capped("short", 100) == "short");
  }
}
