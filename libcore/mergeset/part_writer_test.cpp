#include "mergeset/part_writer.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "encoding/zstd.h"
#include "mergeset/part_reader.h"
#include "mergeset/test_util.h"

using namespace vmt;
using namespace vmt::mergeset;
using testutil::unhex;

namespace {

Bytes unzstd(ByteView b) {
  Bytes out;
  Status st = zstd::decompress(out, b, 64 << 20);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  return out;
}

Bytes u32be(uint64_t v) { Bytes b; put_u32(b, uint32_t(v)); return b; }

// The items data of §12's table: suffix column, rows 1..17 (rows 8 and 17 are whole items).
Bytes worked_example_items_data(const std::vector<Bytes>& items) {
  const char* suffixes[] = {
      "696E7374616E63650168313A39313030011789ABCD00000001",
      "6A6F6201617069011789ABCD00000001",
      "70617468012F78011789ABCD00000001",
      "FE13687474705F72657175657374735F746F74616C696E7374616E63650168313A39313030011789ABCD00000001",
      "6A6F6201617069011789ABCD00000001",
      "70617468012F78011789ABCD00000001",
      "020000002A000000071789ABCD000000010000002A00000007A20BCC1FD95AD8621F5FF62F0257B7901789ABCD00000001",
      nullptr,
      "050000002A000000070000000000004CCE1789ABCD00000001",
      "060000002A000000070000000000004CCE01687474705F72657175657374735F746F74616C011789ABCD00000001",
      "696E7374616E63650168313A39313030011789ABCD00000001",
      "6A6F6201617069011789ABCD00000001",
      "70617468012F78011789ABCD00000001",
      "FE13687474705F72657175657374735F746F74616C696E7374616E63650168313A39313030011789ABCD00000001",
      "6A6F6201617069011789ABCD00000001",
      "70617468012F78011789ABCD00000001",
      nullptr,
  };
  Bytes out;
  for (size_t i = 1; i < 18; ++i) out += suffixes[i - 1] ? unhex(suffixes[i - 1]) : items[i];
  return out;
}

// n sorted items over 7 short prefixes, their 8-byte tails spread: dozens of blocks of a
// part, which compress well.
std::vector<Bytes> spread_items(int n) {
  std::vector<Bytes> items;
  for (int i = 0; i < n; ++i) {
    Bytes it = "k" + std::to_string(i % 7) + "/";
    put_u64(it, uint64_t(i) * 2654435761u);
    items.push_back(it);
  }
  std::sort(items.begin(), items.end());
  return items;
}

}  // namespace

