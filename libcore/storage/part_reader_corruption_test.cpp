// Corruption tests in the manner of leveldb's corruption_test: copy a real part, damage it, and
// check that the reader fails with a message naming the damaged file (or succeeds when the byte
// did not matter), never crashing, hanging or allocating what the damage claims.
#include <doctest/doctest.h>

#include <unistd.h>

#include "storage/part_reader.h"
#include "storage/test_util.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

constexpr const char* kFiles[] = {"metadata.json", "metaindex.bin", "index.bin", "timestamps.bin", "values.bin"};

// The smallest and the largest fixture part.
std::string small_part() {
  std::string best;
  uint64_t best_size = UINT64_MAX;
  for (const auto& p : testutil::fixture_parts()) {
    uint64_t s = fs::file_size(fs::join(test::fixtures_dir(), p + "/index.bin")).value();
    if (s < best_size && fs::file_size(fs::join(test::fixtures_dir(), p + "/values.bin")).value() > 8) {
      best_size = s;
      best = p;
    }
  }
  return best;
}

std::string large_part() {
  std::string best;
  uint64_t best_size = 0;
  for (const auto& p : testutil::fixture_parts()) {
    uint64_t s = fs::file_size(fs::join(test::fixtures_dir(), p + "/index.bin")).value();
    if (s > best_size) {
      best_size = s;
      best = p;
    }
  }
  return best;
}

// Streams every block of an opened part and checks its totals; "ok" or the first error message.
std::string stream_all(PartReader& r) {
  Block b;
  while (true) {
    bool eof = false;
    Status st = r.next(b, &eof);
    if (!st.is_ok()) return st.message();
    if (eof) break;
  }
  Status st = r.verify_totals();
  if (!st.is_ok()) return st.message();
  return r.warnings().empty() ? "ok" : r.warnings().front();   // named like an error: file and offset
}

// Opens, streams and verifies the part; "ok" or the first error message.
std::string check_dir(const std::string& dir, const std::string& display) {
  PartReader r;
  Status st = r.open(dir, vmt::metric::Tenancy::kCluster, display);
  if (!st.is_ok()) return st.message();
  return stream_all(r);
}

std::string check_memory(const Bytes& json, const Bytes& metaindex, const Bytes& index, const Bytes& ts,
                         const Bytes& vs, const std::string& display) {
  auto ph = PartHeader::decode_json(json);
  if (!ph.is_ok()) return display + "/metadata.json: " + ph.status().message();
  PartReader r;
  Status st = r.open_memory(ph.value(), vmt::metric::Tenancy::kCluster, metaindex, index, ts, vs, display);
  if (!st.is_ok()) return st.message();
  return stream_all(r);
}

Bytes read(const std::string& path) { return fs::read_file(path, 1 << 30).value(); }

void expect_named(const std::string& msg, const std::string& display, const std::string& file) {
  if (msg == "ok") return;
  CAPTURE(msg);
  CHECK(msg.rfind(display + "/", 0) == 0);
  bool names_a_file = false;
  for (const char* f : kFiles) names_a_file |= msg.find(f) != std::string::npos;
  CHECK(names_a_file);
  std::string want = file == "metaindex.bin" ? "metaindex" : file;
  CHECK(msg.find(want) != std::string::npos);
}

}  // namespace

