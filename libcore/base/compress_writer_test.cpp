#include "base/compress_writer.h"

#include <doctest/doctest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "../../tests/test_support.h"

using namespace vmt;

namespace {
Bytes gunzip(const Bytes& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 15 + 32) == Z_OK);
  Bytes out(1 << 20, '\0'), all;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  for (int r = Z_OK; r != Z_STREAM_END;) {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    r = inflate(&z, Z_NO_FLUSH);
    REQUIRE((r == Z_OK || r == Z_STREAM_END));
    all.append(out.data(), out.size() - z.avail_out);
  }
  inflateEnd(&z);
  return all;
}
}  // namespace

TEST_SUITE("base/compress_writer") {
  TEST_CASE("gzip and zstd files read back to what was written, in pieces of any size") {
    test::TempDir tmp;
    std::mt19937_64 rng(3);
    Bytes data;
    while (data.size() < 3'000'000) data += "metric{label=\"" + std::to_string(rng() % 1000) + "\"} " + std::to_string(rng() % 100) + "\n";
    for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
      const std::string path = tmp.sub(std::string("out") + compression_suffix(c));
      CompressWriter w;
      REQUIRE(w.open(path, c).is_ok());
      for (size_t at = 0; at < data.size();) {
        const size_t n = std::min<size_t>(data.size() - at, 1 + rng() % 200000);
        REQUIRE(w.write(ByteView(data.data() + at, n)).is_ok());
        at += n;
      }
      REQUIRE(w.close().is_ok());
      CHECK(w.bytes_in() == data.size());
      auto file = fs::read_file(path, 1 << 30);
      REQUIRE(file.is_ok());
      Bytes back;
      if (c == Compression::kNone) {
        back = *file;
      } else if (c == Compression::kGzip) {
        back = gunzip(*file);
      } else {
        back.resize(ZSTD_getFrameContentSize(file->data(), file->size()) == ZSTD_CONTENTSIZE_UNKNOWN ? data.size() + 1 : data.size());
        const size_t n = ZSTD_decompress(back.data(), back.size(), file->data(), file->size());
        REQUIRE_FALSE(ZSTD_isError(n));
        back.resize(n);
      }
      CHECK(back == data);
      if (c != Compression::kNone) CHECK(file->size() * 3 < data.size());
    }
  }

  TEST_CASE("names") {
    CHECK(*parse_compression("zstd") == Compression::kZstd);
    CHECK(*parse_compression("gzip") == Compression::kGzip);
    CHECK(*parse_compression("none") == Compression::kNone);
    CHECK_FALSE(parse_compression("lz4").is_ok());
  }
}
