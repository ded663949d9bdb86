#include "base/utf8.h"

#include <doctest/doctest.h>

using namespace vmt;

TEST_SUITE("base/utf8") {
  TEST_CASE("append encodes 1 to 4 bytes; decode_rune reads them back") {
    for (uint32_t r : {0x24u, 0x7Fu, 0x80u, 0xA2u, 0x7FFu, 0x800u, 0x20ACu, 0xFFFFu, 0x10000u, 0x10348u, 0x10FFFFu}) {
      std::string s;
      utf8::append(s, r);
      CHECK(s.size() == (r < 0x80 ? 1u : r < 0x800 ? 2u : r < 0x10000 ? 3u : 4u));
      CHECK(utf8::decode_rune(s) == std::pair<uint32_t, size_t>{r, s.size()});
      CHECK(utf8::valid_length(s) == s.size());
    }
    std::string euro;
    utf8::append(euro, 0x20AC);
    CHECK(euro == "\xE2\x82\xAC");
  }

  TEST_CASE("invalid sequences decode as (U+FFFD, 1), as Go's utf8.DecodeRuneInString") {
    const std::pair<uint32_t, size_t> bad{utf8::kReplacement, 1};
    for (const char* s : {"\x80", "\xBF", "\xC0\x80", "\xC1\xBF",  // continuation first; overlong 2-byte
                          "\xE0\x80\x80", "\xE0\x9F\xBF",          // overlong 3-byte
                          "\xED\xA0\x80", "\xED\xBF\xBF",          // surrogates
                          "\xF0\x8F\xBF\xBF",                      // overlong 4-byte
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",  // past U+10FFFF
                          "\xE2\x82", "\xF0\x90\x80", "\xC2",      // truncated
                          "\xC2\x41", "\xFF"}) {
      CAPTURE(std::string(s));
      CHECK(utf8::decode_rune(s) == bad);
      CHECK(utf8::valid_length(s) == 0);
    }
    CHECK(utf8::decode_rune("\xEF\xBF\xBD") == std::pair<uint32_t, size_t>{0xFFFD, 3});   // U+FFFD itself
    CHECK(utf8::valid_length("\xEF\xBF\xBD") == 3);
    CHECK(utf8::valid_length(std::string_view("\0", 1)) == 1);
  }
}
