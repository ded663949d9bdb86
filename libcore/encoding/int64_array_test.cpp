#include "encoding/int64_array.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "base/hex.h"
#include "encoding/zstd.h"

using namespace vmt;
using namespace vmt::encoding;

namespace {

struct Encoded {
  MarshalType type;
  int64_t first;
  Bytes data;
};

Encoded enc(const std::vector<int64_t>& a, uint8_t pb = 64) {
  Encoded e{};
  EncodedInt64s r = encode_int64_array(e.data, a.data(), a.size(), pb);
  e.type = r.type;
  e.first = r.first;
  return e;
}

std::vector<int64_t> dec(const Encoded& e, size_t n) {
  std::vector<int64_t> out;
  Status s = decode_int64_array(out, e.data, uint8_t(e.type), e.first, n);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return out;
}

bool has_zstd_magic(const Bytes& b) { return b.size() >= 4 && to_hex(b.substr(0, 4)) == "28b52ffd"; }

void check_round_trip(const std::vector<int64_t>& a) {
  Encoded e = enc(a, 64);
  CHECK(e.first == a[0]);
  CHECK(dec(e, a.size()) == a);
}

}  // namespace

TEST_SUITE("encoding/marshal_type") {
  TEST_CASE("names follow VM's MarshalType constants") {
    CHECK(std::string(marshal_type_name(1)) == "ZSTDNearestDelta2");
    CHECK(std::string(marshal_type_name(2)) == "DeltaConst");
    CHECK(std::string(marshal_type_name(3)) == "Const");
    CHECK(std::string(marshal_type_name(4)) == "ZSTDNearestDelta");
    CHECK(std::string(marshal_type_name(5)) == "NearestDelta2");
    CHECK(std::string(marshal_type_name(6)) == "NearestDelta");
    CHECK(std::string(marshal_type_name(0)) == "unknown");
    CHECK(std::string(marshal_type_name(7)) == "unknown");
    CHECK(is_valid_marshal_type(0));
    CHECK(is_valid_marshal_type(6));
    CHECK(!is_valid_marshal_type(7));
    CHECK(needs_validation(5));
    CHECK(needs_validation(6));
    CHECK(!needs_validation(1));
    CHECK(!needs_validation(4));
  }
}

