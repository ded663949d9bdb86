#include "storage/raw_rows.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "encoding/decimal.h"
#include "storage/part_reader.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

std::vector<Block> read_all(const InmemoryPart& p) {
  std::vector<Block> out;
  PartReader r;
  Status st = r.open_memory(p);
  REQUIRE(st.is_ok());
  while (true) {
    Block b;
    bool eof = false;
    st = r.next(b, &eof);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    if (eof) break;
    out.push_back(std::move(b));
  }
  REQUIRE(r.verify_totals().is_ok());
  return out;
}

InmemoryPart marshal(std::vector<RawRow> rows) {
  InmemoryPart p;
  PartWriter w;
  w.open_memory(&p, vmt::metric::Tenancy::kCluster, kCompressLevelFromRows);
  REQUIRE(marshal_raw_rows(rows, w).is_ok());
  REQUIRE(w.close().is_ok());
  return p;
}

}  // namespace

TEST_SUITE("storage/raw_rows") {
  TEST_CASE("a series of 20000 rows becomes blocks of 8192 + 8192 + 3616 (§10)") {
    std::vector<RawRow> rows;
    metric::TSID t{1, 2, 3, 4, 5, 6};
    for (int i = 19999; i >= 0; --i) rows.push_back({t, 1000 * int64_t(i), double(i) / 4, 64});
    auto blocks = read_all(marshal(rows));
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].rows() == 8192);
    CHECK(blocks[1].rows() == 8192);
    CHECK(blocks[2].rows() == 3616);
    CHECK(blocks[1].header.min_timestamp == 8192 * 1000);
    std::vector<double> f;
    blocks[2].append_float_values(f);
    CHECK(f.back() == 19999 / 4.0);
  }

  TEST_CASE("blocks are grouped by MetricID, take the first row's TSID and PrecisionBits") {
    metric::TSID a{0, 0, 1, 0, 0, 10};
    metric::TSID b{0, 0, 2, 0, 0, 11};
    auto blocks = read_all(marshal({{b, 5, 1, 64}, {a, 2, 1, 60}, {a, 1, 1, 30}, {b, 6, 2, 64}}));
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].header.tsid == a);
    CHECK(blocks[0].header.precision_bits == 30);
    CHECK(blocks[0].timestamps == std::vector<int64_t>{1, 2});
    CHECK(blocks[1].header.tsid == b);
    CHECK(blocks[1].timestamps == std::vector<int64_t>{5, 6});
  }

  TEST_CASE("duplicate timestamps are kept; values keep their floats") {
    metric::TSID a{0, 0, 1, 0, 0, 10};
    const double inf = std::numeric_limits<double>::infinity();
    auto blocks = read_all(marshal({{a, 1, 1.25, 64}, {a, 1, 1.25, 64}, {a, 2, -inf, 64}, {a, 3, decimal::stale_nan(), 64}}));
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].timestamps == std::vector<int64_t>{1, 1, 2, 3});
    std::vector<double> f;
    blocks[0].append_float_values(f);
    CHECK(f[0] == 1.25);
    CHECK(f[2] == -inf);
    CHECK(decimal::is_stale_nan(f[3]));
  }

  TEST_CASE("a block of only a stale marker gets Scale -1024 (encoding.md §9.4)") {
    metric::TSID a{0, 0, 1, 0, 0, 10};
    auto blocks = read_all(marshal({{a, 7, decimal::stale_nan(), 64}}));
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].header.scale == -1024);
    CHECK(blocks[0].header.rows_count == 1);
  }

  TEST_CASE("no rows write nothing") {
    InmemoryPart p;
    PartWriter w;
    w.open_memory(&p, vmt::metric::Tenancy::kCluster, -5);
    std::vector<RawRow> rows;
    REQUIRE(marshal_raw_rows(rows, w).is_ok());
    REQUIRE(w.close().is_ok());
    CHECK(p.header.blocks_count == 0);
  }
}
