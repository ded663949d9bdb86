#include "encoding/nearest_delta.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "base/hex.h"

using namespace vmt;
using namespace vmt::encoding;

namespace {

std::vector<int64_t> decode(ByteView data, int64_t first, size_t n) {
  std::vector<int64_t> out(n);
  Status s = decode_nearest_delta(out.data(), data, first, n);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return out;
}

}  // namespace

TEST_SUITE("encoding/nearest_delta") {
  // encoding.md §6 worked example: gauge [500 480 530 470 600], pb 3 raised to 5 by the gauge path.
  TEST_CASE("worked example with pb 5 truncates toward zero: 1f 40 3f c0 01") {
    const std::vector<int64_t> a{500, 480, 530, 470, 600};
    CHECK(nd_trailing_zeros(500, 5) == 4);
    Bytes out;
    encode_nearest_delta(out, a.data(), a.size(), 5);
    CHECK(to_hex(out) == "1f403fc001");
    CHECK(decode(out, 500, 5) == std::vector<int64_t>{500, 484, 516, 484, 580});
  }

  TEST_CASE("worked example step by step") {
    NearestDelta r = nearest_delta(480, 500, 5, 4);
    CHECK(r.d == -16);
    CHECK(r.tz == 4);
    r = nearest_delta(530, 484, 5, 4);
    CHECK(r.d == 32);
    CHECK(r.tz == 5);
    r = nearest_delta(470, 516, 5, 5);
    CHECK(r.d == -32);
    CHECK(r.tz == 4);
    r = nearest_delta(600, 484, 5, 4);
    CHECK(r.d == 96);
    CHECK(r.tz == 5);
  }

  TEST_CASE("nearest_delta keeps d exact on small values and zero deltas, decrementing tz") {
    CHECK(nearest_delta(7, 7, 3, 5).d == 0);
    CHECK(nearest_delta(7, 7, 3, 5).tz == 4);
    CHECK(nearest_delta(7, 7, 3, 0).tz == 0);
    CHECK(nearest_delta(7, 3, 3, 2).d == 4);  // bitlen(7) = 3 <= pb
    CHECK(nearest_delta(7, 3, 3, 2).tz == 1);
  }

  TEST_CASE("nearest_delta hysteresis: a magnitude jump keeps d exact") {
    // bitlen(1<<20) = 21, pb 4 -> tz 17 > 0 + 4: "probably a reset", tz moves by +2 only.
    NearestDelta r = nearest_delta(int64_t(1) << 20, 3, 4, 0);
    CHECK(r.d == (int64_t(1) << 20) - 3);
    CHECK(r.tz == 2);
    // tz 0 + 4 < 10: the other way, tz moves by -2.
    r = nearest_delta(5, 1000, 2, 10);
    CHECK(r.d == -995);
    CHECK(r.tz == 8);
  }

  TEST_CASE("trailing zeros count |MinInt64| as 64 bits") {
    CHECK(nd_trailing_zeros(INT64_MIN, 1) == 63);
    CHECK(nd_trailing_zeros(INT64_MAX, 1) == 62);
    CHECK(nd_trailing_zeros(-1, 1) == 0);
    CHECK(nd_trailing_zeros(0, 1) == 0);
    CHECK(nd_trailing_zeros(INT64_MIN, 64) == 0);
    NearestDelta r = nearest_delta(INT64_MIN, 0, 1, 63);
    CHECK(r.d == INT64_MIN);  // |d| = 2^63 keeps its top bit; wrapping negate
    CHECK(r.tz == 63);
  }

  TEST_CASE("small changes on large values vanish with pb 6") {
    // encoding.md §6: ND with pb = 6 on [100000 100100 100205 ...] encodes all zeros.
    const std::vector<int64_t> a{100000, 100100, 100205, 100290, 100410};
    Bytes out;
    encode_nearest_delta(out, a.data(), a.size(), 6);
    CHECK(to_hex(out) == "00000000");
    CHECK(decode(out, 100000, 5) == std::vector<int64_t>(5, 100000));
  }

  TEST_CASE("pb 64 is lossless over wrapping differences") {
    std::mt19937_64 rng(1);
    std::vector<int64_t> a{INT64_MAX, INT64_MIN, 0, -1, INT64_MIN, INT64_MAX, 1};
    for (int i = 0; i < 1000; ++i) a.push_back(int64_t(rng()));
    Bytes out;
    encode_nearest_delta(out, a.data(), a.size(), 64);
    CHECK(decode(out, a[0], a.size()) == a);
  }

  TEST_CASE("lossy pb keeps the error within one quantum of the value") {
    std::mt19937_64 rng(2);
    for (uint8_t pb : {1, 2, 8, 20, 40, 63}) {
      std::vector<int64_t> a;
      int64_t v = 1 << 20;
      for (int i = 0; i < 500; ++i) {
        v += int64_t(rng() % 2001) - 1000;
        a.push_back(v);
      }
      Bytes out;
      encode_nearest_delta(out, a.data(), a.size(), pb);
      std::vector<int64_t> got = decode(out, a[0], a.size());
      REQUIRE(got.size() == a.size());
      CHECK(got[0] == a[0]);
      for (size_t i = 0; i < a.size(); ++i) {
        const int64_t err = got[i] > a[i] ? got[i] - a[i] : a[i] - got[i];
        // tz <= bitlen(value) - pb + 2 (hysteresis); the error stays below 2^(tz+1).
        const int tz_max = 64 - __builtin_clzll(uint64_t(a[i])) - pb + 3;
        if (tz_max > 0 && tz_max < 62) CHECK(err < (int64_t(1) << tz_max));
      }
    }
  }

  TEST_CASE("one item encodes to nothing and decodes from nothing") {
    const int64_t a[1] = {42};
    Bytes out;
    encode_nearest_delta(out, a, 1, 64);
    CHECK(out.empty());
    CHECK(decode("", 42, 1) == std::vector<int64_t>{42});
  }

  TEST_CASE("rejects too few varints, bad varints, trailing bytes and itemsCount 0") {
    std::vector<int64_t> out(8);
    Status s = decode_nearest_delta(out.data(), ByteView("\x02\x02", 2), 0, 4);
    CHECK(s.code() == Code::corruption);
    CHECK(s.message() == "cannot unmarshal 3 varints from 2 bytes: varint #2 at offset 2: "
                         "unexpected end of data");
    s = decode_nearest_delta(out.data(), ByteView("\x02\x80", 2), 0, 3);
    CHECK(s.message().find("truncated varint") != std::string::npos);
    const Bytes eleven(11, '\xff');
    s = decode_nearest_delta(out.data(), eleven, 0, 2);
    CHECK(s.message().find("longer than 10 bytes") != std::string::npos);
    s = decode_nearest_delta(out.data(), ByteView("\x02\x02\x02", 3), 0, 3);
    CHECK(s.message() == "unexpected tail left after unmarshaling 2 varints from 3 bytes; tail size=1");
    CHECK(decode_nearest_delta(out.data(), "", 0, 0).code() == Code::corruption);
  }
}
