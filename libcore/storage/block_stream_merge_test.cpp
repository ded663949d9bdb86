#include "storage/block_stream_merge.h"

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "encoding/decimal.h"
#include "encoding/marshal_type.h"
#include "storage/test_util.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

metric::TSID tsid_of(uint64_t mid) {
  metric::TSID t;
  t.metric_group_id = 100;
  t.metric_id = mid;
  return t;
}

// One block to write: rows of one series at one scale and precision.
struct BlockSpec {
  uint64_t mid = 7;
  std::vector<int64_t> ts, vals;
  int16_t scale = 0;
  uint8_t pb = 64;
};

InmemoryPart make_part(const std::vector<BlockSpec>& blocks) {
  InmemoryPart p;
  PartWriter w;
  w.open_memory(&p, vmt::metric::Tenancy::kCluster, kCompressLevelFromRows);
  for (const auto& b : blocks) {
    Status st = w.write_rows(tsid_of(b.mid), b.ts.data(), b.vals.data(), b.ts.size(), b.scale, b.pb);
    REQUIRE_MESSAGE(st.is_ok(), st.to_string());
  }
  REQUIRE(w.close().is_ok());
  return p;
}

struct Merged {
  BlockMergeStats stats;
  InmemoryPart part;
  std::vector<Block> blocks;
};

void merge_into(const std::vector<const InmemoryPart*>& parts, const BlockMergeOptions& opt, InmemoryPart* out,
                BlockMergeStats* stats) {
  std::vector<std::unique_ptr<PartReader>> readers;
  std::vector<PartReader*> ptrs;
  for (const auto* p : parts) {
    readers.push_back(std::make_unique<PartReader>());
    REQUIRE(readers.back()->open_memory(*p).is_ok());
    ptrs.push_back(readers.back().get());
  }
  PartWriter w;
  w.open_memory(out, vmt::metric::Tenancy::kCluster, 1);
  Status st = merge_parts(ptrs, w, opt, stats);
  REQUIRE_MESSAGE(st.is_ok(), st.to_string());
  REQUIRE(w.close(opt.dedup_interval_ms).is_ok());
}

// Merges with the writer on the caller's thread and on a background thread: the parts must be
// byte-identical.
Merged merge(const std::vector<const InmemoryPart*>& parts, const BlockMergeOptions& opt) {
  Merged m;
  merge_into(parts, opt, &m.part, &m.stats);
  BlockMergeOptions bg = opt;
  bg.background_writer = true;
  InmemoryPart other;
  BlockMergeStats other_stats;
  merge_into(parts, bg, &other, &other_stats);
  CHECK(other.header == m.part.header);
  CHECK(other.index == m.part.index);
  CHECK(other.metaindex == m.part.metaindex);
  CHECK(other.timestamps == m.part.timestamps);
  CHECK(other.values == m.part.values);
  CHECK(other_stats.rows_out == m.stats.rows_out);
  Status st;
  if (m.stats.blocks_out == 0) return m;
  PartReader r;
  REQUIRE(r.open_memory(m.part).is_ok());
  for (;;) {
    Block b;
    bool eof = false;
    st = r.next(b, &eof);
    REQUIRE_MESSAGE(st.is_ok(), st.to_string());
    if (eof) break;
    m.blocks.push_back(std::move(b));
  }
  CHECK(r.verify_totals().is_ok());
  return m;
}

// merge.md §4.5: part A (10 000 rows, pb 64, scale 0, blocks of 8192 + 1808) and part B
// (3000 rows of 0.5 at 50 005 + 10·k: scale -1, Const 5, pb 60), one series, MetricID 7.
struct WorkedExample {
  InmemoryPart a, b;
  WorkedExample() {
    BlockSpec a1, a2, b1;
    for (int64_t i = 0; i < 10000; ++i) {
      BlockSpec& s = i < 8192 ? a1 : a2;
      s.ts.push_back(i * 10);
      s.vals.push_back(i);
    }
    for (int64_t k = 0; k < 3000; ++k) {
      b1.ts.push_back(50005 + 10 * k);
      b1.vals.push_back(5);
    }
    b1.scale = -1;
    b1.pb = 60;
    a = make_part({a1, a2});
    b = make_part({b1});
  }
};

}  // namespace

