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
