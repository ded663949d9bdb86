#include "storage/part_reader.h"

#include <doctest/doctest.h>

#include "storage/part_writer.h"
#include "storage/test_util.h"

using namespace vmt;
using namespace vmt::storage;
using testutil::assemble_part;

namespace {

// Block i: series metric_id = mid, DeltaConst timestamps "\x02" (+1), Const values, 2 rows.
BlockHeader hdr(uint64_t mid, int64_t min_ts, uint64_t ts_off, uint32_t ts_size, uint64_t v_off, uint32_t v_size) {
  BlockHeader bh;
  bh.tsid.metric_id = mid;
  bh.min_timestamp = min_ts;
  bh.max_timestamp = min_ts + 1;
  bh.first_value = 7;
  bh.timestamps_block_offset = ts_off;
  bh.timestamps_block_size = ts_size;
  bh.values_block_offset = v_off;
  bh.values_block_size = v_size;
  bh.rows_count = 2;
  bh.timestamps_marshal_type = 2;
  bh.values_marshal_type = v_size ? 2 : 3;
  bh.precision_bits = 64;
  return bh;
}

// Streams every block; returns the first error ("ok" if none).
std::string stream_error(const InmemoryPart& p, bool totals = false) {
  PartReader r;
  Status st = r.open_memory(p, "P");
  if (!st.is_ok()) return st.message();
  while (true) {
    Block b;
    bool eof = false;
    st = r.next(b, &eof);
    if (!st.is_ok()) return st.message();
    if (eof) break;
  }
  if (totals) {
    st = r.verify_totals();
    if (!st.is_ok()) return st.message();
  }
  return r.warnings().empty() ? "ok" : "warning: " + r.warnings().front();
}

bool has(const std::string& msg, const std::string& what) {
  if (msg.find(what) != std::string::npos) return true;
  MESSAGE("message: " << msg << "\n  lacks: " << what);
  return false;
}

}  // namespace