TEST_SUITE("encoding/int64_array") {
  // encoding.md §4.5, real output with precisionBits = 64.
  TEST_CASE("spec table: Const, DeltaConst, NearestDelta2, NearestDelta") {
    Encoded e = enc({7});
    CHECK(e.type == MarshalType::kConst);
    CHECK(e.first == 7);
    CHECK(e.data.empty());

    e = enc({5, 5, 5});
    CHECK(e.type == MarshalType::kConst);
    CHECK(e.first == 5);
    CHECK(e.data.empty());

    e = enc({1000, 2000, 3000, 4000});
    CHECK(e.type == MarshalType::kDeltaConst);
    CHECK(e.first == 1000);
    CHECK(to_hex(e.data) == "d00f");

    e = enc({1, 3, 6, 10, 15});
    CHECK(e.type == MarshalType::kNearestDelta2);
    CHECK(e.first == 1);
    CHECK(to_hex(e.data) == "04020202");

    e = enc({100, 101, 103, 106, 110, 115, 121});
    CHECK(e.type == MarshalType::kNearestDelta2);
    CHECK(e.first == 100);
    CHECK(to_hex(e.data) == "020202020202");

    e = enc({10, 8, 12, 7, 20});
    CHECK(e.type == MarshalType::kNearestDelta);
    CHECK(e.first == 10);
    CHECK(to_hex(e.data) == "0308091a");
  }

  TEST_CASE("spec table: 300 slowly increasing counters give ZSTDNearestDelta2") {
    std::vector<int64_t> a;
    std::mt19937_64 rng(7);
    int64_t v = 1000;
    for (int i = 0; i < 300; ++i) a.push_back(v += int64_t(rng() % 10));
    Encoded e = enc(a);
    CHECK(e.type == MarshalType::kZstdNearestDelta2);
    CHECK(has_zstd_magic(e.data));
    CHECK(dec(e, a.size()) == a);
  }

  // Whether zstd reaches the 90% threshold depends on the data and the compressor (libzstd keeps
  // ~96% on 300 uniform deltas); a gauge jumping between 8 levels is clearly compressible.
  TEST_CASE("spec table: 300 pseudo-random gauges in [0,1000) give ZSTDNearestDelta") {
    std::vector<int64_t> a;
    std::mt19937_64 rng(8);
    for (int i = 0; i < 300; ++i) a.push_back(int64_t(rng() % 8) * 125);
    Encoded e = enc(a);
    CHECK(e.type == MarshalType::kZstdNearestDelta);
    CHECK(has_zstd_magic(e.data));
    CHECK(dec(e, a.size()) == a);
  }

  TEST_CASE("spec table: 300 random 62-bit numbers stay plain NearestDelta") {
    std::vector<int64_t> a;
    std::mt19937_64 rng(9);
    for (int i = 0; i < 300; ++i) a.push_back(int64_t(rng() >> 2));
    Encoded e = enc(a);
    CHECK(e.type == MarshalType::kNearestDelta);
    CHECK(!has_zstd_magic(e.data));
    CHECK(dec(e, a.size()) == a);
  }

  TEST_CASE("Const is checked before DeltaConst; two distinct items give DeltaConst") {
    CHECK(enc({3, 9}).type == MarshalType::kDeltaConst);
    CHECK(to_hex(enc({3, 9}).data) == "0c");
    CHECK(enc({INT64_MAX, INT64_MIN}).type == MarshalType::kDeltaConst);  // wrapping delta 1
    CHECK(to_hex(enc({INT64_MAX, INT64_MIN}).data) == "02");
  }

  TEST_CASE("plain streams under 128 bytes are never compressed") {
    std::vector<int64_t> a;
    int64_t v = 0;
    for (int i = 0; i < 127; ++i) a.push_back(v += (i % 3));  // 126 one-byte varints
    Encoded e = enc(a);
    CHECK(e.type == MarshalType::kNearestDelta2);
    CHECK(e.data.size() == 126);
  }

  TEST_CASE("compressible plain streams of >= 128 bytes are compressed") {
    std::vector<int64_t> a;
    int64_t v = 0;
    for (int i = 0; i < 200; ++i) a.push_back(v += (i % 3));
    Encoded e = enc(a);
    CHECK(e.type == MarshalType::kZstdNearestDelta2);
    CHECK(dec(e, a.size()) == a);
  }

  TEST_CASE("the zstd frame decompresses to the plain stream") {
    std::vector<int64_t> a;
    for (int i = 0; i < 1000; ++i) a.push_back(int64_t(i) * i);
    Encoded z = enc(a);
    REQUIRE(z.type == MarshalType::kZstdNearestDelta2);
    Bytes plain;
    REQUIRE(zstd::decompress(plain, z.data, 10000).is_ok());
    std::vector<int64_t> out;
    REQUIRE(decode_int64_array(out, plain, uint8_t(MarshalType::kNearestDelta2), 0, a.size()).is_ok());
    CHECK(out == a);
  }

  TEST_CASE("gauges get pb + 2 when pb < 6") {
    // The §6 worked example goes through the gauge path with pb 3 and yields pb-5 bytes.
    Encoded e = enc({500, 480, 530, 470, 600}, 3);
    CHECK(e.type == MarshalType::kNearestDelta);
    CHECK(to_hex(e.data) == "1f403fc001");
    CHECK(dec(e, 5) == std::vector<int64_t>{500, 484, 516, 484, 580});
  }

  TEST_CASE("counters with pb < 64 use ND2 with pb unchanged") {
    Encoded e = enc({1000, 2010, 3025, 4030, 5050, 6062}, 4);
    CHECK(e.type == MarshalType::kNearestDelta2);
    CHECK(to_hex(e.data) == "e40f00000000");
  }

  // encoding.md §4.3.
  TEST_CASE("zstd level by item count") {
    CHECK(compress_level_for_items(1) == 1);
    CHECK(compress_level_for_items(64) == 1);
    CHECK(compress_level_for_items(65) == 2);
    CHECK(compress_level_for_items(256) == 2);
    CHECK(compress_level_for_items(257) == 3);
    CHECK(compress_level_for_items(1024) == 3);
    CHECK(compress_level_for_items(1025) == 4);
    CHECK(compress_level_for_items(4096) == 4);
    CHECK(compress_level_for_items(4097) == 5);
    CHECK(compress_level_for_items(8192) == 5);
  }

  TEST_CASE("round trip with pb 64 over counters, gauges, constants and extremes") {
    std::mt19937_64 rng(10);
    for (int iter = 0; iter < 300; ++iter) {
      const size_t n = 1 + rng() % (iter < 200 ? 300 : 9000);
      std::vector<int64_t> a(n);
      const int kind = iter % 7;
      int64_t v = int64_t(rng() % 1000000);
      for (size_t i = 0; i < n; ++i) {
        switch (kind) {
          case 0: v += int64_t(rng() % 100); break;                               // counter
          case 1: v = int64_t(rng() % 100000) - 50000; break;                      // gauge
          case 2: break;                                                           // const
          case 3: v = int64_t(rng()); break;                                       // full range
          case 4: v = (rng() & 1) ? INT64_MAX : INT64_MIN; break;                  // extremes
          case 5: v = 1698760800000 + int64_t(i) * 15000 + int64_t(rng() % 3); break;  // timestamps
          default: v = (i % 50 == 49) ? 0 : v + int64_t(rng() % 1000); break;     // resets
        }
        a[i] = v;
      }
      check_round_trip(a);
    }
  }

  TEST_CASE("round trip of edge arrays") {
    check_round_trip({INT64_MIN});
    check_round_trip({INT64_MAX, INT64_MIN, INT64_MAX});
    check_round_trip({INT64_MIN, INT64_MAX, 0, INT64_MIN + 1, INT64_MAX - 1, -1, 1});
    check_round_trip({0, -1, 0, -1, 0});
    check_round_trip({INT64_MAX - 2, INT64_MAX - 1, INT64_MAX});
  }

  TEST_CASE("lossy round trip keeps first item and length") {
    std::mt19937_64 rng(11);
    for (uint8_t pb = 1; pb <= 64; ++pb) {
      std::vector<int64_t> a;
      int64_t v = 1000000;
      for (int i = 0; i < 200; ++i) a.push_back(v += int64_t(rng() % 2000) - (pb % 2 ? 1000 : 0));
      Encoded e = enc(a, pb);
      std::vector<int64_t> got = dec(e, a.size());
      CHECK(got.size() == a.size());
      CHECK(got[0] == a[0]);
    }
  }

  TEST_CASE("decoder errors: unknown types") {
    std::vector<int64_t> out;
    Status s = decode_int64_array(out, "", 0, 1, 1);
    CHECK(s.code() == Code::corruption);
    CHECK(s.message() == "unknown MarshalType=0");
    CHECK(decode_int64_array(out, "", 7, 1, 1).message() == "unknown MarshalType=7");
    CHECK(decode_int64_array(out, "", 255, 1, 1).code() == Code::corruption);
  }

  TEST_CASE("decoder errors: Const with data, DeltaConst not exactly one varint") {
    std::vector<int64_t> out;
    CHECK(decode_int64_array(out, "x", 3, 1, 3).message() ==
          "unexpected data left in const encoding: 1 bytes");
    CHECK(decode_int64_array(out, "", 2, 1, 3).code() == Code::corruption);
    CHECK(decode_int64_array(out, ByteView("\x80", 1), 2, 1, 3).code() == Code::corruption);
    CHECK(decode_int64_array(out, ByteView("\x02\x02", 2), 2, 1, 3).message() ==
          "unexpected trailing data after delta const (d=1): 1 bytes");
    REQUIRE(decode_int64_array(out, ByteView("\x01", 1), 2, 10, 3).is_ok());
    CHECK(out == std::vector<int64_t>{10, 9, 8});
    REQUIRE(decode_int64_array(out, "", 3, -4, 4).is_ok());
    CHECK(out == std::vector<int64_t>{-4, -4, -4, -4});
  }

  TEST_CASE("decoder errors: plain streams with too few varints or trailing bytes") {
    std::vector<int64_t> out;
    CHECK(decode_int64_array(out, ByteView("\x04\x02", 2), 5, 1, 5).code() == Code::corruption);
    CHECK(decode_int64_array(out, ByteView("\x04\x02\x02\x02\x02", 5), 5, 1, 5).code() ==
          Code::corruption);
    Status s = decode_int64_array(out, ByteView("\x03\x08", 2), 6, 10, 5);
    CHECK(s.message().rfind("cannot unmarshal NearestDelta data: ", 0) == 0);
    CHECK(decode_int64_array(out, "", 5, 1, 1).code() == Code::corruption);  // ND2 needs 2 items
    CHECK(decode_int64_array(out, "", 6, 1, 0).code() == Code::corruption);
  }

  TEST_CASE("decoder errors: zstd types with bad frames or wrong counts") {
    std::vector<int64_t> a;
    for (int i = 0; i < 1000; ++i) a.push_back(int64_t(i) * i);
    Encoded z = enc(a);
    REQUIRE(z.type == MarshalType::kZstdNearestDelta2);
    std::vector<int64_t> out;
    CHECK(decode_int64_array(out, z.data, 1, 0, 999).code() == Code::corruption);
    CHECK(decode_int64_array(out, z.data, 1, 0, 1001).code() == Code::corruption);
    CHECK(decode_int64_array(out, ByteView(z.data).substr(0, z.data.size() - 2), 1, 0, 1000)
              .code() == Code::corruption);
    CHECK(decode_int64_array(out, "garbage", 4, 0, 10).code() == Code::corruption);
    // A decompression bomb: a frame far larger than 10 bytes per item is refused.
    Bytes bomb;
    zstd::compress(bomb, Bytes(1 << 20, '\0'), 1);
    Status s = decode_int64_array(out, bomb, 4, 0, 100);
    CHECK(s.code() == Code::corruption);
    CHECK(s.message().find("exceeds the limit") != std::string::npos);
  }

  // encoding.md §5.
  TEST_CASE("isGauge examples") {
    auto g = [](std::vector<int64_t> a) { return is_gauge(a.data(), a.size()); };
    CHECK(g({10, 20, 5, 30}));                // 5 > 20>>3
    CHECK(!g({10, 20, 1, 30}));               // one reset
    CHECK(g({0, 5, 0, 5, 0, 5, 0, 5}));       // 4 resets > 8>>3
    CHECK(!g({7}));
    CHECK(g({-1, 5}));                        // counters are never negative
    CHECK(g({5, -1}));
    CHECK(!g({5, 5, 5}));                     // equal items are not resets
    CHECK(g({100, 0, 100, 0, 100, 0, 100}));  // 3 resets > 7>>3 = 0
    std::vector<int64_t> c;                   // 4 resets in 32 items: not > 32>>3 = 4
    for (int i = 0; i < 32; ++i) c.push_back(i % 8 == 7 ? 0 : 100 + i);
    CHECK(!g(c));
  }

  // encoding.md §8.
  TEST_CASE("EnsureNonDecreasingSequence example") {
    std::vector<int64_t> ts{5, 3, 9, 8, 12};
    ensure_non_decreasing(ts.data(), ts.size(), 4, 10);
    CHECK(ts == std::vector<int64_t>{4, 4, 9, 9, 10});
    std::vector<int64_t> one{7};
    ensure_non_decreasing(one.data(), 1, 3, 3);
    CHECK(one == std::vector<int64_t>{3});
    std::vector<int64_t> ok{1, 2, 3};
    ensure_non_decreasing(ok.data(), 3, 1, 3);
    CHECK(ok == std::vector<int64_t>{1, 2, 3});
    ensure_non_decreasing(nullptr, 0, 1, 3);
  }
}
