#include "encoding/nearest_delta2.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "base/hex.h"

using namespace vmt;
using namespace vmt::encoding;

namespace {

std::vector<int64_t> decode2(ByteView data, int64_t first, size_t n) {
  std::vector<int64_t> out(n);
  Status s = decode_nearest_delta2(out.data(), data, first, n);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return out;
}

}  // namespace

TEST_SUITE("encoding/nearest_delta2") {
  // encoding.md §7 example.
  TEST_CASE("pb 4 example: e4 0f 00 00 00 00 decodes to the truncated counter") {
    const std::vector<int64_t> a{1000, 2010, 3025, 4030, 5050, 6062};
    Bytes out;
    encode_nearest_delta2(out, a.data(), a.size(), 4);
    CHECK(to_hex(out) == "e40f00000000");
    CHECK(decode2(out, 1000, 6) == std::vector<int64_t>{1000, 2010, 3020, 4030, 5040, 6050});
  }

  TEST_CASE("the same input with pb 64 stays lossless") {
    const std::vector<int64_t> a{1000, 2010, 3025, 4030, 5050, 6062};
    Bytes out;
    encode_nearest_delta2(out, a.data(), a.size(), 64);
    CHECK(decode2(out, 1000, 6) == a);
  }

  // encoding.md §4.5 rows that use ND2 (precisionBits = 64).
  TEST_CASE("stream bytes of the spec's counters") {
    const std::vector<int64_t> a{1, 3, 6, 10, 15};
    Bytes out;
    encode_nearest_delta2(out, a.data(), a.size(), 64);
    CHECK(to_hex(out) == "04020202");
    const std::vector<int64_t> b{100, 101, 103, 106, 110, 115, 121};
    out.clear();
    encode_nearest_delta2(out, b.data(), b.size(), 64);
    CHECK(to_hex(out) == "020202020202");
  }

  TEST_CASE("pb 64 is lossless over wrapping second differences") {
    std::mt19937_64 rng(3);
    std::vector<int64_t> a{INT64_MIN, INT64_MAX, INT64_MIN, 0, INT64_MAX, -1};
    for (int i = 0; i < 1000; ++i) a.push_back(int64_t(rng()));
    Bytes out;
    encode_nearest_delta2(out, a.data(), a.size(), 64);
    CHECK(decode2(out, a[0], a.size()) == a);
  }

  TEST_CASE("lossy pb: the first difference is always exact") {
    const std::vector<int64_t> a{1 << 30, (1 << 30) + 123457, (1 << 30) + 250000};
    Bytes out;
    encode_nearest_delta2(out, a.data(), a.size(), 2);
    std::vector<int64_t> got = decode2(out, a[0], a.size());
    CHECK(got[0] == a[0]);
    CHECK(got[1] == a[1]);
  }

  TEST_CASE("two items: exactly one varint") {
    const std::vector<int64_t> a{5, 2};
    Bytes out;
    encode_nearest_delta2(out, a.data(), a.size(), 64);
    CHECK(to_hex(out) == "05");
    CHECK(decode2(out, 5, 2) == a);
  }

  TEST_CASE("rejects itemsCount < 2, too few varints and trailing bytes") {
    std::vector<int64_t> out(8);
    CHECK(decode_nearest_delta2(out.data(), "", 1, 1).code() == Code::corruption);
    CHECK(decode_nearest_delta2(out.data(), "", 1, 2).code() == Code::corruption);
    CHECK(decode_nearest_delta2(out.data(), ByteView("\x04\x02", 2), 1, 4).code() ==
          Code::corruption);
    Status s = decode_nearest_delta2(out.data(), ByteView("\x04\x02\x02", 3), 1, 3);
    CHECK(s.message() == "unexpected tail left after unmarshaling 2 varints from 3 bytes; tail size=1");
  }
}
