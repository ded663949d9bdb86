#include "storage/part_writer.h"

#include <doctest/doctest.h>

#include "base/hex.h"
#include "storage/part_reader.h"
#include "storage/raw_rows.h"
#include "storage/test_util.h"

using namespace vmt;
using namespace vmt::storage;
using testutil::unzstd;

namespace {

// data-part.md §13: the decompressed index block (header A ‖ header B).
const char* kTinyIndexHex =
    // header A
    "00000000" "00000000" "000000000000000b" "00000016" "00000021" "000000000000002c"
    "000003179fcad000" "000003179fcbba60" "0000000000000000"
    "0000000000000000" "0000000000000000"
    "00000003" "00000001" "00000003" "0001" "020240"
    // header B
    "00000000" "00000000" "000000000000000b" "00000016" "00000021" "000000000000002d"
    "000003179fcad000" "000003179fcbba60" "0000000000000054"
    "0000000000000000" "0000000000000001"
    "00000003" "00000000" "00000003" "0000" "020340";

// The decompressed metaindex without its last field (IndexBlockSize depends on the zstd build).
const char* kTinyMetaindexPrefixHex =
    "00000000" "00000000" "000000000000000b" "00000016" "00000021" "000000000000002c"
    "00000002" "000003179fcad000" "000003179fcbba60" "0000000000000000";

std::vector<RawRow> tiny_rows() {
  metric::TSID a{0, 0, 11, 22, 33, 44};
  metric::TSID b = a;
  b.metric_id = 45;
  const int64_t t0 = 1700000000000;
  // Deliberately unsorted: marshal_raw_rows sorts by (TSID, timestamp).
  return {{b, t0 + 30000, 42, 64}, {a, t0 + 15000, 1.5, 64}, {a, t0, 0, 64},
          {b, t0, 42, 64},         {a, t0 + 30000, 3.0, 64}, {b, t0 + 15000, 42, 64}};
}

void check_tiny_part(const InmemoryPart& p) {
  CHECK(to_hex(p.timestamps) == "b0ea01");
  CHECK(to_hex(p.values) == "1e");
  CHECK(to_hex(unzstd(p.index)) == kTinyIndexHex);
  Bytes mi = unzstd(p.metaindex);
  REQUIRE(mi.size() == 64);
  CHECK(to_hex(mi.substr(0, 60)) == kTinyMetaindexPrefixHex);
  CHECK(load_u32(mi.data() + 60) == p.index.size());
  CHECK(p.header.to_json() ==
        R"({"RowsCount":6,"BlocksCount":2,"MinTimestamp":1700000000000,"MaxTimestamp":1700000030000,"MinDedupInterval":0})");
}

BlockHeader plain_header(uint64_t mid, int64_t min_ts) {
  BlockHeader bh;
  bh.tsid.metric_id = mid;
  bh.min_timestamp = min_ts;
  bh.max_timestamp = min_ts + 10;
  bh.rows_count = 2;
  bh.precision_bits = 64;
  bh.timestamps_marshal_type = 2;
  bh.values_marshal_type = 3;
  return bh;
}

// Reads every block header of p with r and checks the totals.
void read_all_headers(const InmemoryPart& p, PartReader& r) {
  REQUIRE(r.open_memory(p).is_ok());
  BlockHeader h;
  bool eof = false;
  while (!eof) REQUIRE(r.next_header(h, &eof).is_ok());
  CHECK(r.verify_totals().is_ok());
}

}  // namespace

