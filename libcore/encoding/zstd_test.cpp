#include "encoding/zstd.h"

#include <doctest/doctest.h>
#include <zstd.h>

#include <random>
#include <string>

#include "base/hex.h"

using namespace vmt;

namespace {

Bytes sample_text(size_t n) {
  Bytes s;
  std::mt19937_64 rng(42);
  while (s.size() < n) s += "sample " + std::to_string(rng() % 1000) + " ";
  s.resize(n);
  return s;
}

// A frame without Frame_Content_Size, as VM's pure-Go builds may write (encoding.md §3): the
// streaming API without a pledged size leaves the field out.
Bytes frame_without_content_size(ByteView src, int level) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  Bytes out(ZSTD_compressBound(src.size()) + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  ZSTD_inBuffer in{src.data(), src.size(), 0};
  size_t r;
  do {
    r = ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
  } while (r != 0 && !ZSTD_isError(r));
  ZSTD_freeCCtx(c);
  out.resize(o.pos);
  return out;
}

}  // namespace

TEST_SUITE("encoding/zstd") {
  TEST_CASE("round trip at VM's levels including negative fast levels") {
    const Bytes src = sample_text(5000);
    for (int level : {-5, -2, -1, 1, 2, 3, 4, 5}) {
      Bytes c = "prefix";
      zstd::compress(c, src, level);
      REQUIRE(c.size() > 6 + 4);
      CHECK(to_hex(ByteView(c).substr(6, 4)) == "28b52ffd");  // exactly one frame, appended
      Bytes d = "keep";
      REQUIRE(zstd::decompress(d, ByteView(c).substr(6), src.size()).is_ok());
      CHECK(d == "keep" + src);
    }
  }

  TEST_CASE("the store level: one frame of raw blocks that libzstd reads, 128 KiB blocks") {
    constexpr size_t kBlock = 128 << 10;
    for (size_t n : {size_t(1), size_t(5000), kBlock - 1, kBlock, kBlock + 1, 3 * kBlock + 7}) {
      const Bytes src = sample_text(n);
      Bytes c = "prefix";
      zstd::compress(c, src, zstd::kStoreLevel);
      const ByteView frame = ByteView(c).substr(6);
      CHECK(to_hex(frame.substr(0, 4)) == "28b52ffd");
      // Header (magic, descriptor, 4-byte content size), then 3 bytes per block and the bytes.
      const size_t blocks = (n + kBlock - 1) / kBlock;
      CHECK(frame.size() == 9 + 3 * blocks + n);
      // libzstd's own reading of the frame: its content size, and the content itself.
      CHECK(ZSTD_getFrameContentSize(frame.data(), frame.size()) == n);
      CHECK(ZSTD_findFrameCompressedSize(frame.data(), frame.size()) == frame.size());
      Bytes d = "keep";
      REQUIRE(zstd::decompress(d, frame, n).is_ok());
      CHECK(d == "keep" + src);
      // Bounded like any frame: one byte less than its content is refused.
      Bytes small;
      CHECK(!zstd::decompress(small, frame, n - 1).is_ok());
    }
    Bytes none;
    zstd::compress(none, Bytes(), zstd::kStoreLevel);
    CHECK(none.empty());
  }

  TEST_CASE("surely_larger_than: never for a stream libzstd brings to the ratio, at every block level") {
    std::mt19937_64 rng(12);
    // Zig-zag varints of deltas of every spread (the nearest-delta streams of noisy to smooth
    // values), some with runs of a few symbols, some repeating a random stretch (periodic values):
    // high entropy that zstd still compresses through matches.
    auto stream = [&](size_t values, uint64_t spread, int shape) {
      Bytes s;
      Bytes period;
      for (size_t i = 0; i < values; ++i) {
        int64_t d = int64_t(rng() % (2 * spread + 1)) - int64_t(spread);
        if (shape == 1 && rng() % 4 != 0) d = int64_t(rng() % 3);
        uint64_t z = (uint64_t(d) << 1) ^ uint64_t(d >> 63);
        while (z >= 0x80) {
          s.push_back(char(z | 0x80));
          z >>= 7;
        }
        s.push_back(char(z));
      }
      if (shape == 2 && s.size() > 40) {  // the first 40 bytes over and over
        period = s.substr(0, 40);
        for (size_t i = 40; i < s.size(); ++i) s[i] = period[i % 40];
      }
      if (shape == 3 && s.size() > 200) {  // a fifth of it copied to the end: partly matched
        const size_t k = s.size() / 5;
        std::copy(s.begin(), s.begin() + std::ptrdiff_t(k), s.end() - std::ptrdiff_t(k));
      }
      return s;
    };
    size_t refused = 0, compressed_below = 0;
    for (int round = 0; round < 600; ++round) {
      const size_t values = 20 + rng() % 2000;
      const uint64_t spread = uint64_t(1) << (rng() % 40);
      const Bytes s = stream(values, spread, int(rng() % 4));
      if (s.size() < 128) continue;
      const bool refuse = zstd::surely_larger_than(s, 0.9);
      refused += refuse;
      for (int level = 1; level <= 5; ++level) {
        Bytes out;
        zstd::compress(out, s, level);
        const bool below = double(out.size()) <= 0.9 * double(s.size());
        compressed_below += below;
        CAPTURE(s.size());
        CAPTURE(level);
        if (refuse) REQUIRE_FALSE(below);
      }
    }
    // Both answers happen: the test is not vacuous.
    CHECK(refused > 50);
    CHECK(compressed_below > 100);
    // Random bytes: refused; the same bytes repeated: not (zstd matches them).
    Bytes noise;
    for (int i = 0; i < 300; ++i) noise.push_back(char(rng()));
    CHECK(zstd::surely_larger_than(noise, 0.9));
    CHECK_FALSE(zstd::surely_larger_than(noise + noise + noise, 0.9));
    // Few symbols: never refused. Outside 64..65535 bytes: never guessed.
    CHECK_FALSE(zstd::surely_larger_than(Bytes(1000, 'a') + "bcd", 0.9));
    CHECK_FALSE(zstd::surely_larger_than(noise.substr(0, 63), 0.9));
    Bytes big;
    while (big.size() <= 65535) big += noise;
    CHECK_FALSE(zstd::surely_larger_than(big, 0.9));
  }

  TEST_CASE("empty input compresses to nothing and decompresses to nothing") {
    Bytes c;
    zstd::compress(c, "", 1);
    CHECK(c.empty());
    Bytes d = "x";
    CHECK(zstd::decompress(d, "", 0).is_ok());
    CHECK(d == "x");
  }

  TEST_CASE("accepts frames without content size") {
    const Bytes src = sample_text(100000);
    const Bytes c = frame_without_content_size(src, -5);
    REQUIRE(ZSTD_getFrameContentSize(c.data(), c.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
    // FHD byte 0x00 or similar: no FCS flag bits (encoding.md §3 "28 b5 2f fd 00 00").
    CHECK((uint8_t(c[4]) & 0xC0) == 0);
    Bytes d;
    REQUIRE(zstd::decompress(d, c, src.size()).is_ok());
    CHECK(d == src);
    // Exactly at the limit is fine; one byte less is not.
    Bytes e;
    Status s = zstd::decompress(e, c, src.size() - 1);
    CHECK(s.code() == Code::corruption);
    CHECK(s.message().find("exceeds the limit") != std::string::npos);
    CHECK(e.empty());
  }

  TEST_CASE("rejects content larger than max_size before allocating it") {
    const Bytes src(1 << 20, 'a');
    Bytes c;
    zstd::compress(c, src, 1);
    Bytes d;
    Status s = zstd::decompress(d, c, 1000);
    CHECK(s.code() == Code::corruption);
    CHECK(s.message().find("exceeds the limit of 1000 bytes") != std::string::npos);
    CHECK(d.capacity() < 100000);
  }

  TEST_CASE("accepts concatenated frames") {
    Bytes c;
    zstd::compress(c, "hello ", 1);
    c += frame_without_content_size("world", 1);
    zstd::compress(c, "!", 3);
    Bytes d;
    REQUIRE(zstd::decompress(d, c, 100).is_ok());
    CHECK(d == "hello world!");
    Bytes e;
    CHECK(!zstd::decompress(e, c, 11).is_ok());
  }

  TEST_CASE("rejects garbage, truncated frames and trailing bytes") {
    const Bytes src = sample_text(3000);
    Bytes c;
    zstd::compress(c, src, 1);
    Bytes d;
    CHECK(zstd::decompress(d, "not zstd", 100).code() == Code::corruption);
    CHECK(zstd::decompress(d, ByteView(c).substr(0, 3), 10000).code() == Code::corruption);
    for (size_t cut : {size_t(6), c.size() / 2, c.size() - 1}) {
      CHECK(zstd::decompress(d, ByteView(c).substr(0, cut), 10000).code() == Code::corruption);
      CHECK(d.empty());
    }
    Bytes nofcs = frame_without_content_size(src, 1);
    CHECK(zstd::decompress(d, ByteView(nofcs).substr(0, nofcs.size() - 1), 10000).code() ==
          Code::corruption);
    CHECK(zstd::decompress(d, c + "x", 10000).code() == Code::corruption);
    CHECK(zstd::decompress(d, nofcs + "xyzw1234", 10000).code() == Code::corruption);
    CHECK(d.empty());
  }

  TEST_CASE("a zero-length frame decompresses to nothing") {
    const Bytes c = frame_without_content_size("", 1);
    REQUIRE(!c.empty());
    Bytes d;
    CHECK(zstd::decompress(d, c, 0).is_ok());
    CHECK(d.empty());
  }
}
