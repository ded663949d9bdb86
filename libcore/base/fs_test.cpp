#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"

using namespace vmt;

namespace {
std::string make_tmp_dir() {
  char tmpl[] = "/tmp/vmt-fs-test-XXXXXX";
  char* d = mkdtemp(tmpl);
  REQUIRE(d != nullptr);
  return d;
}
}  // namespace

TEST_SUITE("base/fs") {
  TEST_CASE("write_file_atomic replaces content and leaves no temp file") {
    std::string dir = make_tmp_dir();
    std::string p = fs::join(dir, "parts.json");
    REQUIRE(fs::write_file_atomic(p, "[]").is_ok());
    REQUIRE(fs::write_file_atomic(p, "[\"A\"]").is_ok());
    CHECK(*fs::read_file(p, 100) == "[\"A\"]");
    auto entries = fs::list_dir(dir);
    REQUIRE(entries.is_ok());
    CHECK(entries->size() == 1);
    CHECK(fs::remove_all(dir).is_ok());
    CHECK(!fs::exists(dir));
  }

  TEST_CASE("FileWriter: every byte in order past the buffer and the writeback steps, durable or not") {
    std::string dir = make_tmp_dir();
    for (bool durable : {true, false}) {
      const std::string p = fs::join(dir, durable ? "durable.bin" : "temporary.bin");
      std::string want;
      fs::FileWriter w;
      REQUIRE(w.open(p, durable).is_ok());
      // Small writes through the 1 MiB buffer, then writes larger than it, past 8 MiB twice.
      for (size_t i = 0; want.size() < (20u << 20); ++i) {
        const std::string chunk(i % 7 == 6 ? (3u << 20) : 1000 + i % 5000, char('a' + i % 26));
        REQUIRE(w.write(chunk).is_ok());
        want += chunk;
      }
      CHECK(w.bytes_written() == want.size());
      REQUIRE(w.close().is_ok());
      auto got = fs::read_file(p, want.size() + 1);
      REQUIRE(got.is_ok());
      CHECK(*got == want);
    }
    CHECK(fs::remove_all(dir).is_ok());
  }

  TEST_CASE("read_file caps the size it will allocate") {
    std::string dir = make_tmp_dir();
    std::string p = fs::join(dir, "big");
    REQUIRE(fs::write_file_sync(p, std::string(1000, 'x')).is_ok());
    auto r = fs::read_file(p, 999);
    CHECK(!r.is_ok());
    CHECK(r.status().code() == Code::corruption);
    CHECK(fs::remove_all(dir).is_ok());
  }

  TEST_CASE("a missing file is not_found and names the path") {
    auto r = fs::read_file("/nonexistent/vmt/x", 10);
    REQUIRE(!r.is_ok());
    CHECK(r.status().code() == Code::not_found);
    CHECK(r.status().message().find("/nonexistent/vmt/x") != std::string::npos);
  }

  TEST_CASE("flock.lock is exclusive across open file descriptions") {
    std::string dir = make_tmp_dir();
    fs::FlockFile a, b;
    REQUIRE(a.lock(dir).is_ok());
    Status st = b.lock(dir);
    CHECK(!st.is_ok());
    CHECK(st.message().find("flock.lock") != std::string::npos);
    a.unlock();
    CHECK(b.lock(dir).is_ok());
    b.unlock();
    CHECK(fs::remove_all(dir).is_ok());
  }

  TEST_CASE("path helpers") {
    CHECK(fs::join("a", "b") == "a/b");
    CHECK(fs::join("a/", "b") == "a/b");
    CHECK(fs::base_name("/x/y/Z/") == "Z");
    CHECK(fs::dir_name("/x/y/Z") == "/x/y");
  }
}