TEST_SUITE("storage/part_writer") {
  TEST_CASE("builds the §13 tiny part byte for byte (in memory)") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, kCompressLevelFromRows);
    auto rows = tiny_rows();
    REQUIRE(marshal_raw_rows(rows, w).is_ok());
    REQUIRE(w.close().is_ok());
    check_tiny_part(p);
  }

  TEST_CASE("builds the §13 tiny part in a directory; store_to_disk writes the same files") {
    test::TempDir tmp;
    PartWriter w;
    REQUIRE(w.open_dir(tmp.sub("p1"), vmt::metric::Tenancy::kCluster, kCompressLevelFromRows).is_ok());
    auto rows = tiny_rows();
    REQUIRE(marshal_raw_rows(rows, w).is_ok());
    REQUIRE(w.close().is_ok());
    InmemoryPart from_disk;
    from_disk.timestamps = fs::read_file(tmp.sub("p1/timestamps.bin"), 1 << 20).value();
    from_disk.values = fs::read_file(tmp.sub("p1/values.bin"), 1 << 20).value();
    from_disk.index = fs::read_file(tmp.sub("p1/index.bin"), 1 << 20).value();
    from_disk.metaindex = fs::read_file(tmp.sub("p1/metaindex.bin"), 1 << 20).value();
    Bytes json = fs::read_file(tmp.sub("p1/metadata.json"), 1 << 20).value();
    from_disk.header = PartHeader::decode_json(json).value();
    CHECK(json.size() == 110);
    check_tiny_part(from_disk);

    InmemoryPart mem;
    PartWriter w2;
    w2.open_memory(&mem, vmt::metric::Tenancy::kCluster, kCompressLevelFromRows);
    rows = tiny_rows();
    REQUIRE(marshal_raw_rows(rows, w2).is_ok());
    REQUIRE(w2.close().is_ok());
    REQUIRE(mem.store_to_disk(tmp.sub("p2")).is_ok());
    for (const char* f : {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin", "metadata.json"}) {
      CAPTURE(f);
      CHECK(fs::read_file(tmp.sub(std::string("p1/") + f), 1 << 20).value() ==
            fs::read_file(tmp.sub(std::string("p2/") + f), 1 << 20).value());
    }
    // MustMkdirFailIfExist.
    CHECK(!mem.store_to_disk(tmp.sub("p2")).is_ok());
  }

  TEST_CASE("MinDedupInterval is written by close") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    REQUIRE(w.write_raw(plain_header(1, 0), "\x02", "").is_ok());
    REQUIRE(w.close(30000).is_ok());
    CHECK(p.header.min_dedup_interval == 30000);
  }

  TEST_CASE("compress level for merges follows getCompressLevel") {
    CHECK(compress_level_for_merge(1) == -5);
    CHECK(compress_level_for_merge(10) == -5);
    CHECK(compress_level_for_merge(10.5) == -2);
    CHECK(compress_level_for_merge(50) == -2);
    CHECK(compress_level_for_merge(200) == -1);
    CHECK(compress_level_for_merge(500) == 1);
    CHECK(compress_level_for_merge(1000) == 2);
    CHECK(compress_level_for_merge(2000) == 3);
    CHECK(compress_level_for_merge(4000) == 4);
    CHECK(compress_level_for_merge(4000.01) == 5);
    CHECK(compress_level_for_merge(8192) == 5);
  }

  TEST_CASE("index blocks hold 737 headers: flush after appending once >= 65536 bytes (v1.93.7)") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    for (uint64_t i = 0; i < 2000; ++i) {
      REQUIRE(w.write_raw(plain_header(i, int64_t(i)), "\x02", "").is_ok());
    }
    REQUIRE(w.close().is_ok());
    auto rows = decode_metaindex(unzstd(p.metaindex), vmt::metric::Tenancy::kCluster);
    REQUIRE(rows.is_ok());
    REQUIRE(rows->size() == 3);
    CHECK(rows->at(0).block_headers_count == 737);
    CHECK(rows->at(1).block_headers_count == 737);
    CHECK(rows->at(2).block_headers_count == 2000 - 2 * 737);
    CHECK(rows->at(1).tsid.metric_id == 737);
    CHECK(rows->at(1).min_timestamp == 737);
    CHECK(rows->at(1).max_timestamp == 737 * 2 - 1 + 10);
    CHECK(rows->at(1).index_block_offset == rows->at(0).index_block_size);
    CHECK(unzstd(ByteView(p.index).substr(0, rows->at(0).index_block_size)).size() == 737 * 89);
    // All blocks share the one stored timestamps block.
    CHECK(p.timestamps == "\x02");
    PartReader r;
    REQUIRE(r.open_memory(p).is_ok());
    BlockHeader bh;
    bool eof = false;
    uint64_t n = 0;
    while (true) {
      REQUIRE(r.next_header(bh, &eof).is_ok());
      if (eof) break;
      CHECK(bh.timestamps_block_offset == 0);
      ++n;
    }
    CHECK(n == 2000);
    CHECK(r.verify_totals().is_ok());
  }

  TEST_CASE("timestamps reuse only the last stored block, and never an empty one") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    BlockHeader bh = plain_header(1, 0);
    REQUIRE(w.write_raw(bh, "\x02", "").is_ok());     // stored at 0
    bh.tsid.metric_id = 2;
    REQUIRE(w.write_raw(bh, "\x02", "").is_ok());     // reuses 0
    bh.tsid.metric_id = 3;
    REQUIRE(w.write_raw(bh, "\x04", "").is_ok());     // stored at 1
    bh.tsid.metric_id = 4;
    REQUIRE(w.write_raw(bh, "\x02", "").is_ok());     // not the last stored: stored at 2
    bh.tsid.metric_id = 5;
    bh.timestamps_marshal_type = 3;
    bh.max_timestamp = bh.min_timestamp;
    REQUIRE(w.write_raw(bh, "", "").is_ok());         // empty: stored (0 bytes) at 3
    bh.tsid.metric_id = 6;
    REQUIRE(w.write_raw(bh, "", "").is_ok());         // empty is never reused: at 3 again, 0 bytes
    bh.tsid.metric_id = 7;
    bh.timestamps_marshal_type = 2;
    bh.max_timestamp = bh.min_timestamp + 10;
    REQUIRE(w.write_raw(bh, "\x02", "\x01\x02").is_ok());   // stored at 3
    REQUIRE(w.close().is_ok());
    CHECK(p.timestamps == "\x02\x04\x02\x02");
    CHECK(p.values == "\x01\x02");
    Bytes idx = unzstd(p.index);
    REQUIRE(idx.size() == 7 * 89);
    std::vector<uint64_t> offs;
    for (size_t i = 0; i < 7; ++i) offs.push_back(BlockHeader::load(idx.data() + i * 89, vmt::metric::Tenancy::kCluster).timestamps_block_offset);
    CHECK(offs == std::vector<uint64_t>{0, 0, 1, 2, 3, 3, 3});
    CHECK(BlockHeader::load(idx.data() + 6 * 89, vmt::metric::Tenancy::kCluster).values_block_offset == 0);
    PartReader r;
    REQUIRE(r.open_memory(p).is_ok());
    Block b;
    bool eof = false;
    int n = 0;
    while (true) {
      RawBlock raw;
      REQUIRE(r.next_raw(raw, &eof).is_ok());
      if (eof) break;
      ++n;
    }
    CHECK(n == 7);
  }

  TEST_CASE("refuses blocks the reader would reject, without breaking the part") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    REQUIRE(w.write_raw(plain_header(5, 100), "\x02", "").is_ok());
    Status st = w.write_raw(plain_header(4, 100), "\x02", "");
    CHECK(st.code() == Code::invalid_argument);
    CHECK(st.message().find("TSID") != std::string::npos);
    st = w.write_raw(plain_header(5, 99), "\x02", "");
    CHECK(st.code() == Code::invalid_argument);
    CHECK(st.message().find("MinTimestamp") != std::string::npos);
    BlockHeader bh = plain_header(6, 0);
    bh.rows_count = 0;
    CHECK(w.write_raw(bh, "", "").code() == Code::invalid_argument);
    bh = plain_header(6, 0);
    bh.max_timestamp = -1;
    CHECK(w.write_raw(bh, "", "").code() == Code::invalid_argument);
    CHECK(w.write_rows(bh.tsid, nullptr, nullptr, 0, 0, 64).code() == Code::invalid_argument);
    REQUIRE(w.write_raw(plain_header(5, 100), "\x02", "").is_ok());   // equal MinTimestamp is fine
    REQUIRE(w.close().is_ok());
    CHECK(p.header.blocks_count == 2);
    PartReader r;
    read_all_headers(p, r);
    CHECK(w.write_raw(plain_header(9, 0), "", "").code() == Code::invalid_argument);   // closed
  }

  TEST_CASE("a series' block that starts before its previous block: refused unless allowed, then counted") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    REQUIRE(w.write_raw(plain_header(5, 100), "\x02", "").is_ok());
    CHECK(w.write_raw(plain_header(5, 99), "\x02", "").code() == Code::invalid_argument);
    w.allow_series_min_backwards();
    REQUIRE(w.write_raw(plain_header(5, 99), "\x02", "").is_ok());
    REQUIRE(w.write_raw(plain_header(5, 99), "\x02", "").is_ok());   // equal: not backwards
    REQUIRE(w.write_raw(plain_header(6, 0), "\x02", "").is_ok());    // another series
    CHECK(w.series_min_backwards() == 1);
    REQUIRE(w.close().is_ok());
    CHECK(p.header.blocks_count == 4);
    PartReader r;
    read_all_headers(p, r);
    REQUIRE(r.warnings().size() == 1);
    CHECK(r.warnings()[0].find("MinTimestamp=99 is smaller than MinTimestamp=100") != std::string::npos);
  }

  TEST_CASE("an empty part has RowsCount 0 and no metaindex bytes") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    REQUIRE(w.close().is_ok());
    CHECK(p.header.rows_count == 0);
    CHECK(p.metaindex.empty());
    CHECK(p.index.empty());
  }
}
