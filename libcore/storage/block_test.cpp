#include "storage/block.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "encoding/decimal.h"
#include "encoding/marshal_type.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

struct Encoded {
  BlockHeader bh;
  Bytes ts, vs;
};

Encoded enc(const std::vector<int64_t>& ts, const std::vector<int64_t>& vs, int16_t scale = 0, uint8_t pb = 64) {
  Encoded e;
  e.bh.tsid.metric_id = 1;
  encode_block(e.bh, e.ts, e.vs, ts.data(), vs.data(), ts.size(), scale, pb);
  return e;
}

std::vector<int64_t> range_ts(size_t n, int64_t start, int64_t step) {
  std::vector<int64_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + int64_t(i) * step;
  return v;
}

}  // namespace

TEST_SUITE("storage/block") {
  TEST_CASE("encode sets every header field but TSID and offsets") {
    Encoded e = enc({1000, 2000, 3000, 4000}, {7, 7, 7, 7}, -3, 64);
    CHECK(e.bh.min_timestamp == 1000);
    CHECK(e.bh.max_timestamp == 4000);
    CHECK(e.bh.first_value == 7);
    CHECK(e.bh.rows_count == 4);
    CHECK(e.bh.scale == -3);
    CHECK(e.bh.precision_bits == 64);
    CHECK(e.bh.timestamps_marshal_type == uint8_t(encoding::MarshalType::kDeltaConst));
    CHECK(e.bh.values_marshal_type == uint8_t(encoding::MarshalType::kConst));
    CHECK(e.bh.timestamps_block_size == e.ts.size());
    CHECK(e.bh.values_block_size == 0);
    CHECK(e.ts == "\xd0\x0f");   // varint(1000), encoding.md §4.5
    CHECK(e.bh.timestamps_block_offset == 0);
    CHECK(e.bh.values_block_offset == 0);
    CHECK(e.bh.validate().is_ok());
  }

  TEST_CASE("round-trips lossless blocks of every shape") {
    std::mt19937_64 rng(42);
    std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cases;
    cases.push_back({{5}, {-1}});
    cases.push_back({{5, 5}, {1, 2}});
    cases.push_back({range_ts(300, 1698796800000, 15000), range_ts(300, 0, 3)});
    std::vector<int64_t> gauge(300), jitter(8192), big(8192);
    for (auto& g : gauge) g = int64_t(rng() % 1000);
    int64_t t = 1698796800000;
    for (auto& j : jitter) { t += 14990 + int64_t(rng() % 20); j = t; }
    for (auto& b : big) b = int64_t(rng() >> 2);
    cases.push_back({range_ts(300, 0, 1000), gauge});
    cases.push_back({jitter, big});
    cases.push_back({jitter, range_ts(8192, 0, 0)});
    cases.push_back({range_ts(3, INT64_MAX - 2, 1), {INT64_MAX, INT64_MIN, 0}});
    for (const auto& [ts, vs] : cases) {
      CAPTURE(ts.size());
      Encoded e = enc(ts, vs);
      std::vector<int64_t> dts = {99}, dvs = {99};
      REQUIRE(decode_block_data(e.bh, e.ts, e.vs, dts, dvs).is_ok());
      CHECK(dts == ts);
      CHECK(dvs == vs);
    }
  }

  TEST_CASE("lossy precision keeps timestamps ordered within [Min, Max] (encoding.md §8)") {
    std::mt19937_64 rng(7);
    std::vector<int64_t> ts(1000), vs(1000);
    int64_t t = 1698796800000;
    for (size_t i = 0; i < ts.size(); ++i) {
      t += int64_t(rng() % 30000);
      ts[i] = t;
      vs[i] = int64_t(rng() % 100000);
    }
    for (uint8_t pb : {1, 3, 8, 20, 63}) {
      CAPTURE(int(pb));
      Encoded e = enc(ts, vs, 0, pb);
      Block b;
      b.header = e.bh;
      REQUIRE(decode_block(b, e.ts, e.vs).is_ok());
      REQUIRE(b.rows() == ts.size());
      CHECK(b.timestamps.front() == ts.front());
      CHECK(b.timestamps.back() == ts.back());
      for (size_t i = 1; i < b.timestamps.size(); ++i) REQUIRE(b.timestamps[i - 1] <= b.timestamps[i]);
    }
  }

  TEST_CASE("plain timestamps with pb 64 are bounds-checked, as in VM") {
    Encoded e = enc({1, 3, 6, 10, 15}, {0, 0, 0, 0, 0});
    REQUIRE(e.bh.timestamps_marshal_type == uint8_t(encoding::MarshalType::kNearestDelta2));
    std::vector<int64_t> ts, vs;
    BlockHeader bh = e.bh;
    bh.max_timestamp = 14;
    Status st = decode_block_data(bh, e.ts, e.vs, ts, vs);
    REQUIRE(!st.is_ok());
    CHECK(st.message().find("cannot decode timestamps (TimestampsMarshalType=NearestDelta2 (5), 5 rows") == 0);
    CHECK(st.message().find("MaxTimestamp=14") != std::string::npos);
    bh = e.bh;
    bh.min_timestamp = 2;   // shifts the decoded sequence: row 0 = 2 >= 2, but then 16 > 15
    st = decode_block_data(bh, e.ts, e.vs, ts, vs);
    CHECK(!st.is_ok());
    // Decreasing timestamps in a plain ND stream: d1 = -1.
    bh = e.bh;
    Bytes bad = "\x01\x02\x02\x02";   // varint(-1), then +1, +1, +1 second differences
    bh.timestamps_block_size = uint32_t(bad.size());
    st = decode_block_data(bh, bad, e.vs, ts, vs);
    REQUIRE(!st.is_ok());
    CHECK(st.message().find("cannot be smaller than that of row 0") != std::string::npos);
  }

  TEST_CASE("names the failing column and its marshal type") {
    Encoded e = enc({1, 2, 3}, {4, 5, 6});
    std::vector<int64_t> ts, vs;
    BlockHeader bh = e.bh;
    bh.values_marshal_type = 0;
    Status st = decode_block_data(bh, e.ts, e.vs, ts, vs);
    REQUIRE(!st.is_ok());
    CHECK(st.code() == Code::corruption);
    CHECK(st.message().find("cannot decode values (ValuesMarshalType=") == 0);
    Bytes ts_extra = e.ts + "\x01";
    st = decode_block_data(e.bh, ts_extra, e.vs, ts, vs);
    REQUIRE(!st.is_ok());
    CHECK(st.message().find("cannot decode timestamps") == 0);
    bh = e.bh;
    bh.rows_count = 0;
    CHECK(!decode_block_data(bh, e.ts, e.vs, ts, vs).is_ok());
  }

  TEST_CASE("float values via the block scale") {
    Block b;
    b.header.scale = -1;
    b.values = {0, 15, 30, decimal::kVStaleNaN, decimal::kVInfPos};
    std::vector<double> f;
    b.append_float_values(f);
    REQUIRE(f.size() == 5);
    CHECK(f[0] == 0.0);
    CHECK(f[1] == 1.5);
    CHECK(f[2] == 3.0);
    CHECK(decimal::is_stale_nan(f[3]));
    CHECK(std::isinf(f[4]));
  }
}
