#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "base/fs.h"
#include "prom/line_reader.h"
#include "../tests/test_support.h"

using namespace vmt;
using vmt::prom::Compression;
using vmt::prom::LineReader;
using vmt::prom::LineReaderOptions;
using vmt::prom::check_text_head;
using vmt::prom::kBinaryProbeBytes;

namespace {

Bytes gzip_bytes(ByteView in) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&zs, in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Bytes zstd_bytes(ByteView in) {  // with a content checksum, so corruption is always detected
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  REQUIRE(cctx != nullptr);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  Bytes out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), in.data(), in.size());
  ZSTD_freeCCtx(cctx);
  REQUIRE(!ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Some exposition text with CRLF, blank lines, a long line and no final newline.
std::string sample_text() {
  std::string s = "# HELP x y\nfoo 1\r\n\nbar{a=\"b\"} 2 3\n";
  for (int i = 0; i < 3000; ++i) s += "series_" + std::to_string(i) + "{i=\"" + std::to_string(i) + "\"} 1\n";
  s += std::string(5000, 'L') + " 7\n";
  s += "last 9";
  return s;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) {
      if (start < s.size()) out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
}

std::string write_temp(const test::TempDir& dir, const std::string& name, ByteView data) {
  std::string path = dir.sub(name);
  REQUIRE(fs::write_file_sync(path, data).is_ok());
  return path;
}

std::vector<std::string> read_all(LineReader& r, std::vector<uint64_t>* numbers = nullptr) {
  std::vector<std::string> out;
  ByteView line;
  while (r.next(&line)) {
    out.emplace_back(line);
    if (numbers) numbers->push_back(r.line_number());
  }
  return out;
}

std::vector<std::string> read_blocks(LineReader& r) {
  std::vector<std::string> out;
  Bytes block;
  uint64_t first = 0;
  while (r.next_block(&block, &first)) {
    auto lines = split_lines(block + "\n");
    CHECK(first == out.size() + 1);
    out.insert(out.end(), lines.begin(), lines.end());
  }
  return out;
}

}  // namespace

