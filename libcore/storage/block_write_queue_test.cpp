#include "storage/block_write_queue.h"

#include <doctest/doctest.h>

#include <vector>

#include "storage/part_reader.h"

namespace vmt::storage {

namespace {

// Writes the same blocks (raw copies and rows to encode, interleaved, past several 64k-row
// batches) through a queue, and returns the part. hold: the raw copies go through hold_raw and
// write_held, and some rows are held encoded first and dropped (a merge's pending block).
InmemoryPart write_through(bool background, unsigned inline_share, bool hold = false) {
  InmemoryPart part;
  PartWriter w;
  w.open_memory(&part, metric::Tenancy::kCluster, 1);
  {
    BlockWriteQueue q(w, background, inline_share);
    std::vector<int64_t> ts, vals;
    Bytes enc_ts, enc_vals;
    for (uint64_t series = 1; series <= 400; ++series) {
      ts.clear();
      vals.clear();
      const size_t n = 1 + (series * 37) % 900;
      for (size_t i = 0; i < n; ++i) {
        ts.push_back(int64_t(1700000000000 + i * 15000 + (i * series) % 7));
        vals.push_back(int64_t((i * i + series * 13) % 100000) - 50000);
      }
      BlockHeader like;
      like.tsid.metric_id = series;
      like.scale = int16_t(series % 3) - 1;
      like.precision_bits = series % 5 == 0 ? 20 : 64;
      if (series % 4 == 0) {
        // A block copied as it is (an encoded source block).
        BlockHeader bh = like;
        encode_block(bh, enc_ts, enc_vals, ts.data(), vals.data(), n, like.scale, like.precision_bits);
        if (hold) {
          q.hold_raw(enc_ts, enc_vals);
          CHECK(q.held_timestamps() == ByteView(enc_ts));
          CHECK(q.held_values() == ByteView(enc_vals));
          CHECK_FALSE(q.put_raw(bh, enc_ts, enc_vals).is_ok());   // nothing else while one is held
          REQUIRE(q.write_held(bh).is_ok());
        } else {
          REQUIRE(q.put_raw(bh, enc_ts, enc_vals).is_ok());
        }
      } else {
        if (hold && series % 4 == 2) {
          BlockHeader bh = like;
          encode_block(bh, enc_ts, enc_vals, ts.data(), vals.data(), n, like.scale, like.precision_bits);
          q.hold_raw(enc_ts, enc_vals);
          q.drop_held();
        }
        REQUIRE(q.put_rows(like, ts.data(), vals.data(), n).is_ok());
      }
    }
    REQUIRE(q.finish().is_ok());
  }
  REQUIRE(w.close(0).is_ok());
  return part;
}

}  // namespace

TEST_SUITE("storage/block_write_queue") {

TEST_CASE("blocks encoded by the caller, by the thread or directly make the same part, byte for byte") {
  const InmemoryPart direct = write_through(false, 0);
  PartReader r;
  REQUIRE(r.open_memory(direct).is_ok());
  CHECK(r.part_header().blocks_count == 400);
  for (unsigned share : {0u, 8u, 16u}) {
    CAPTURE(share);
    const InmemoryPart queued = write_through(true, share);
    CHECK(queued.header == direct.header);
    CHECK(queued.index == direct.index);
    CHECK(queued.metaindex == direct.metaindex);
    CHECK(queued.timestamps == direct.timestamps);
    CHECK(queued.values == direct.values);
  }
}

TEST_CASE("a held block is written as put_raw writes it, once; a dropped one leaves no trace") {
  const InmemoryPart direct = write_through(false, 0);
  for (bool background : {false, true}) {
    CAPTURE(background);
    const InmemoryPart held = write_through(background, 8, /*hold=*/true);
    CHECK(held.header == direct.header);
    CHECK(held.index == direct.index);
    CHECK(held.metaindex == direct.metaindex);
    CHECK(held.timestamps == direct.timestamps);
    CHECK(held.values == direct.values);
  }
}

}  // TEST_SUITE

}  // namespace vmt::storage
