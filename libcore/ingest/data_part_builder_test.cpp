#include "ingest/data_part_builder.h"

#include <doctest/doctest.h>

#include <algorithm>

#include <cmath>

#include "base/fs.h"
#include "encoding/decimal.h"
#include "ingest/test_util.h"
#include "storage/part_reader.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {
std::vector<storage::Block> read_all(const storage::InmemoryPart& p) {
  std::vector<storage::Block> out;
  storage::PartReader r;
  REQUIRE(r.open_memory(p).is_ok());
  for (;;) {
    storage::Block b;
    bool eof = false;
    Status st = r.next(b, &eof);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    if (eof) break;
    out.push_back(std::move(b));
  }
  REQUIRE(r.verify_totals().is_ok());
  return out;
}
}  // namespace

TEST_SUITE("ingest/data_part_builder") {
  TEST_CASE("rows are sorted by TSID then timestamp, cut at 8192 rows per block") {
    SeriesRegistry reg(metric::Tenancy::kCluster);
    // MetricIDs given against the TSID order of the names, so TSID order != input order.
    uint32_t a = itest::add_series(reg, itest::raw_name(0, 0, {{"", "zzz"}}), 0, 10);
    uint32_t b = itest::add_series(reg, itest::raw_name(0, 0, {{"", "aaa"}}), 0, 11);
    PartitionRows rows;
    for (int i = 0; i < 20000; ++i) rows.append(a, 1000 + i, i);
    for (int i = 2; i >= 0; --i) rows.append(b, 5000 + i, 0.5 * i);  // out of order
    storage::InmemoryPart part;
    DataPartResult res;
    DataPartOptions opt;
    opt.threads = 2;
    REQUIRE(write_data_part(rows, reg, opt, "", &part, &res).is_ok());
    CHECK(res.rows_in == 20003);
    CHECK(res.header.rows_count == 20003);
    CHECK(res.header.blocks_count == 4);
    CHECK(res.header.min_timestamp == 1000);
    CHECK(res.header.max_timestamp == 20999);
    CHECK(res.size_bytes == part.size_bytes());
    auto blocks = read_all(part);
    REQUIRE(blocks.size() == 4);
    std::vector<size_t> sizes;
    for (const auto& bl : blocks) sizes.push_back(bl.rows());
    // TSID order: MetricGroupID = xxhash64(name) decides, not the MetricID.
    const bool a_first = reg.at(a).tsid < reg.at(b).tsid;
    CHECK(sizes == (a_first ? std::vector<size_t>{8192, 8192, 3616, 3} : std::vector<size_t>{3, 8192, 8192, 3616}));
    const auto& bb = blocks[a_first ? 3 : 0];
    CHECK(bb.header.tsid == reg.at(b).tsid);
    CHECK(bb.timestamps == std::vector<int64_t>{5000, 5001, 5002});
    std::vector<double> vals;
    bb.append_float_values(vals);
    CHECK(vals == std::vector<double>{0, 0.5, 1});
  }

  TEST_CASE("rows going backwards are put in time order, stably, in a one-block series and in a series of many blocks") {
    SeriesRegistry reg(metric::Tenancy::kCluster);
    const uint32_t one = itest::add_series(reg, itest::raw_name(0, 0, {{"", "one"}}), 0, 10);
    const uint32_t many = itest::add_series(reg, itest::raw_name(0, 0, {{"", "many"}}), 0, 11);
    PartitionRows rows;
    // Equal timestamps keep their input order: (5, 2), (5, 4), (7, 1), (7, 3).
    const std::pair<int64_t, double> one_rows[] = {{7, 1}, {5, 2}, {7, 3}, {5, 4}};
    for (int i = 0; i < 10000; ++i) {
      rows.append(many, 100000 - i, i);
      if (i < 4) rows.append(one, one_rows[i].first, one_rows[i].second);
    }
    storage::InmemoryPart part;
    DataPartResult res;
    DataPartOptions opt;
    opt.threads = 2;
    REQUIRE(write_data_part(rows, reg, opt, "", &part, &res).is_ok());
    std::vector<int64_t> many_ts;
    for (const auto& bl : read_all(part)) {
      std::vector<double> vals;
      bl.append_float_values(vals);
      if (bl.header.tsid == reg.at(one).tsid) {
        CHECK(bl.timestamps == std::vector<int64_t>{5, 5, 7, 7});
        CHECK(vals == std::vector<double>{2, 4, 1, 3});
      } else {
        many_ts.insert(many_ts.end(), bl.timestamps.begin(), bl.timestamps.end());
      }
    }
    REQUIRE(many_ts.size() == 10000);
    CHECK(std::is_sorted(many_ts.begin(), many_ts.end()));
    CHECK(many_ts.front() == 90001);
  }

  TEST_CASE("the same part bytes on 1, 2 and 3 threads: blocks in runs taken as threads come free, written in order") {
    // 5000 one-block series and one of several blocks: two batches (4096 blocks and the rest), the
    // last run of each batch partial.
    SeriesRegistry reg(metric::Tenancy::kCluster);
    std::vector<uint32_t> ids;
    for (int i = 0; i < 5000; ++i) {
      ids.push_back(itest::add_series(reg, itest::raw_name(0, 0, {{"", "m"}, {"i", std::to_string(i)}}), 0, 100 + i));
    }
    const uint32_t big = itest::add_series(reg, itest::raw_name(0, 0, {{"", "big"}}), 0, 99);
    PartitionRows rows;
    for (int k = 0; k < 3; ++k) {
      for (size_t i = 0; i < ids.size(); ++i) rows.append(ids[i], 1000 * (3 - k) + int64_t(i % 7), double(i * k) / 3);
    }
    for (int k = 0; k < 20000; ++k) rows.append(big, k, k * 0.25);
    std::vector<storage::InmemoryPart> parts(3);
    for (unsigned t = 1; t <= 3; ++t) {
      DataPartResult res;
      DataPartOptions opt;
      opt.threads = t;
      REQUIRE(write_data_part(rows, reg, opt, "", &parts[t - 1], &res).is_ok());
      CHECK(res.header.blocks_count == 5003);
      CHECK(res.header.rows_count == 35000);
    }
    for (size_t k = 1; k < 3; ++k) {
      CHECK(parts[k].timestamps == parts[0].timestamps);
      CHECK(parts[k].values == parts[0].values);
      CHECK(parts[k].index == parts[0].index);
      CHECK(parts[k].metaindex == parts[0].metaindex);
    }
    const auto blocks = read_all(parts[1]);
    REQUIRE(blocks.size() == 5003);
    size_t ordered = 0;
    for (const auto& bl : blocks) ordered += std::is_sorted(bl.timestamps.begin(), bl.timestamps.end());
    CHECK(ordered == 5003);
  }

  TEST_CASE("dedup per block and MinDedupInterval; precision bits") {
    SeriesRegistry reg(metric::Tenancy::kCluster);
    uint32_t a = itest::add_series(reg, itest::raw_name(0, 0, {{"", "m"}}), 0, 1);
    PartitionRows rows;
    for (int i = 0; i < 100; ++i) rows.append(a, 1000 * i + 1, i);
    storage::InmemoryPart part;
    DataPartResult res;
    DataPartOptions opt;
    opt.dedup_interval_ms = 10000;
    opt.precision_bits = 12;
    REQUIRE(write_data_part(rows, reg, opt, "", &part, &res).is_ok());
    CHECK(res.rows_in == 100);
    CHECK(res.header.rows_count == 10);
    CHECK(res.header.min_dedup_interval == 10000);
    auto blocks = read_all(part);
    REQUIRE(blocks.size() == 1);
    CHECK(blocks[0].header.precision_bits == 12);
    CHECK(blocks[0].timestamps.front() == 9001);
  }

  TEST_CASE("a directory part: the files and metadata.json; refuses an existing directory") {
    vmt::test::TempDir tmp;
    SeriesRegistry reg(metric::Tenancy::kCluster);
    uint32_t a = itest::add_series(reg, itest::raw_name(0, 0, {{"", "m"}}), 0, 1);
    PartitionRows rows;
    rows.append(a, 1700000000000, 42);
    DataPartResult res;
    const std::string dir = tmp.sub("part");
    REQUIRE(write_data_part(rows, reg, DataPartOptions{}, dir, nullptr, &res).is_ok());
    auto ph = storage::PartHeader::read_dir(dir);
    REQUIRE(ph.is_ok());
    CHECK(ph->rows_count == 1);
    CHECK(ph->min_timestamp == 1700000000000);
    storage::PartReader r;
    REQUIRE(r.open(dir, vmt::metric::Tenancy::kCluster).is_ok());
    CHECK(r.size_bytes() == res.size_bytes);
    CHECK(write_data_part(rows, reg, DataPartOptions{}, dir, nullptr, &res).code() == Code::invalid_argument);
  }

  TEST_CASE("a series without a TSID is refused") {
    SeriesRegistry reg(metric::Tenancy::kCluster);
    bool created = false;
    Bytes k = itest::series_key(itest::raw_name(0, 0, {{"", "m"}}));
    const uint32_t id = reg.find_or_add(k, metric::xxhash64(k), 0, &created);
    PartitionRows rows;
    rows.append(id, 1, 1);
    storage::InmemoryPart part;
    DataPartResult res;
    CHECK(!write_data_part(rows, reg, DataPartOptions{}, "", &part, &res).is_ok());
  }
}