TEST_SUITE("storage/part_reader corruption") {
  TEST_CASE("the pristine copies read") {
    for (const std::string& p : {small_part(), large_part()}) {
      test::TempDir tmp;
      REQUIRE(testutil::copy_part(fs::join(test::fixtures_dir(), p), tmp.sub("part")).is_ok());
      CHECK(check_dir(tmp.sub("part"), p) == "ok");
    }
  }

  TEST_CASE("every flipped byte of metadata.json, metaindex.bin and index.bin of a small part") {
    const std::string p = small_part();
    test::TempDir tmp;
    const std::string dir = tmp.sub("part");
    REQUIRE(testutil::copy_part(fs::join(test::fixtures_dir(), p), dir).is_ok());
    size_t failures = 0, total = 0;
    for (const char* file : {"metadata.json", "metaindex.bin", "index.bin"}) {
      const std::string path = fs::join(dir, file);
      const Bytes orig = read(path);
      for (size_t i = 0; i < orig.size(); ++i) {
        for (uint8_t mask : {0x01, 0x20, 0x80, 0xff}) {
          testutil::poke_byte(path, i, char(orig[i] ^ mask));
          CAPTURE(std::string(file));
          CAPTURE(i);
          CAPTURE(int(mask));
          std::string msg = check_dir(dir, p);
          expect_named(msg, p, file);
          failures += msg != "ok";
          ++total;
        }
        testutil::poke_byte(path, i, orig[i]);
      }
      REQUIRE(fs::write_file_sync(path, orig).is_ok());
    }
    MESSAGE(failures << " of " << total << " flips detected");
    CHECK(failures > total / 2);
    CHECK(check_dir(dir, p) == "ok");
  }

  TEST_CASE("every flipped byte of the index blocks of the largest part (in memory)") {
    const std::string p = large_part();
    const std::string dir = fs::join(test::fixtures_dir(), p);
    const Bytes json = read(dir + "/metadata.json"), mi = read(dir + "/metaindex.bin"), idx = read(dir + "/index.bin"),
                ts = read(dir + "/timestamps.bin"), vs = read(dir + "/values.bin");
    REQUIRE(check_memory(json, mi, idx, ts, vs, p) == "ok");
    size_t failures = 0;
    for (size_t i = 0; i < idx.size(); ++i) {
      for (uint8_t mask : {0xfe}) {
        Bytes b = idx;
        b[i] = char(b[i] ^ mask);
        CAPTURE(i);
        std::string msg = check_memory(json, mi, b, ts, vs, p);
        expect_named(msg, p, "index.bin");
        failures += msg != "ok";
      }
    }
    MESSAGE(failures << " of " << 2 * idx.size() << " index.bin flips detected");
  }

  TEST_CASE("flipped bytes of the data files decode or fail naming the file") {
    const std::string p = small_part();
    const std::string dir = fs::join(test::fixtures_dir(), p);
    const Bytes json = read(dir + "/metadata.json"), mi = read(dir + "/metaindex.bin"), idx = read(dir + "/index.bin"),
                ts = read(dir + "/timestamps.bin"), vs = read(dir + "/values.bin");
    for (size_t i = 0; i < ts.size(); ++i) {
      Bytes b = ts;
      b[i] = char(b[i] ^ 0xff);
      expect_named(check_memory(json, mi, idx, b, vs, p), p, "timestamps.bin");
    }
    for (size_t i = 0; i < vs.size(); ++i) {
      Bytes b = vs;
      b[i] = char(b[i] ^ 0xff);
      expect_named(check_memory(json, mi, idx, ts, b, p), p, "values.bin");
    }
  }

  TEST_CASE("truncated, empty, grown and missing files") {
    const std::string p = small_part();
    test::TempDir tmp;
    const std::string dir = tmp.sub("part");
    REQUIRE(testutil::copy_part(fs::join(test::fixtures_dir(), p), dir).is_ok());
    for (const char* file : kFiles) {
      CAPTURE(std::string(file));
      const std::string path = fs::join(dir, file);
      const Bytes orig = read(path);
      for (size_t len : {size_t(0), size_t(1), orig.size() / 2, orig.size() - 1}) {
        CAPTURE(len);
        testutil::write_plain(path, ByteView(orig).substr(0, len));
        std::string msg = check_dir(dir, p);
        CHECK(msg != "ok");
        expect_named(msg, p, file);
      }
      if (std::string(file) != "metadata.json") {
        testutil::write_plain(path, orig + "garbage");
        std::string msg = check_dir(dir, p);
        CHECK(msg != "ok");   // an error, or for the two data files a warning (never read by the server)
        expect_named(msg, p, file);
      }
      REQUIRE(::unlink(path.c_str()) == 0);
      std::string msg = check_dir(dir, p);
      CHECK(msg != "ok");
      expect_named(msg, p, file);
      REQUIRE(fs::mkdir_p(path).is_ok());   // a directory where the file should be
      msg = check_dir(dir, p);
      CHECK(msg != "ok");
      CHECK(msg.find(file) != std::string::npos);
      REQUIRE(fs::remove_all(path).is_ok());
      REQUIRE(fs::write_file_sync(path, orig).is_ok());
      CHECK(check_dir(dir, p) == "ok");
    }
  }
}