TEST_SUITE("prom/line_reader") {
  TEST_CASE("sniff_compression recognises gzip and zstd magic bytes") {
    CHECK(prom::sniff_compression(ByteView("\x1f\x8b\x08", 3)) == Compression::gzip);
    CHECK(prom::sniff_compression(ByteView("\x28\xb5\x2f\xfd", 4)) == Compression::zstd);
    CHECK(prom::sniff_compression(ByteView("\x28\xb5\x2f", 3)) == Compression::none);
    CHECK(prom::sniff_compression("foo 1\n") == Compression::none);
    CHECK(prom::sniff_compression("") == Compression::none);
  }

  TEST_CASE("plain, gzip and zstd files give the same lines, for any chunk size") {
    test::TempDir dir;
    std::string text = sample_text();
    auto expected = split_lines(text);
    struct Input {
      std::string name;
      Bytes data;
      Compression c;
    };
    std::vector<Input> inputs = {{"in.prom", text, Compression::none},
                                 {"in.prom.gz", gzip_bytes(text), Compression::gzip},
                                 {"in.zst", zstd_bytes(text), Compression::zstd}};
    for (const Input& in : inputs) {
      std::string path = write_temp(dir, in.name, in.data);
      for (size_t chunk : {size_t(1), size_t(7), size_t(4096), size_t(1) << 20}) {
        CAPTURE(in.name);
        CAPTURE(chunk);
        LineReaderOptions opt;
        opt.chunk_size = chunk;
        LineReader r;
        REQUIRE(r.open(path, opt).is_ok());
        CHECK(r.compression() == in.c);
        std::vector<uint64_t> numbers;
        auto lines = read_all(r, &numbers);
        CHECK(r.status().is_ok());
        CHECK(lines == expected);
        REQUIRE(numbers.size() == expected.size());
        CHECK(numbers.front() == 1);
        CHECK(numbers.back() == expected.size());
        CHECK(lines[1] == "foo 1\r");  // '\r' is left to the parser
        LineReader rb;
        REQUIRE(rb.open(path, opt).is_ok());
        CHECK(read_blocks(rb) == expected);
        CHECK(rb.status().is_ok());
      }
    }
  }

  TEST_CASE("concatenated gzip members and zstd frames are read in full") {
    test::TempDir dir;
    Bytes gz = gzip_bytes("a 1\nb 2\n") + gzip_bytes("c 3\n");
    Bytes zs = zstd_bytes("a 1\nb 2") + zstd_bytes("\nc 3\n");
    for (const auto& [name, data] : {std::pair{"x.gz", gz}, std::pair{"x.zst", zs}}) {
      LineReader r;
      LineReaderOptions opt;
      opt.chunk_size = 3;
      REQUIRE(r.open(write_temp(dir, name, data), opt).is_ok());
      CHECK(read_all(r) == std::vector<std::string>{"a 1", "b 2", "c 3"});
      CHECK(r.status().is_ok());
    }
  }

  TEST_CASE("a truncated or corrupt compressed file is an error after the decoded lines") {
    test::TempDir dir;
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "metric_" + std::to_string(i) + " 1\n";
    for (Bytes data : {gzip_bytes(text), zstd_bytes(text)}) {
      Bytes cut = data.substr(0, data.size() - 9);
      LineReader r;
      REQUIRE(r.open(write_temp(dir, "cut", cut)).is_ok());
      auto lines = read_all(r);
      CHECK(!r.status().is_ok());
      CHECK(r.status().code() == Code::corruption);
      CHECK(r.status().message().find("unexpected end") != std::string::npos);
      CHECK(lines.size() <= 2000);
      Bytes bad = data;
      bad[bad.size() / 2] ^= 0x55;
      bad[bad.size() / 2 + 1] ^= 0x55;
      LineReader r2;
      REQUIRE(r2.open(write_temp(dir, "bad", bad)).is_ok());
      read_all(r2);
      CHECK(!r2.status().is_ok());
      CHECK(r2.status().message().find("bad") != std::string::npos);
    }
  }

  TEST_CASE("lines longer than max_line_size end the stream with file and line") {
    test::TempDir dir;
    std::string text = "a 1\n" + std::string(11, 'x') + "\nb 2\n";
    for (size_t chunk : {size_t(2), size_t(1) << 20}) {
      LineReaderOptions opt;
      opt.max_line_size = 10;
      opt.chunk_size = chunk;
      LineReader r;
      std::string path = write_temp(dir, "long.prom", text);
      REQUIRE(r.open(path, opt).is_ok());
      CHECK(read_all(r) == std::vector<std::string>{"a 1"});
      CHECK(r.status().code() == Code::corruption);
      CHECK(r.status().message() == path + ": line 2: too long line: more than 10 bytes");
      LineReader rb;
      REQUIRE(rb.open(path, opt).is_ok());
      CHECK(read_blocks(rb).size() <= 1);  // "a 1" may come first, depending on the chunks
      CHECK(rb.status().message() == path + ": line 2: too long line: more than 10 bytes");
    }
    // Exactly max_line_size bytes is fine, also for the last line without '\n'.
    LineReaderOptions opt;
    opt.max_line_size = 10;
    LineReader r;
    REQUIRE(r.open(write_temp(dir, "ok.prom", std::string(10, 'y') + "\n" + std::string(10, 'z')), opt).is_ok());
    CHECK(read_all(r).size() == 2);
    CHECK(r.status().is_ok());
    LineReader r2;
    REQUIRE(r2.open(write_temp(dir, "last.prom", "a\n" + std::string(11, 'z')), opt).is_ok());
    CHECK(read_all(r2).size() == 1);
    CHECK(!r2.status().is_ok());
  }

  TEST_CASE("blocks hold the lines next() returns, numbered alike, and stop at the same too long line") {
    // next_block counts a block's lines in 16-byte steps and looks for too long lines only in
    // windows without '\n': random line lengths around the limit, newline runs, and chunk sizes
    // that cut lines anywhere check both against next(), which reads line by line.
    test::TempDir dir;
    uint64_t seed = 12345;
    auto rnd = [&](uint64_t n) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      return (seed >> 33) % n;
    };
    int errors = 0;
    for (int round = 0; round < 300; ++round) {
      LineReaderOptions opt;
      opt.max_line_size = 1 + rnd(40);
      opt.chunk_size = 1 + rnd(round % 2 ? 300 : 20);
      std::string text;
      const size_t lines = rnd(200);
      for (size_t i = 0; i < lines; ++i) {
        // Mostly within the limit; now and then exactly at it or one past it (rarely, so that
        // many inputs have none at all).
        size_t len = rnd(opt.max_line_size + 1);
        if (rnd(400) == 0) len = opt.max_line_size + 1 + rnd(3 * opt.max_line_size);
        for (size_t k = 0; k < len; ++k) text += char('a' + rnd(26));
        if (i + 1 < lines || rnd(2)) text += '\n';
      }
      CAPTURE(round);
      CAPTURE(text);
      const std::string path = write_temp(dir, "r" + std::to_string(round), text);
      LineReader lr;
      REQUIRE(lr.open(path, opt).is_ok());
      std::vector<uint64_t> numbers;
      const std::vector<std::string> want = read_all(lr, &numbers);
      LineReader br;
      REQUIRE(br.open(path, opt).is_ok());
      std::vector<std::string> got;
      Bytes block;
      uint64_t first = 0;
      while (br.next_block(&block, &first)) {
        CHECK(first == got.size() + 1);
        for (const std::string& l : split_lines(block + "\n")) got.push_back(l);
      }
      CHECK(br.status().message() == lr.status().message());
      if (!lr.status().is_ok()) {
        ++errors;
        // A block with the too long line is not delivered: what came before it is a prefix.
        REQUIRE(got.size() <= want.size());
        CHECK(std::equal(got.begin(), got.end(), want.begin()));
      } else {
        CHECK(got == want);
      }
    }
    CHECK(errors > 10);   // the error path was taken, and not always
    CHECK(errors < 290);
  }

  TEST_CASE("a block's lines are counted across many 16-byte steps") {
    // More than 255 steps of 16 bytes in one block, with runs of newlines (blank lines).
    test::TempDir dir;
    std::string text;
    for (int i = 0; i < 20000; ++i) text += i % 7 == 0 ? "\n\n\n" : "m{a=\"" + std::to_string(i) + "\"} 1\n";
    const std::string path = write_temp(dir, "many", text + "end 1");
    LineReader r;
    REQUIRE(r.open(path).is_ok());
    Bytes block;
    uint64_t first = 0, lines = 0;
    while (r.next_block(&block, &first)) {
      CHECK(first == lines + 1);
      lines += std::count(block.begin(), block.end(), '\n') + 1;
    }
    CHECK(r.status().is_ok());
    CHECK(lines == uint64_t(std::count(text.begin(), text.end(), '\n')) + 1);
  }

  TEST_CASE("the default limit is VM's 262144 bytes") {
    test::TempDir dir;
    std::string ok_line(262144, 'a'), long_line(262145, 'a');
    LineReader r;
    REQUIRE(r.open(write_temp(dir, "ok", ok_line + "\n" + long_line + "\n")).is_ok());
    ByteView line;
    CHECK(r.next(&line));
    CHECK(line.size() == 262144);
    CHECK(!r.next(&line));
    CHECK(r.status().message().find("line 2: too long line: more than 262144 bytes") != std::string::npos);
  }

  TEST_CASE("empty input, a lone newline, FILE* and file descriptors") {
    test::TempDir dir;
    LineReader r;
    REQUIRE(r.open(write_temp(dir, "empty", "")).is_ok());
    CHECK(read_all(r).empty());
    CHECK(r.status().is_ok());
    LineReader r2;
    REQUIRE(r2.open(write_temp(dir, "nl", "\n")).is_ok());
    CHECK(read_all(r2) == std::vector<std::string>{""});
    std::string path = write_temp(dir, "f.prom", "x 1\ny 2");
    FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    LineReader r3;
    REQUIRE(r3.open_file(f, "f.prom").is_ok());
    CHECK(read_all(r3) == std::vector<std::string>{"x 1", "y 2"});
    std::fclose(f);
    int fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    LineReader r4;
    REQUIRE(r4.open_fd(fd, "fd", true).is_ok());
    CHECK(read_all(r4).size() == 2);
  }

  TEST_CASE("a missing file is an io_error naming it") {
    LineReader r;
    Status s = r.open("/nonexistent/x.prom");
    CHECK(s.code() == Code::io_error);
    CHECK(s.message().find("/nonexistent/x.prom") != std::string::npos);
    ByteView line;
    CHECK(!r.next(&line));
  }
}