TEST_SUITE("storage/block_stream_merge") {
  TEST_CASE("the worked example of merge.md §4.5: 2 re-encoded blocks, scale -1, pb 60, 13 000 rows") {
    WorkedExample ex;
    REQUIRE(ex.a.header.blocks_count == 2);
    REQUIRE(ex.b.header.blocks_count == 1);
    Merged m = merge({&ex.a, &ex.b}, {});
    REQUIRE(m.blocks.size() == 2);
    CHECK(m.part.header.rows_count == 13000);
    CHECK(m.stats.rows_in == 13000);
    CHECK(m.stats.rows_merged == 13000);
    CHECK(m.stats.blocks_copied == 0);
    const Block& b1 = m.blocks[0];
    const Block& b2 = m.blocks[1];
    CHECK(b1.rows() == 8192);
    CHECK(b1.header.min_timestamp == 0);
    CHECK(b1.header.max_timestamp == 65955);
    CHECK(b2.rows() == 4808);
    CHECK(b2.header.min_timestamp == 65960);
    CHECK(b2.header.max_timestamp == 99990);
    for (const Block* b : {&b1, &b2}) {
      CHECK(b->header.scale == -1);
      CHECK(b->header.precision_bits == 60);
      CHECK(b->header.timestamps_marshal_type == 1);  // ZSTDNearestDelta2
      CHECK(b->header.values_marshal_type == 4);      // ZSTDNearestDelta
    }
    // A's values were multiplied by 10 (calibrated to scale -1); B's are 5 (0.5). pb 60 is lossy
    // for large mantissas, so compare as floats within precision.
    std::vector<double> f;
    b1.append_float_values(f);
    CHECK(f[0] == 0);
    CHECK(f[1] == doctest::Approx(1));
    // Rows are sorted and every B timestamp (…5) is present.
    size_t bs = 0;
    for (size_t i = 0; i < b1.rows(); ++i) {
      if (i) CHECK(b1.timestamps[i] >= b1.timestamps[i - 1]);
      if (b1.timestamps[i] % 10 == 5) ++bs;
    }
    for (size_t i = 0; i < b2.rows(); ++i) {
      if (b2.timestamps[i] % 10 == 5) ++bs;
    }
    CHECK(bs == 3000);
  }

  TEST_CASE("§4.5 with deadline 60 000: one block of 6000 rows, 7000 deleted") {
    WorkedExample ex;
    BlockMergeOptions opt;
    opt.retention_deadline_ms = 60000;
    Merged m = merge({&ex.a, &ex.b}, opt);
    REQUIRE(m.blocks.size() == 1);
    CHECK(m.blocks[0].rows() == 6000);
    CHECK(m.blocks[0].header.min_timestamp == 60000);
    CHECK(m.blocks[0].header.max_timestamp == 99990);
    CHECK(m.stats.rows_deleted_retention == 7000);
    CHECK(m.part.header.rows_count == 6000);
  }

  TEST_CASE("§4.5 with MetricID 7 deleted: no rows, an empty output") {
    WorkedExample ex;
    std::vector<uint64_t> deleted{3, 7, 9};
    BlockMergeOptions opt;
    opt.deleted_metric_ids = deleted;
    Merged m = merge({&ex.a, &ex.b}, opt);
    CHECK(m.stats.rows_out == 0);
    CHECK(m.stats.blocks_out == 0);
    CHECK(m.stats.rows_deleted_series == 13000);
    CHECK(m.part.header.rows_count == 0);
  }

  TEST_CASE("§6.3: §4.5 with dedup 1 s keeps 67 + 35 rows; the straddling bucket keeps one per block") {
    WorkedExample ex;
    BlockMergeOptions opt;
    opt.dedup_interval_ms = 1000;
    Merged m = merge({&ex.a, &ex.b}, opt);
    REQUIRE(m.blocks.size() == 2);
    CHECK(m.blocks[0].rows() == 67);
    CHECK(m.blocks[1].rows() == 35);
    CHECK(m.blocks[0].timestamps.back() == 65955);
    CHECK(m.blocks[1].timestamps.front() == 66000);
    CHECK(m.stats.rows_merged == 13000);
    CHECK(m.stats.rows_dedup == 13000 - 102);
    CHECK(m.part.header.min_dedup_interval == 1000);
    // Survivors: the last timestamp of each second. Block 1: 0, 990 (A) ... second k ends at
    // k·1000 (A has every 10 ms, B the …5s); the kept sample of (k·1000 − 1000, k·1000] is k·1000.
    for (size_t i = 1; i + 1 < m.blocks[0].rows(); ++i) CHECK(m.blocks[0].timestamps[i] == int64_t(i) * 1000);
  }

  TEST_CASE("encoding.md §9.6 quirk: a stale marker block (scale -1024) merged with [5, 7] gives scale -18") {
    using decimal::kVStaleNaN;
    BlockSpec x, y;
    x.ts = {10};
    x.vals = {kVStaleNaN};
    x.scale = -1024;
    y.ts = {5, 15};
    y.vals = {5, 7};
    InmemoryPart px = make_part({x}), py = make_part({y});
    Merged m = merge({&px, &py}, {});
    REQUIRE(m.blocks.size() == 1);
    const Block& b = m.blocks[0];
    CHECK(b.header.scale == -18);
    CHECK(b.timestamps == std::vector<int64_t>{5, 10, 15});
    CHECK(b.values == std::vector<int64_t>{5000000000000000000, kVStaleNaN, 7000000000000000000});
    CHECK(b.header.values_marshal_type == 6);
  }

  TEST_CASE("non-overlapping full blocks are copied verbatim; different series never merge") {
    // Series 1: two full blocks in two parts, disjoint; series 2: one small block per part.
    BlockSpec s1a, s1b, s2a, s2b;
    for (int64_t i = 0; i < 8192; ++i) {
      s1a.ts.push_back(i * 1000);
      s1a.vals.push_back(i * 3 % 17);
      s1b.ts.push_back((8192 + i) * 1000);
      s1b.vals.push_back(i * 5 % 23);
    }
    s1a.mid = s1b.mid = 1;
    s2a = {2, {1, 2}, {3, 4}, 0, 64};
    s2b = {3, {1, 2}, {5, 6}, 0, 64};
    InmemoryPart p1 = make_part({s1a, s2a}), p2 = make_part({s1b, s2b});
    Merged m = merge({&p2, &p1}, {});
    REQUIRE(m.blocks.size() == 4);
    CHECK(m.stats.blocks_copied == 4);
    CHECK(m.blocks[0].header.tsid.metric_id == 1);
    CHECK(m.blocks[0].header.min_timestamp == 0);
    CHECK(m.blocks[1].header.min_timestamp == 8192000);
    CHECK(m.blocks[2].header.tsid.metric_id == 2);
    CHECK(m.blocks[3].header.tsid.metric_id == 3);
    CHECK(m.blocks[0].values == s1a.vals);
    // The verbatim copy keeps the data bytes: sizes equal the sources'.
    PartReader r;
    REQUIRE(r.open_memory(p1).is_ok());
    BlockHeader src;
    bool eof = false;
    REQUIRE(r.next_header(src, &eof).is_ok());
    CHECK(m.blocks[0].header.values_block_size == src.values_block_size);
    CHECK(m.blocks[0].header.timestamps_marshal_type == src.timestamps_marshal_type);
  }

  TEST_CASE("small blocks of one series are coalesced; overlapping rows interleave, duplicates kept") {
    BlockSpec a{5, {10, 20, 30}, {1, 2, 3}, 0, 64};
    BlockSpec b{5, {20, 25}, {9, 8}, 0, 64};
    BlockSpec c{5, {40}, {4}, 0, 64};
    InmemoryPart pa = make_part({a}), pb = make_part({b}), pc = make_part({c});
    Merged m = merge({&pc, &pb, &pa}, {});
    REQUIRE(m.blocks.size() == 1);
    // Heap: a (min 10), b (min 20), c (min 40). mergeRows(a, b): a's rows <= 20 first (10, 20),
    // then b's <= 30 (20, 25), then a's 30.
    CHECK(m.blocks[0].timestamps == std::vector<int64_t>{10, 20, 20, 25, 30, 40});
    CHECK(m.blocks[0].values == std::vector<int64_t>{1, 2, 9, 8, 3, 4});
  }

  TEST_CASE("retention: whole old blocks dropped; a mixed block copied verbatim keeps its old rows") {
    BlockSpec old_only{1, {10, 20}, {1, 2}, 0, 64};
    BlockSpec mixed{2, {50, 150}, {1, 2}, 0, 64};
    BlockSpec m1{3, {60, 70, 120}, {1, 2, 3}, 0, 64};
    BlockSpec m2{3, {130, 140}, {4, 5}, 0, 64};
    InmemoryPart p1 = make_part({old_only, mixed, m1}), p2 = make_part({m2});
    BlockMergeOptions opt;
    opt.retention_deadline_ms = 100;
    Merged m = merge({&p1, &p2}, opt);
    REQUIRE(m.blocks.size() == 2);
    CHECK(m.blocks[0].timestamps == std::vector<int64_t>{50, 150});   // verbatim: 50 survives
    CHECK(m.blocks[1].timestamps == std::vector<int64_t>{120, 130, 140});  // slow path: cut
    CHECK(m.stats.rows_deleted_retention == 2 + 2);
    CHECK(m.stats.blocks_copied == 1);
  }

  TEST_CASE("a merge of more than 8192 rows is cut at 8192; the rest stays pending") {
    BlockSpec a, b;
    for (int64_t i = 0; i < 6000; ++i) {
      a.ts.push_back(2 * i);
      a.vals.push_back(i);
      b.ts.push_back(2 * i + 1);
      b.vals.push_back(-i);
    }
    InmemoryPart pa = make_part({a}), pb = make_part({b});
    Merged m = merge({&pa, &pb}, {});
    REQUIRE(m.blocks.size() == 2);
    CHECK(m.blocks[0].rows() == 8192);
    CHECK(m.blocks[1].rows() == 12000 - 8192);
    CHECK(m.blocks[1].timestamps.front() == 8192);
    for (size_t i = 0; i < 8192; ++i) CHECK(m.blocks[0].timestamps[i] == int64_t(i));
  }

  TEST_CASE("retention can make a series' next block start before the one written: written as the server does") {
    // Heap order by MinTimestamp: a (0), b (1), c (2). a + b (first rows cut by the deadline 100)
    // is 8193 rows: its first 8192, from 200, are written. c, cut to [150], then joins the rest,
    // and that block starts at 150: before the block written before it, as mergeBlockStreams
    // writes it (the part's readers accept it; verify warns).
    BlockSpec a, b{7, {1, 300, 301}, {1, 2, 3}, 0, 64}, c{7, {2, 150}, {4, 5}, 0, 64};
    a.ts.push_back(0);
    a.vals.push_back(0);
    for (int64_t i = 0; i < 8191; ++i) {
      a.ts.push_back(200 + 2 * i);
      a.vals.push_back(i);
    }
    InmemoryPart pa = make_part({a}), pb = make_part({b}), pc = make_part({c});
    BlockMergeOptions opt;
    opt.retention_deadline_ms = 100;
    Merged m = merge({&pa, &pb, &pc}, opt);
    REQUIRE(m.blocks.size() == 2);
    CHECK(m.blocks[0].timestamps.front() == 200);
    CHECK(m.blocks[0].rows() == 8192);
    CHECK(m.blocks[1].timestamps == std::vector<int64_t>{150, 200 + 2 * 8190});
    CHECK(m.stats.blocks_min_backwards == 1);
    CHECK(m.stats.rows_deleted_retention == 3);
  }

  TEST_CASE("dedup re-encodes verbatim blocks too, and records MinDedupInterval") {
    BlockSpec a{1, {}, {}, 0, 64};
    for (int64_t i = 0; i < 9000; ++i) {
      a.ts.push_back(i * 500);
      a.vals.push_back(i);
    }
    std::vector<BlockSpec> blocks;
    BlockSpec first = a, second = a;
    first.ts.resize(8192);
    first.vals.resize(8192);
    second.ts.erase(second.ts.begin(), second.ts.begin() + 8192);
    second.vals.erase(second.vals.begin(), second.vals.begin() + 8192);
    InmemoryPart p = make_part({first, second});
    BlockMergeOptions opt;
    opt.dedup_interval_ms = 1000;
    Merged m = merge({&p}, opt);
    REQUIRE(m.blocks.size() == 2);
    CHECK(m.stats.blocks_copied == 0);
    CHECK(m.blocks[0].rows() == 4097);   // 0, then one per second up to 4095.5 s -> 4096 s
    CHECK(m.blocks[0].timestamps[1] == 1000);
    CHECK(m.blocks[0].values[1] == 2);
    CHECK(m.part.header.min_dedup_interval == 1000);
  }

  TEST_CASE("a stop request aborts with 'forcibly stopped'") {
    WorkedExample ex;
    std::atomic<bool> stop{true};
    BlockMergeOptions opt;
    opt.stop = &stop;
    PartReader ra, rb;
    REQUIRE(ra.open_memory(ex.a).is_ok());
    REQUIRE(rb.open_memory(ex.b).is_ok());
    InmemoryPart out;
    PartWriter w;
    w.open_memory(&out, vmt::metric::Tenancy::kCluster, 1);
    PartReader* srcs[] = {&ra, &rb};
    Status st = merge_parts(srcs, w, opt, nullptr);
    CHECK_FALSE(st.is_ok());
    CHECK(st.message() == kForciblyStopped);
  }

  TEST_CASE("compress level from the sources' rows per block") {
    std::vector<PartHeader> hs(2);
    hs[0].rows_count = 7098;
    hs[0].blocks_count = 507;
    hs[1].rows_count = 6591;
    hs[1].blocks_count = 507;
    CHECK(compress_level_for_sources(hs) == -2);   // 13.5 rows per block
    hs[0].rows_count = 3000 * 1014 - 6591;   // exactly 3000 rows per block
    CHECK(compress_level_for_sources(hs) == 4);
    hs[0].rows_count += 1014 * 1001;        // 4001
    CHECK(compress_level_for_sources(hs) == 5);
  }
}
