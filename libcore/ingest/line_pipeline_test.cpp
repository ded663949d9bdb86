#include "ingest/line_pipeline.h"

#include <doctest/doctest.h>

#include "base/fs.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

TEST_SUITE("ingest/line_pipeline") {
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
    CHECK(p.status().message().find("b.bin: offset 2: byte 0x00: this is binary data, not text") != std::string::npos);
  }
}
