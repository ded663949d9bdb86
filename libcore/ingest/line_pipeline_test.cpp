#include "ingest/line_pipeline.h"

#include <doctest/doctest.h>

#include "base/fs.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

TEST_SUITE("ingest/line_pipeline") {
  TEST_CASE("check_text: text passes, a NUL byte is refused with its offset and what the file looks like") {
    CHECK(check_text("up 1\n", "f", false).is_ok());
    CHECK(check_text("", "f", false).is_ok());
    Status s = check_text(std::string("up 1\nx\0y", 8), "in.prom", false);
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.message().find("in.prom: offset 6: byte 0x00") == 0);
    CHECK(s.message().find("binary data, not Prometheus text exposition") != std::string::npos);
    s = check_text(std::string("\xba\xaa\xd7\x00\x02", 5), "index", true);
    CHECK(s.message().find("Prometheus TSDB block") != std::string::npos);
    CHECK(s.message().find("not JSON lines") != std::string::npos);
    std::string tar(600, '\0');
    tar.replace(0, 4, "file");
    tar.replace(257, 5, "ustar");
    CHECK(check_text(tar, "x.tar", false).message().find("a tar archive") != std::string::npos);
    // Only the head is probed: a NUL past it is the parser's business (the server's, too).
    std::string late(kBinaryProbeBytes + 10, 'a');
    late[kBinaryProbeBytes + 5] = '\0';
    CHECK(check_text(late, "f", false).is_ok());
  }
  TEST_CASE("a binary input ends the pipeline with that error, after the text inputs before it") {
    test::TempDir dir;
    const std::string text = fs::join(dir.path(), "a.prom"), bin = fs::join(dir.path(), "b.bin");
    REQUIRE(fs::write_file_sync(text, "up{job=\"x\"} 1 1700000000000\n").is_ok());
    REQUIRE(fs::write_file_sync(bin, std::string("\x01\x02\x00\x03 1\n", 6)).is_ok());
    PipelineOptions po;
    po.inputs = {text, bin};
    po.parsers = 1;
    LinePipeline p;
    p.start(po);
    size_t rows = 0;
    while (ParsedBlock* b = p.next()) {
      rows += b->rows.size();
      p.release(b);
    }
    p.stop();
    CHECK(rows == 1);
    REQUIRE_FALSE(p.status().is_ok());
    CHECK(p.status().message().find("b.bin: offset 2: byte 0x00") != std::string::npos);
  }
}