TEST_SUITE("prom/line_reader binary input") {
  TEST_CASE("check_text_head: text passes, a NUL byte is refused with its offset and what the file looks like") {
    CHECK(check_text_head("up 1\n", "f").is_ok());
    CHECK(check_text_head("", "f").is_ok());
    Status s = check_text_head(std::string("up 1\nx\0y", 8), "in.prom");
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.code() == Code::invalid_argument);
    CHECK(s.message().find("in.prom: offset 6: byte 0x00: this is binary data, not text") == 0);
    s = check_text_head(std::string("\xba\xaa\xd7\x00\x02", 5), "index");
    CHECK(s.message().find("a file of a Prometheus TSDB block (tsdb-import --from prometheus") != std::string::npos);
    std::string tar(600, '\0');
    tar.replace(0, 4, "file");
    tar.replace(257, 5, "ustar");
    CHECK(check_text_head(tar, "x.tar").message().find("a tar archive") != std::string::npos);
    // Only the head is probed: a NUL past it is the parser's business (the server's, too).
    std::string late(kBinaryProbeBytes + 10, 'a');
    late[kBinaryProbeBytes + 5] = '\0';
    CHECK(check_text_head(late, "f").is_ok());
  }
  TEST_CASE("a reader stops at a binary head, gzip-compressed or not, line by line or by blocks") {
    test::TempDir dir;
    const std::string bin = fs::join(dir.path(), "b.bin");
    REQUIRE(fs::write_file_sync(bin, std::string("\x01\x02\x00\x03 1\nup 1\n", 11)).is_ok());
    LineReader r;
    REQUIRE(r.open(bin).is_ok());
    ByteView line;
    CHECK_FALSE(r.next(&line));
    CHECK(r.status().message().find("b.bin: offset 2: byte 0x00") != std::string::npos);
    // Compressed, the decompressed bytes are what is probed.
    const std::string gz = fs::join(dir.path(), "b.bin.gz");
    REQUIRE(fs::write_file_sync(gz, gzip_bytes(std::string("\x01\x02\x00\x03 1\nup 1\n", 11))).is_ok());
    LineReader r2;
    REQUIRE(r2.open(gz).is_ok());
    Bytes block;
    uint64_t first = 0;
    CHECK_FALSE(r2.next_block(&block, &first));
    CHECK(r2.status().message().find("b.bin.gz: offset 2: byte 0x00") != std::string::npos);
  }
}