TEST_SUITE("mergeset/part_writer") {
  TEST_CASE("the §12 worked example: every decompressed file and metadata.json") {
    auto items = testutil::worked_example_items();
    vmt::test::TempDir tmp;
    const std::string dir = tmp.sub("18EA240D99112670");
    PartWriter w;
    REQUIRE(w.open(dir, {-5, nullptr}).is_ok());
    for (const auto& it : items) REQUIRE(w.add(it).is_ok());
    REQUIRE(w.close().is_ok());
    PartFiles pf = testutil::read_part_files(dir);

    const Bytes first = items.front();
    // metadata.json: exactly Go's 344 bytes.
    CHECK(pf.metadata_json ==
          "{\"ItemsCount\":18,\"BlocksCount\":1,\"FirstItem\":\"" + to_hex(first) + "\",\"LastItem\":\"" +
              to_hex(items.back()) + "\"}");
    CHECK(pf.metadata_json.size() == 344);

    // index.bin: one frame holding one 69-byte header. Sizes are ours (the spec's 194/43 are
    // pure-Go zstd's), so they are compared with our file sizes.
    Bytes index = unzstd(pf.index);
    Bytes want_index = unhex("00 26") + first + unhex("01 00000012 0000000000000000 0000000000000000") +
                       u32be(pf.items.size()) + u32be(pf.lens.size());
    CHECK(to_hex(index) == to_hex(want_index));
    CHECK(index.size() == 69);

    // metaindex.bin: one frame, 55 bytes.
    Bytes metaindex = unzstd(pf.metaindex);
    Bytes want_metaindex = unhex("26") + first + unhex("00000001 0000000000000000") + u32be(pf.index.size());
    CHECK(to_hex(metaindex) == to_hex(want_metaindex));
    CHECK(metaindex.size() == 55);

    // lens.bin: 34 bytes.
    CHECK(to_hex(unzstd(pf.lens), true) ==
          "0900000017001E00000011000000370026" "043B002E19001F7F5737040B001E090051");
    // items.bin: 571 bytes, the suffix column.
    Bytes items_data = unzstd(pf.items);
    CHECK(items_data.size() == 571);
    CHECK(to_hex(items_data) == to_hex(worked_example_items_data(items)));

    // And it reads back.
    auto r = PartReader::open(dir);
    REQUIRE(r.is_ok());
    auto back = testutil::read_all(**r);
    REQUIRE(back.is_ok());
    CHECK(*back == items);
  }

  TEST_CASE("single-item part shape (§12)") {
    vmt::test::TempDir tmp;
    const std::string dir = tmp.sub("p");
    PartWriter w;
    REQUIRE(w.open(dir, {}).is_ok());
    REQUIRE(w.add("\x05single-item").is_ok());
    REQUIRE(w.close().is_ok());
    PartFiles pf = testutil::read_part_files(dir);
    CHECK(pf.items.empty());
    CHECK(pf.lens.empty());
    Bytes want = unhex("0c") + "\x05single-item" + unhex("0c") + "\x05single-item" +
                 unhex("00 00000001 0000000000000000 0000000000000000 00000000 00000000");
    CHECK(to_hex(unzstd(pf.index)) == to_hex(want));
    CHECK(pf.metadata_json == "{\"ItemsCount\":1,\"BlocksCount\":1,\"FirstItem\":\"0573696e676c652d6974656d\","
                              "\"LastItem\":\"0573696e676c652d6974656d\"}");
    auto r = PartReader::open(dir);
    REQUIRE(r.is_ok());
    auto n = (*r)->verify();
    REQUIRE(n.is_ok());
    CHECK(*n == 1);
  }

  TEST_CASE("compression level table (§9)") {
    CHECK(compress_level_for_items(1) == -5);
    CHECK(compress_level_for_items(1 << 16) == -5);
    CHECK(compress_level_for_items((1 << 16) + 1) == -4);
    CHECK(compress_level_for_items(1 << 17) == -4);
    CHECK(compress_level_for_items(1 << 18) == -3);
    CHECK(compress_level_for_items(1 << 19) == -2);
    CHECK(compress_level_for_items(1 << 20) == -1);
    CHECK(compress_level_for_items((1 << 20) + 1) == 1);
    CHECK(compress_level_for_items(1 << 22) == 1);
    CHECK(compress_level_for_items(1 << 25) == 2);
    CHECK(compress_level_for_items(1 << 28) == 3);
    CHECK(compress_level_for_items((1ull << 28) + 1) == 4);
  }

  TEST_CASE("cuts blocks by the 65536-byte rule") {
    // 1000-byte items: 65 fit a block (65000), the 66th starts the next one.
    std::vector<Bytes> items;
    for (int i = 0; i < 200; ++i) {
      Bytes it(1000, 'x');
      store_u32(it.data(), uint32_t(i));
      items.push_back(it);
    }
    auto pf = testutil::write_part(items);
    REQUIRE(pf.is_ok());
    auto r = PartReader::open_in_memory(*pf);
    REQUIRE(r.is_ok());
    CHECK((*r)->header().blocks_count == 4);  // 65 + 65 + 65 + 5
    REQUIRE((*r)->seek_to_first().is_ok());
    std::vector<size_t> sizes;
    while ((*r)->valid()) {
      sizes.push_back((*r)->block_items().size());
      REQUIRE((*r)->next_block().is_ok());
    }
    CHECK(sizes == std::vector<size_t>{65, 65, 65, 5});
    // An item of exactly 65536 bytes fits an empty block.
    auto big = testutil::write_part({"a", Bytes(65536, 'b'), "c"});
    REQUIRE(big.is_ok());
    auto rb = PartReader::open_in_memory(*big);
    REQUIRE(rb.is_ok());
    CHECK((*rb)->header().blocks_count == 3);
  }

  TEST_CASE("groups headers into index blocks of >= 65536 uncompressed bytes") {
    // ~2 KiB first items make ~4 KiB headers: an index block closes after 16 of them.
    std::vector<Bytes> items;
    testutil::Rng rng;
    for (int i = 0; i < 200; ++i) {
      Bytes it = rng.bytes(2000);
      store_u32(it.data(), uint32_t(i));
      items.push_back(it);
      items.push_back(it + Bytes(30000, 'q'));
      items.push_back(it + "z");
    }
    auto pf = testutil::write_part(items);
    REQUIRE_MESSAGE(pf.is_ok(), pf.status().message());
    auto r = PartReader::open_in_memory(*pf);
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    const auto& rows = (*r)->metaindex();
    CHECK(rows.size() > 3);
    for (size_t i = 0; i + 1 < rows.size(); ++i) CHECK(rows[i].index_block_size <= kMaxIndexBlockSize);
    auto back = testutil::read_all(**r);
    REQUIRE(back.is_ok());
    CHECK(*back == items);
  }

  TEST_CASE("huge first items: compressed index blocks stay within the reader's limit") {
    // Incompressible 65536-byte items, one per block: headers of ~128 KiB (cp = whole item).
    std::vector<Bytes> items;
    testutil::Rng rng;
    for (int i = 0; i < 6; ++i) {
      Bytes it = rng.bytes(65536);
      it[0] = char(i);
      items.push_back(it);
    }
    auto pf = testutil::write_part(items);
    REQUIRE_MESSAGE(pf.is_ok(), pf.status().message());
    auto r = PartReader::open_in_memory(*pf);
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    auto back = testutil::read_all(**r);
    REQUIRE(back.is_ok());
    CHECK(*back == items);
    // Items over 60 KiB alone in a block get commonPrefix "" (HEAD's form), shorter ones the item.
    REQUIRE((*r)->seek_to_first().is_ok());
    CHECK((*r)->block_header().common_prefix.empty());
    auto small = testutil::write_part({Bytes(61440, 's')});
    REQUIRE(small.is_ok());
    auto rs = PartReader::open_in_memory(*small);
    REQUIRE(rs.is_ok());
    REQUIRE((*rs)->seek_to_first().is_ok());
    CHECK((*rs)->block_header().common_prefix.size() == 61440);
  }

  TEST_CASE("a part at the store level reads back item for item as a compressed one") {
    // What an import's runs are written at (ingest/index_builder.cpp): zstd raw blocks.
    const std::vector<Bytes> items = spread_items(200000);
    auto read_back = [&](int level) {
      PartWriterOptions opt;
      opt.compress_level = level;
      PartWriter w;
      w.open_in_memory(std::move(opt));
      for (const auto& it : items) REQUIRE(w.add(it).is_ok());
      REQUIRE(w.close().is_ok());
      const PartFiles f = w.take_files();
      auto r = PartReader::open_in_memory(f);
      REQUIRE(r.is_ok());
      REQUIRE((*r)->seek_to_first().is_ok());
      std::vector<Bytes> got;
      while ((*r)->valid()) {
        got.emplace_back((*r)->item());
        REQUIRE((*r)->next().is_ok());
      }
      return std::pair{got, f.items.size()};
    };
    const auto [stored, stored_bytes] = read_back(zstd::kStoreLevel);
    const auto [compressed, compressed_bytes] = read_back(1);
    CHECK(stored == items);
    CHECK(compressed == items);
    CHECK(stored_bytes > compressed_bytes);  // stored, not compressed
  }

  TEST_CASE("a background writer writes the same bytes as the direct one") {
    // Enough items for dozens of blocks; prepareBlock drops items, so the counts the background
    // thread keeps must follow its output.
    const std::vector<Bytes> items = spread_items(300000);
    auto write = [&](bool background) {
      PartWriterOptions opt;
      opt.compress_level = 1;
      opt.background = background;
      opt.prepare_block = [](const Items& in, Items& out) {
        for (size_t i = 0; i < in.size(); ++i) {
          if (i == 0 || i + 1 == in.size() || i % 3 != 0) out.push_back(in[i]);
        }
        return true;
      };
      PartWriter w;
      w.open_in_memory(std::move(opt));
      for (const auto& it : items) REQUIRE(w.add(it).is_ok());
      REQUIRE(w.close().is_ok());
      CHECK(w.header().blocks_count > 40);
      return w.take_files();
    };
    const PartFiles direct = write(false), background = write(true);
    CHECK(background.metadata_json == direct.metadata_json);
    CHECK(background.metaindex == direct.metaindex);
    CHECK(background.index == direct.index);
    CHECK(background.items == direct.items);
    CHECK(background.lens == direct.lens);
    auto r = PartReader::open_in_memory(background);
    REQUIRE(r.is_ok());
    CHECK((*r)->header().items_count < items.size());

    // Order is still checked across the blocks handed over.
    PartWriterOptions opt;
    opt.background = true;
    PartWriter w;
    w.open_in_memory(std::move(opt));
    for (size_t i = 0; i < 20000; ++i) REQUIRE(w.add(items[i]).is_ok());
    CHECK(w.add(items[0]).code() == Code::invalid_argument);
  }

  TEST_CASE("rejects unsorted input, items over 65536 bytes and empty parts") {
    PartWriter w;
    w.open_in_memory({});
    REQUIRE(w.add("b").is_ok());
    Status st = w.add("a");
    CHECK(st.code() == Code::invalid_argument);
    CHECK(st.message().find("order") != std::string::npos);
    CHECK(w.add(Bytes(65537, 'c')).code() == Code::invalid_argument);

    PartWriter e;
    e.open_in_memory({});
    CHECK(e.close().code() == Code::invalid_argument);

    vmt::test::TempDir tmp;
    PartWriter d;
    CHECK(d.open(tmp.path(), {}).code() == Code::invalid_argument);  // exists
  }

  TEST_CASE("prepareBlock rewrites blocks; counts follow its output") {
    std::vector<Bytes> items = {"a1", "a2", "a3", "a4", "b"};
    PartWriterOptions opt;
    opt.prepare_block = [](const Items& in, Items& out) {
      // Drop every middle item: first and last stay.
      out.push_back(in.front());
      out.push_back(in.back());
      return true;
    };
    auto pf = testutil::write_part(items, opt);
    REQUIRE(pf.is_ok());
    auto r = PartReader::open_in_memory(*pf);
    REQUIRE(r.is_ok());
    CHECK((*r)->header().items_count == 2);
    auto back = testutil::read_all(**r);
    REQUIRE(back.is_ok());
    CHECK(*back == std::vector<Bytes>{"a1", "b"});
  }

  TEST_CASE("prepareBlock violations fall back to the original items") {
    std::vector<Bytes> items = {"a1", "a2", "a3"};
    auto check_fallback = [&](PrepareBlockFn fn) {
      PartWriter w;
      w.open_in_memory({-5, fn});
      for (const auto& it : items) REQUIRE(w.add(it).is_ok());
      REQUIRE(w.close().is_ok());
      CHECK(w.prepare_block_fallbacks() == 1);
      auto r = PartReader::open_in_memory(w.take_files());
      REQUIRE(r.is_ok());
      auto back = testutil::read_all(**r);
      REQUIRE(back.is_ok());
      CHECK(*back == items);
    };
    check_fallback([](const Items&, Items& out) { out.push_back("a0"); out.push_back("a3"); return true; });
    check_fallback([](const Items&, Items& out) { out.push_back("a1"); out.push_back("a4"); return true; });
    check_fallback([](const Items&, Items& out) {
      out.push_back("a1"); out.push_back("a9"); out.push_back("a2"); out.push_back("a3"); return true;
    });
    check_fallback([](const Items&, Items&) { return true; });  // empty output
    // Returning false keeps the block and is not a fallback.
    PartWriter w;
    w.open_in_memory({-5, [](const Items&, Items&) { return false; }});
    for (const auto& it : items) REQUIRE(w.add(it).is_ok());
    REQUIRE(w.close().is_ok());
    CHECK(w.prepare_block_fallbacks() == 0);
    CHECK(w.header().items_count == 3);
  }
}
