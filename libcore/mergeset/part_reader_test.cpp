#include "mergeset/part_reader.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include "mergeset/test_util.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {

// Opens and fully scans; the Status of whichever step failed.
Status open_and_scan(const PartFiles& pf, const std::string& name) {
  auto r = PartReader::open_in_memory(pf, name);
  if (!r.is_ok()) return r.status();
  auto n = (*r)->verify();
  return n.is_ok() ? Status::ok() : n.status();
}

Status open_dir_and_scan(const std::string& dir) {
  auto r = PartReader::open(dir);
  if (!r.is_ok()) return r.status();
  auto n = (*r)->verify();
  return n.is_ok() ? Status::ok() : n.status();
}

// A part with several index blocks, duplicates spanning block boundaries, plain and zstd blocks.
std::vector<Bytes> synthetic_items() {
  // ~8 KiB items: 8 per block and ~8 KiB headers, so ~8 headers per index block.
  std::vector<Bytes> items;
  testutil::Rng rng;
  for (uint32_t i = 0; i < 400; ++i) {
    Bytes it = "\x06prefix-";
    put_u32(it, i / 3);
    if (i % 5 == 0) it += rng.bytes(7000 + i);       // incompressible: plain blocks
    else it += Bytes(7000 + i, char('a' + i % 26));
    items.push_back(it);
    if (i % 97 == 0) for (int d = 0; d < 20; ++d) items.push_back(it);  // duplicate runs over blocks
  }
  std::sort(items.begin(), items.end());
  return items;
}

void check_seek(PartReader& r, const std::vector<Bytes>& all, ByteView key) {
  Status st = r.seek(key);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  size_t want = size_t(std::lower_bound(all.begin(), all.end(), Bytes(key)) - all.begin());
  // Compare the next few items (and validity at the end).
  for (size_t k = 0; k < 50; ++k) {
    if (want + k >= all.size()) {
      CHECK(!r.valid());
      return;
    }
    REQUIRE(r.valid());
    CHECK(r.item() == ByteView(all[want + k]));
    REQUIRE(r.next().is_ok());
  }
}

}  // namespace

