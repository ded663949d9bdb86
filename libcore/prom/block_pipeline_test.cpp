#include "prom/block_pipeline.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "base/fs.h"

namespace vmt::prom {

namespace {

struct TestBlock : LineBlock {
  size_t lines = 0;   // the worker's answer
};

// A file of n numbered lines in a fresh temporary directory.
std::string write_lines(const std::string& dir, const std::string& name, int n) {
  std::string text;
  for (int i = 1; i <= n; ++i) text += "line " + std::to_string(i) + " " + std::string(size_t(i % 97), 'x') + "\n";
  const std::string path = fs::join(dir, name);
  FILE* f = std::fopen(path.c_str(), "w");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  return path;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/vmt-block-pipeline-XXXXXX";
  return ::mkdtemp(tmpl);
}

}  // namespace

TEST_SUITE("prom/block_pipeline") {
  TEST_CASE("blocks of every file arrive in input order, each worked on once, whatever the workers") {
    const std::string dir = temp_dir();
    const std::string a = write_lines(dir, "a", 50000), b = write_lines(dir, "b", 3), c = write_lines(dir, "c", 20000);
    for (unsigned workers : {1u, 3u, 8u}) {
      CAPTURE(workers);
      BlockPipelineOptions opt;
      opt.inputs = {a, b, c};
      opt.workers = workers;
      opt.reader.chunk_size = 4096;   // many small blocks
      std::atomic<int> made{0};
      BlockPipeline<TestBlock> p;
      p.start(opt, [&]() -> BlockPipeline<TestBlock>::Work {
        ++made;
        return [](TestBlock& t) { t.lines = size_t(std::count(t.text.begin(), t.text.end(), '\n')) + 1; };
      });
      uint64_t seq = 0, lines[3] = {0, 0, 0}, next_line[3] = {1, 1, 1};
      size_t last_file = 0;
      while (TestBlock* t = p.next()) {
        CHECK(t->seq == seq++);
        CHECK(t->file >= last_file);
        last_file = t->file;
        CHECK(t->first_line == next_line[t->file]);
        next_line[t->file] += t->lines;
        lines[t->file] += t->lines;
        p.release(t);
      }
      CHECK(p.status().is_ok());
      CHECK(made == int(workers));
      CHECK(lines[0] == 50000);
      CHECK(lines[1] == 3);
      CHECK(lines[2] == 20000);
      CHECK(p.reader_name(1) == b);
      CHECK(p.file_input_bytes(2) == fs::file_size(c).value());
    }
    (void)fs::remove_all(dir);
  }

  TEST_CASE("a bad line in a later file ends the stream after every block before it, whatever the workers") {
    const std::string dir = temp_dir();
    const std::string a = write_lines(dir, "a", 20000);
    std::string text;
    for (int i = 1; i <= 3000; ++i) text += (i == 2500 ? std::string(300, 'y') : "line " + std::to_string(i)) + "\n";
    const std::string b = fs::join(dir, "b");
    FILE* f = std::fopen(b.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    for (unsigned workers : {1u, 2u, 4u}) {
      CAPTURE(workers);
      BlockPipelineOptions opt;
      opt.inputs = {a, b};
      opt.workers = workers;
      opt.reader.chunk_size = 4096;
      opt.reader.max_line_size = 200;
      BlockPipeline<TestBlock> p;
      p.start(opt, [] { return BlockPipeline<TestBlock>::Work([](TestBlock& t) { t.lines = size_t(std::count(t.text.begin(), t.text.end(), '\n')) + 1; }); });
      uint64_t seq = 0, lines[2] = {0, 0};
      while (TestBlock* t = p.next()) {
        CHECK(t->seq == seq++);
        lines[t->file] += t->lines;
        p.release(t);
      }
      CHECK(lines[0] == 20000);
      CHECK(lines[1] < 2500);   // the lines of b before the bad one, in whole blocks
      CHECK_FALSE(p.open_failed());
      CHECK(p.status().message().find(b + ": line 2500: too long line") != std::string::npos);
    }
    (void)fs::remove_all(dir);
  }

  TEST_CASE("a file that cannot be opened ends the stream after the blocks before it; stop() ends it early") {
    const std::string dir = temp_dir();
    const std::string a = write_lines(dir, "a", 1000);
    BlockPipelineOptions opt;
    opt.inputs = {a, fs::join(dir, "missing")};
    opt.reader.chunk_size = 4096;
    BlockPipeline<TestBlock> p;
    p.start(opt, [] { return BlockPipeline<TestBlock>::Work([](TestBlock&) {}); });
    uint64_t blocks = 0;
    while (TestBlock* t = p.next()) {
      CHECK(t->file == 0);
      ++blocks;
      p.release(t);
    }
    CHECK(blocks > 1);
    CHECK_FALSE(p.status().is_ok());
    CHECK(p.open_failed());
    CHECK(p.status().message().find("missing") != std::string::npos);

    BlockPipeline<TestBlock> q;
    opt.inputs = {a};
    q.start(opt, [] { return BlockPipeline<TestBlock>::Work([](TestBlock&) {}); });
    TestBlock* first = q.next();
    REQUIRE(first != nullptr);
    q.release(first);
    q.stop();
    CHECK(q.next() == nullptr);
    CHECK(q.status().is_ok());
    (void)fs::remove_all(dir);
  }
}

}  // namespace vmt::prom