TEST_SUITE("storage/part_reader") {
  TEST_CASE("a well-formed assembled part reads") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1), hdr(2, 0, 0, 1, 1, 0), hdr(2, 5, 1, 1, 1, 1)}, "\x02\x02", "\x02\x04");
    CHECK(stream_error(p, true) == "ok");
  }

  TEST_CASE("error messages name the file, offset, index block, block header and field") {
    BlockHeader bad = hdr(2, 0, 0, 1, 0, 0);
    bad.rows_count = 0;
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0), bad}, "\x02", "");
    p.header.rows_count = 4;
    const std::string want = "P/index.bin: offset 0: index block 0 of 1 (" + std::to_string(p.index.size()) +
                             " bytes, 2 block headers per the metaindex): block header #1 (block 1): RowsCount must be > 0; got 0";
    CHECK(stream_error(p) == want);
  }

  TEST_CASE("TSIDs must not decrease") {
    auto p = assemble_part({hdr(2, 0, 0, 1, 0, 0), hdr(1, 0, 0, 1, 0, 0)}, "\x02", "");
    CHECK(has(stream_error(p), "block header #1 (block 1): TSID"));
    CHECK(has(stream_error(p), "sorted by TSID"));
  }

  TEST_CASE("a series' block that starts before its previous block is a warning: the server's merge writes them") {
    auto p = assemble_part({hdr(1, 5, 0, 1, 0, 0), hdr(1, 4, 0, 1, 0, 0), hdr(1, 3, 0, 1, 0, 0)}, "\x02", "");
    const std::string got = stream_error(p);
    CHECK(has(got, "warning: P/index.bin: offset 0: index block 0 of 1"));
    CHECK(has(got, "block header #1 (block 1): MinTimestamp=4 is smaller than MinTimestamp=5 of the previous block of "
                   "the same series (and 1 more such blocks)"));
    CHECK(has(got, "range queries may skip them"));
  }

  TEST_CASE("the metaindex row's TSID must be the first header's") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0)}, "\x02", "");
    Bytes mi = testutil::unzstd(p.metaindex);
    mi[31] = 0;   // MetricID 1 -> 0: still sorted, but not the header's TSID
    p.metaindex.clear();
    zstd::compress(p.metaindex, mi, 1);
    CHECK(has(stream_error(p), "block header #0 (block 0): TSID"));
    CHECK(has(stream_error(p), "differs from the metaindex row's TSID"));
  }

  TEST_CASE("timestamps blocks: reuse needs the same offset and size, else the running end") {
    // Reuse with a different size.
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 0, 0, 2, 0, 0)}, "\x02\x02", "");
    CHECK(has(stream_error(p), "TimestampsBlockSize=2 must equal the size 1 of the reused timestamps block"));
    // A gap.
    p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 0, 2, 1, 0, 0)}, "\x02\x02\x02", "");
    CHECK(has(stream_error(p), "TimestampsBlockOffset=2 must be 1 (the end of the previous timestamps block) or 0"));
    // Reuse of an older block than the last stored one.
    p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 0, 1, 1, 0, 0), hdr(3, 0, 0, 1, 0, 0)}, "\x02\x02", "");
    CHECK(has(stream_error(p), "block header #2 (block 2): TimestampsBlockOffset=0 must be 2"));
    // An empty stored block cannot be reused: the next one at the same offset is read as new.
    BlockHeader one = hdr(1, 0, 0, 0, 0, 0);
    one.rows_count = 1;
    one.max_timestamp = 0;
    one.timestamps_marshal_type = 3;
    p = assemble_part({one, hdr(2, 0, 0, 1, 0, 0)}, "\x02", "");
    CHECK(stream_error(p, true) == "ok");
  }

  TEST_CASE("values blocks are contiguous") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1), hdr(2, 0, 0, 1, 0, 1)}, "\x02", "\x02\x02");
    CHECK(has(stream_error(p), "ValuesBlockOffset=0 must be 1"));
  }

  TEST_CASE("data blocks past the end of their file are corruption with file and offset") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1), hdr(2, 0, 1, 1, 1, 1)}, "\x02", "\x02\x02");
    CHECK(has(stream_error(p), "P/timestamps.bin: offset 1: block 1 (block header #1 of 2 in index block 0 of index.bin"));
    CHECK(has(stream_error(p), "TimestampsBlockSize=1 reaches past the end of the file (1 bytes)"));
    p = assemble_part({hdr(1, 0, 0, 1, 0, 1), hdr(2, 0, 0, 1, 1, 2)}, "\x02", "\x02\x02");
    CHECK(has(stream_error(p), "P/values.bin: offset 1: block 1"));
  }

  // Issue 11 item 6: the server never reads past the last block and serves such a part exactly.
  TEST_CASE("bytes after the last data block are a warning; after the last index block, corruption") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1)}, "\x02" "x", "\x02");
    CHECK(stream_error(p) == "warning: P/timestamps.bin: offset 1: 1 bytes after the last timestamps block (never read by the server)");
    p = assemble_part({hdr(1, 0, 0, 1, 0, 1)}, "\x02", "\x02" "xy");
    CHECK(stream_error(p) == "warning: P/values.bin: offset 1: 2 bytes after the last values block (never read by the server)");
    p = assemble_part({hdr(1, 0, 0, 1, 0, 1)}, "\x02", "\x02");
    p.index += "z";
    CHECK(has(stream_error(p), "P/index.bin: offset"));
    CHECK(has(stream_error(p), "(trailing bytes)"));
  }

  TEST_CASE("the part header bounds its content") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 0, 0, 1, 0, 0)}, "\x02", "");
    p.header.rows_count = 3;
    CHECK(has(stream_error(p), "block header #1 (block 1): the blocks so far hold 4 rows, more than RowsCount=3"));
    p.header.rows_count = 4;
    p.header.blocks_count = 1;
    CHECK(has(stream_error(p), "P/metaindex.bin: metaindex row #0 of 1"));
    CHECK(has(stream_error(p), "more than BlocksCount=1"));
    p.header.blocks_count = 2;
    p.header.max_timestamp = 0;
    CHECK(has(stream_error(p), "P/metaindex.bin: metaindex row #0 of 1"));
    CHECK(has(stream_error(p), "time range [0, 1] is outside [0, 0] of metadata.json"));
    p.header.max_timestamp = 1;
    p.header.rows_count = 5;   // VM accepts smaller content; verify_totals does not
    CHECK(stream_error(p) == "ok");
    CHECK(stream_error(p, true) == "P/metadata.json: RowsCount=5 but the blocks in index.bin hold 4 rows");
  }

  TEST_CASE("a block outside the metaindex row's time range") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 10, 0, 1, 0, 0)}, "\x02", "");
    Bytes mi = testutil::unzstd(p.metaindex);
    store_u64(mi.data() + 44, zigzag64(5));   // MaxTimestamp 11 -> 5
    p.metaindex.clear();
    zstd::compress(p.metaindex, mi, 1);
    CHECK(has(stream_error(p), "block header #1 (block 1): time range [10, 11] is outside [0, 5] of the metaindex row"));
  }

  TEST_CASE("headers per index block must equal BlockHeadersCount") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 0, 0, 1, 0, 0)}, "\x02", "");
    Bytes mi = testutil::unzstd(p.metaindex);
    store_u32(mi.data() + 32, 3);
    p.metaindex.clear();
    zstd::compress(p.metaindex, mi, 1);
    p.header.blocks_count = 3;
    p.header.rows_count = 6;
    CHECK(has(stream_error(p), "index block 0 of 1"));
    CHECK(has(stream_error(p), "want BlockHeadersCount x 89 = 267"));
    store_u32(mi.data() + 32, 1);
    p.metaindex.clear();
    zstd::compress(p.metaindex, mi, 1);
    CHECK(has(stream_error(p), "exceeds the limit of 89 bytes"));
  }

  TEST_CASE("a huge BlockHeadersCount is refused before allocating") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0)}, "\x02", "");
    Bytes mi = testutil::unzstd(p.metaindex);
    store_u32(mi.data() + 32, 0xffffffff);
    p.metaindex.clear();
    zstd::compress(p.metaindex, mi, 1);
    p.header.blocks_count = UINT64_MAX;
    p.header.rows_count = UINT64_MAX;
    CHECK(has(stream_error(p), "BlockHeadersCount=4294967295 exceeds the supported maximum 65536"));
  }

  TEST_CASE("index blocks must be contiguous from offset 0") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0), hdr(2, 0, 0, 1, 0, 0)}, "\x02", "", 1);
    Bytes mi = testutil::unzstd(p.metaindex);
    store_u64(mi.data() + 64 + 52, 1);
    p.metaindex.clear();
    zstd::compress(p.metaindex, mi, 1);
    CHECK(has(stream_error(p), "metaindex row #1 of 2"));
    CHECK(has(stream_error(p), "IndexBlockOffset must be"));
  }

  TEST_CASE("metaindex.bin that is not zstd or empty") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0)}, "\x02", "");
    p.metaindex = "garbage";
    CHECK(has(stream_error(p), "P/metaindex.bin: 7 bytes"));
    p.metaindex.clear();
    CHECK(has(stream_error(p), "P/metaindex.bin: metaindex must contain at least one row"));
  }

  TEST_CASE("a data decode error is not sticky; the stream goes on") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1), hdr(2, 0, 0, 1, 1, 1)}, "\x02", "\x02\x02");
    // DeltaConst values of block 0 hold "\x02"; make the data of block 0 a 2-byte varint tail.
    p.values[0] = char(0x82);   // continuation bit: the varint runs into block 1's byte
    PartReader r;
    REQUIRE(r.open_memory(p, "P").is_ok());
    Block b;
    bool eof = false;
    Status st = r.next(b, &eof);
    REQUIRE(!st.is_ok());
    CHECK(has(st.message(), "P/values.bin: offset 0: block 0 (block header #0 of 2 in index block 0 of index.bin"));
    CHECK(has(st.message(), "cannot decode values"));
    REQUIRE(r.next(b, &eof).is_ok());
    CHECK(!eof);
    CHECK(b.header.tsid.metric_id == 2);
    REQUIRE(r.next(b, &eof).is_ok());
    CHECK(eof);
  }

  TEST_CASE("header-only iteration, then data of a block that reuses a skipped timestamps block") {
    BlockHeader third = hdr(3, 0, 1, 1, 2, 1);
    third.max_timestamp = 2;
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1), hdr(2, 0, 0, 1, 1, 1), third}, "\x02\x04", "\x02\x04\x06");
    PartReader r;
    REQUIRE(r.open_memory(p, "P").is_ok());
    BlockHeader bh;
    bool eof = false;
    REQUIRE(r.next_header(bh, &eof).is_ok());
    CHECK(r.position().block == 0);
    Block b;
    REQUIRE(r.next(b, &eof).is_ok());
    CHECK(b.timestamps == std::vector<int64_t>{0, 1});
    CHECK(b.values == std::vector<int64_t>{7, 9});
    CHECK(r.position().block == 1);
    CHECK(r.position().header == 1);
    CHECK(r.position().headers_in_block == 3);
    REQUIRE(r.next(b, &eof).is_ok());
    CHECK(b.timestamps == std::vector<int64_t>{0, 2});
    CHECK(b.values == std::vector<int64_t>{7, 10});
    REQUIRE(r.next(b, &eof).is_ok());
    CHECK(eof);
    CHECK(r.verify_totals().is_ok());
  }

  TEST_CASE("errors are sticky and open twice is refused") {
    auto p = assemble_part({hdr(2, 0, 0, 1, 0, 0), hdr(1, 0, 0, 1, 0, 0)}, "\x02", "");
    PartReader r;
    REQUIRE(r.open_memory(p, "P").is_ok());
    CHECK(r.open_memory(p, "P").code() == Code::invalid_argument);
    BlockHeader bh;
    bool eof = false;
    REQUIRE(r.next_header(bh, &eof).is_ok());
    Status first = r.next_header(bh, &eof);
    REQUIRE(!first.is_ok());
    CHECK(r.next_header(bh, &eof).message() == first.message());
    CHECK(r.verify_totals().code() == Code::invalid_argument);
  }

  TEST_CASE("size_bytes sums the four .bin files") {
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 1)}, "\x02", "\x02");
    PartReader r;
    REQUIRE(r.open_memory(p).is_ok());
    CHECK(r.size_bytes() == p.size_bytes());
  }

  TEST_CASE("lossless timestamps of any type run from exactly MinTimestamp to exactly MaxTimestamp (§10.3)") {
    // DeltaConst "\x03" = -2: timestamps 0, -2 in a block claiming [0, 1].
    auto p = assemble_part({hdr(1, 0, 0, 1, 0, 0)}, "\x03", "");
    CHECK(has(stream_error(p), "P/timestamps.bin: offset 0: block 0"));
    CHECK(has(stream_error(p), "cannot be smaller than that of row 0"));
    // DeltaConst "\x04" = +2: the last timestamp 2 exceeds MaxTimestamp 1.
    p = assemble_part({hdr(1, 0, 0, 1, 0, 0)}, "\x04", "");
    CHECK(has(stream_error(p), "timestamp of the last row 1 must equal MaxTimestamp=1; got 2"));
    // DeltaConst "\x00" = 0: timestamps 0, 0 in a block claiming [0, 1]: the server would skip
    // this block for a query of [1, 1] that its header says it answers.
    p = assemble_part({hdr(1, 0, 0, 1, 0, 0)}, std::string(1, '\0'), "");
    CHECK(has(stream_error(p), "must equal MaxTimestamp=1; got 0"));
  }
}