TEST_SUITE("mergeset/part_reader") {
  TEST_CASE("fixtures: every indexdb part reads completely; counts, first/last and order hold") {
    auto dirs = testutil::fixture_part_dirs();
    REQUIRE(dirs.size() >= 6);
    for (const auto& dir : dirs) {
      CAPTURE(dir);
      auto r = PartReader::open(dir);
      REQUIRE_MESSAGE(r.is_ok(), r.status().message());
      auto items = testutil::read_all(**r);
      REQUIRE_MESSAGE(items.is_ok(), items.status().message());
      const PartHeader& ph = (*r)->header();
      CHECK(items->size() == ph.items_count);
      CHECK(items->front() == ph.first_item);
      CHECK(items->back() == ph.last_item);
      CHECK(std::is_sorted(items->begin(), items->end()));
      uint64_t blocks = 0;
      REQUIRE((*r)->seek_to_first().is_ok());
      while ((*r)->valid()) {
        ++blocks;
        REQUIRE((*r)->next_block().is_ok());
      }
      CHECK(blocks == ph.blocks_count);
    }
  }

  TEST_CASE("fixtures: items -> our writer -> reader gives the same items") {
    for (const auto& dir : testutil::fixture_part_dirs()) {
      CAPTURE(dir);
      auto r = PartReader::open(dir);
      REQUIRE(r.is_ok());
      auto items = testutil::read_all(**r);
      REQUIRE(items.is_ok());
      auto pf = testutil::write_part(*items, {compress_level_for_items(items->size()), nullptr});
      REQUIRE(pf.is_ok());
      auto r2 = PartReader::open_in_memory(*pf);
      REQUIRE_MESSAGE(r2.is_ok(), r2.status().message());
      auto back = testutil::read_all(**r2);
      REQUIRE(back.is_ok());
      CHECK(*back == *items);
      // Same block cut and counts as the server (no prepareBlock involved in a re-write of
      // already merged items: blocks cut by size only).
      CHECK((*r2)->header().items_count == (*r)->header().items_count);
    }
  }

  TEST_CASE("fixtures: seek by prefix finds exactly the items with that prefix") {
    for (const auto& dir : testutil::fixture_part_dirs()) {
      CAPTURE(dir);
      auto r = PartReader::open(dir);
      REQUIRE(r.is_ok());
      auto all = testutil::read_all(**r);
      REQUIRE(all.is_ok());
      for (size_t i = 0; i < all->size(); i += 11) {
        const Bytes& probe = (*all)[i];
        // Prefixes of an item: ns only, ns+tenant (9 bytes), ns+tenant+date (17 bytes) and the item.
        for (size_t len : {size_t(1), size_t(9), size_t(17), probe.size()}) {
          if (len > probe.size()) continue;
          check_seek(**r, *all, ByteView(probe).substr(0, len));
        }
      }
      check_seek(**r, *all, "");
      check_seek(**r, *all, "\xff");
    }
  }

  TEST_CASE("seek on a multi-index-block part with duplicates across blocks") {
    auto items = synthetic_items();
    auto pf = testutil::write_part(items);
    REQUIRE(pf.is_ok());
    auto r = PartReader::open_in_memory(*pf);
    REQUIRE(r.is_ok());
    CHECK((*r)->metaindex().size() >= 3);
    CHECK((*r)->header().blocks_count > 10);
    auto all = testutil::read_all(**r);
    REQUIRE(all.is_ok());
    CHECK(*all == items);
    for (size_t i = 0; i < items.size(); i += 3) {
      check_seek(**r, items, items[i]);
      check_seek(**r, items, ByteView(items[i]).substr(0, 12));
      check_seek(**r, items, items[i] + "\x00");
    }
    // Block boundaries: the first item of every block, and keys just below it.
    REQUIRE((*r)->seek_to_first().is_ok());
    std::vector<Bytes> firsts;
    while ((*r)->valid()) {
      firsts.emplace_back((*r)->block_items().front());
      REQUIRE((*r)->next_block().is_ok());
    }
    for (const auto& f : firsts) {
      check_seek(**r, items, f);
      Bytes below = f;
      below.back() = char(uint8_t(below.back()) - 1);
      check_seek(**r, items, below);
    }
  }

  TEST_CASE("open errors name the file: missing, zero-length and truncated files") {
    const std::string src = testutil::fixture_part_dirs().front();
    PartFiles orig = testutil::read_part_files(src);
    vmt::test::TempDir tmp;
    for (int f = 0; f < kPartFileCount; ++f) {
      const char* name = part_file_name(PartFile(f));
      CAPTURE(name);
      const Bytes& content = orig.file(PartFile(f));
      std::vector<size_t> cuts = {0, content.size() / 2};
      if (content.size() > 0) cuts.push_back(content.size() - 1);
      for (size_t cut : cuts) {
        std::string dir = tmp.sub(std::string(name) + "-" + std::to_string(cut));
        PartFiles pf = orig;
        pf.file(PartFile(f)).resize(cut);
        REQUIRE(testutil::write_part_files(dir, pf).is_ok());
        Status st = open_dir_and_scan(dir);
        if (cut == content.size()) continue;
        CHECK_MESSAGE(!st.is_ok(), "truncated to " << cut);
        CHECK_MESSAGE(st.message().find(name) != std::string::npos, st.message());
      }
      std::string dir = tmp.sub(std::string(name) + "-missing");
      REQUIRE(testutil::write_part_files(dir, orig).is_ok());
      REQUIRE(::unlink(fs::join(dir, name).c_str()) == 0);
      Status st = open_dir_and_scan(dir);
      CHECK(st.code() == Code::not_found);
      CHECK_MESSAGE(st.message().find(name) != std::string::npos, st.message());
    }
  }

  TEST_CASE("corruption: flipped bytes give ok or an error naming the file, never a crash") {
    for (const auto& dir : testutil::fixture_part_dirs()) {
      if (dir.find("storage-before-merge") != std::string::npos) continue;  // same bytes as after-merge
      CAPTURE(dir);
      PartFiles orig = testutil::read_part_files(dir);
      REQUIRE(open_and_scan(orig, dir).is_ok());
      size_t errors = 0, oks = 0;
      for (int f = 0; f < kPartFileCount; ++f) {
        const char* name = part_file_name(PartFile(f));
        const size_t size = orig.file(PartFile(f)).size();
        // Every byte of the small files; a spread sample of items.bin and lens.bin.
        const bool all = PartFile(f) == PartFile::metadata || PartFile(f) == PartFile::metaindex ||
                         PartFile(f) == PartFile::index;
        const size_t step = all ? 1 : std::max<size_t>(1, size / 300);
        for (size_t pos = 0; pos < size; pos += step) {
          for (uint8_t mask : {uint8_t(0xff), uint8_t(0x01), uint8_t(0x80)}) {
            PartFiles pf = orig;
            pf.file(PartFile(f))[pos] = char(uint8_t(pf.file(PartFile(f))[pos]) ^ mask);
            Status st = open_and_scan(pf, dir);
            if (st.is_ok()) {
              ++oks;
              continue;
            }
            ++errors;
            CHECK_MESSAGE(st.message().find(name) != std::string::npos,
                          name << " byte " << pos << " ^ " << int(mask) << ": " << st.message());
          }
        }
      }
      CHECK(errors > 4 * oks);  // most flips are caught even without checksums
    }
  }

  TEST_CASE("corruption on a temp copy on disk: flipped bytes give ok or an error naming the file") {
    const std::string src = testutil::fixture_part_dirs().back();
    PartFiles orig = testutil::read_part_files(src);
    vmt::test::TempDir tmp;
    const std::string dir = tmp.sub("18EA240D99112670");
    REQUIRE(testutil::write_part_files(dir, orig).is_ok());
    for (int f = 0; f < kPartFileCount; ++f) {
      const char* name = part_file_name(PartFile(f));
      const std::string path = fs::join(dir, name);
      const Bytes& content = orig.file(PartFile(f));
      const size_t step = std::max<size_t>(1, content.size() / 40);
      for (size_t pos = 0; pos < content.size(); pos += step) {
        Bytes bad = content;
        bad[pos] = char(~bad[pos]);
        REQUIRE(fs::write_file_sync(path, bad).is_ok());
        Status st = open_dir_and_scan(dir);
        if (!st.is_ok()) {
          CHECK_MESSAGE(st.message().find(dir) == 0, st.message());
          CHECK_MESSAGE(st.message().find(name) != std::string::npos, name << " byte " << pos << ": " << st.message());
        }
      }
      REQUIRE(fs::write_file_sync(path, content).is_ok());
    }
    CHECK(open_dir_and_scan(dir).is_ok());
  }

  TEST_CASE("corruption: every truncation of every file fails and names the file") {
    const std::string dir = testutil::fixture_part_dirs().back();
    PartFiles orig = testutil::read_part_files(dir);
    for (int f = 0; f < kPartFileCount; ++f) {
      const char* name = part_file_name(PartFile(f));
      const size_t size = orig.file(PartFile(f)).size();
      const size_t step = std::max<size_t>(1, size / 500);
      for (size_t cut = 0; cut < size; cut += step) {
        PartFiles pf = orig;
        pf.file(PartFile(f)).resize(cut);
        Status st = open_and_scan(pf, dir);
        REQUIRE_MESSAGE(!st.is_ok(), name << " truncated to " << cut);
        CHECK_MESSAGE(st.message().find(name) != std::string::npos, name << " cut " << cut << ": " << st.message());
      }
      // Trailing garbage is detected too.
      PartFiles pf = orig;
      pf.file(PartFile(f)) += "x";
      Status st = open_and_scan(pf, dir);
      CHECK_MESSAGE(!st.is_ok(), name << " + 1 byte");
    }
  }

  TEST_CASE("error messages carry file, offset, index block, block header and field") {
    auto items = synthetic_items();
    auto pf = testutil::write_part(items);
    REQUIRE(pf.is_ok());
    // Corrupt a lens.bin byte in the middle of the file.
    PartFiles bad = *pf;
    for (size_t i = bad.lens.size() / 2; i < bad.lens.size() / 2 + 8; ++i) bad.lens[i] = char(~bad.lens[i]);
    Status st = open_and_scan(bad, "/data/indexdb/GEN/PART");
    REQUIRE(!st.is_ok());
    CHECK(st.message().find("/data/indexdb/GEN/PART/index.bin: index block #") == 0);
    CHECK(st.message().find("block header #") != std::string::npos);
    CHECK(st.message().find("lens.bin offset") != std::string::npos);
  }
}
