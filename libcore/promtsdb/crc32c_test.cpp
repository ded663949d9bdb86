#include "promtsdb/crc32c.h"

#include <doctest/doctest.h>

#include <string>

namespace vmt::promtsdb {

TEST_SUITE("promtsdb/crc32c") {
  TEST_CASE("the CRC-32C check value and known vectors (RFC 3720 B.4)") {
    CHECK(crc32c("123456789") == 0xE3069283u);
    CHECK(crc32c("") == 0u);
    CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
    CHECK(crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
    std::string inc(32, 0);
    for (int i = 0; i < 32; ++i) inc[i] = char(i);
    CHECK(crc32c(inc) == 0x46DD794Eu);
  }
  TEST_CASE("every length and alignment agrees with the bitwise definition") {
    std::string s;
    for (int i = 0; i < 300; ++i) s.push_back(char(i * 37 + 11));
    auto bitwise = [](std::string_view d) {
      uint32_t c = ~0u;
      for (unsigned char b : d) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      }
      return ~c;
    };
    for (size_t off = 0; off < 9; ++off) {
      for (size_t n = 0; n + off <= s.size(); n += 7) {
        CHECK(crc32c(std::string_view(s).substr(off, n)) == bitwise(std::string_view(s).substr(off, n)));
      }
    }
  }
}

}  // namespace vmt::promtsdb
