#include <doctest/doctest.h>

#include <set>

#include "metric/metric_name.h"
#include "reshard/block_copy.h"
#include "reshard/series_plan.h"
#include "reshard/source_node.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"
#include "tests/test_support.h"

namespace vmt::reshard {
namespace {

using metric::Tenancy;

route::Placement placement(std::vector<std::string> nodes, size_t rf = 1) {
  route::PlacementOptions o;
  o.nodes = std::move(nodes);
  o.replication_factor = rf;
  auto p = route::Placement::make(o);
  REQUIRE(p.is_ok());
  return std::move(*p);
}

Bytes canonical(const char* group, const char* key, const char* value) {
  metric::MetricName mn;
  mn.metric_group = group;
  mn.add_tag(key, value);
  mn.sort_tags();
  Bytes out;
  mn.encode_canonical(out, Tenancy::kCluster);
  return out;
}

// A source node made by hand: one series per entry, MetricIDs chosen by the test.
void add_series(SourceNode& s, uint64_t mid, const char* group, const char* value, uint32_t day) {
  auto& e = s.names.by_metric_id[mid];
  e.canonical = canonical(group, "x", value);
  metric::TSID t;
  t.metric_group_id = 1000 + uint64_t(group[0]);
  t.metric_id = mid;
  s.tsids[mid] = t;
  s.days.emplace_back(mid, day);
}

// One part holding one 3-row block per MetricID of `s`, values start, start+1, start+2.
void write_part(const std::string& dir, const SourceNode& s, int64_t start) {
  storage::PartWriter w;
  REQUIRE(w.open_dir(dir, Tenancy::kCluster, storage::kCompressLevelFromRows).is_ok());
  std::vector<metric::TSID> tsids;
  for (const auto& [mid, t] : s.tsids) tsids.push_back(t);
  std::sort(tsids.begin(), tsids.end());
  for (const auto& t : tsids) {
    const int64_t ts[3] = {86400000, 86460000, 86520000};
    const int64_t vals[3] = {start, start + 1, start + 2};
    REQUIRE(w.write_rows(t, ts, vals, 3, 0, 64).is_ok());
  }
  REQUIRE(w.close().is_ok());
}

TEST_SUITE("reshard") {
  TEST_CASE("the route fixture's three nodes: every series on exactly one of five, TSIDs kept") {
    std::vector<SourceNode> src(3);
    for (int i = 0; i < 3; ++i) {
      REQUIRE(load_source(test::fixture("route/storage/node-" + std::to_string(i)), nullptr, nullptr, nullptr, &src[i]).is_ok());
    }
    const auto p = placement({"10.0.0.1:8400", "10.0.0.2:8400", "10.0.0.3:8400", "10.0.0.4:8400", "10.0.0.5:8400"});
    PlanOptions po;
    po.placement = &p;
    SeriesPlan plan;
    REQUIRE(plan_series(src, po, &plan).is_ok());
    // The series the real vmselect exported from the three nodes (each tenant, each node).
    size_t exported = 0;
    for (int i = 0; i < 3; ++i) {
      for (const char* t : {"0-0", "42-7"}) {
        exported += test::count_export(test::fixture("route/export/node-" + std::to_string(i) + ".tenant-" + t + ".jsonl")).series;
      }
    }
    REQUIRE(exported > 0);
    CHECK(plan.source_series == exported);
    size_t total = 0;
    for (const auto& reg : plan.targets) total += reg.size();
    CHECK(total == exported);
    CHECK(plan.renumbered_series == 0);
    CHECK(plan.merged_series == 0);
    for (size_t si = 0; si < 3; ++si) {
      size_t n = 0;
      for (size_t t = 0; t < 5; ++t) {
        n += plan.ids[si][t].size();
        CHECK(!plan.renumbered[si][t]);
      }
      CHECK(n == src[si].live_metric_ids().size());
    }
    // A replication factor of 2: each series on two nodes.
    const auto p2 = placement({"10.0.0.1:8400", "10.0.0.2:8400", "10.0.0.3:8400"}, 2);
    po.placement = &p2;
    REQUIRE(plan_series(src, po, &plan).is_ok());
    total = 0;
    for (const auto& reg : plan.targets) total += reg.size();
    CHECK(total == 2 * 520);
  }

  TEST_CASE("a MetricID two source nodes gave to different series: the second is renumbered, its blocks move") {
    test::TempDir tmp;
    std::vector<SourceNode> src(2);
    add_series(src[0], 7, "a", "1", 1);
    add_series(src[0], 9, "c", "3", 1);
    add_series(src[1], 7, "b", "2", 1);  // same MetricID as a{x="1"}
    add_series(src[1], 8, "a", "1", 1);  // a{x="1"} again, under another MetricID
    write_part(tmp.sub("p0"), src[0], 100);
    write_part(tmp.sub("p1"), src[1], 200);
    const auto p = placement({"only:1"});
    PlanOptions po;
    po.placement = &p;
    SeriesPlan plan;
    REQUIRE(plan_series(src, po, &plan).is_ok());
    const auto& reg = plan.targets[0];
    REQUIRE(reg.size() == 3);
    CHECK(plan.merged_series == 1);       // a{x="1"} from both
    CHECK(plan.renumbered_series == 1);   // b{x="2"}: 7 was taken
    CHECK(reg.at(plan.ids[1][0].at(7)).tsid.metric_id == 10);  // above every source MetricID
    CHECK(reg.at(plan.ids[1][0].at(8)).tsid.metric_id == 7);   // joins a{x="1"}
    CHECK(plan.renumbered[1][0]);
    CHECK(!plan.renumbered[0][0]);

    CopyJob job;
    job.partition = "1970_01";
    job.parts = {{0, tmp.sub("p0")}, {1, tmp.sub("p1")}};
    job.out_dir = tmp.sub("out");
    CopyResult res;
    REQUIRE(copy_blocks(job, src, plan, {}, &res).is_ok());
    CHECK(!res.empty);
    CHECK(res.blocks == 4);
    CHECK(res.rows == 12);
    CHECK(res.renumbered_blocks == 2);
    storage::PartReader r;
    REQUIRE(r.open(job.out_dir, Tenancy::kCluster).is_ok());
    std::vector<std::pair<uint64_t, int64_t>> got;  // (MetricID, first value)
    metric::TSID prev;
    for (bool eof = false;;) {
      storage::Block b;
      REQUIRE(r.next(b, &eof).is_ok());
      if (eof) break;
      CHECK(prev <= b.header.tsid);
      prev = b.header.tsid;
      got.emplace_back(b.header.tsid.metric_id, b.values[0]);
    }
    CHECK(r.verify_totals().is_ok());
    // TSID order (MetricGroupID first): a (7) with its own block (100) and node 1's copy under 8
    // (200) renumbered to 7; then b (10); then c (9).
    const std::vector<std::pair<uint64_t, int64_t>> want = {{7, 100}, {7, 200}, {10, 200}, {9, 100}};
    CHECK(got == want);
    // Days of the written blocks, for the index: all on day 1.
    for (const auto& [series, day] : res.days) CHECK(day == 1);
  }

  TEST_CASE("the same part given twice: identical blocks written once") {
    test::TempDir tmp;
    std::vector<SourceNode> src(2);
    add_series(src[0], 7, "a", "1", 1);
    add_series(src[1], 7, "a", "1", 1);
    write_part(tmp.sub("p0"), src[0], 100);
    const auto p = placement({"only:1"});
    PlanOptions po;
    po.placement = &p;
    SeriesPlan plan;
    REQUIRE(plan_series(src, po, &plan).is_ok());
    CHECK(plan.merged_series == 1);
    CHECK(plan.renumbered_series == 0);
    CopyJob job;
    job.partition = "1970_01";
    job.parts = {{0, tmp.sub("p0")}, {1, tmp.sub("p0")}};
    job.out_dir = tmp.sub("out");
    CopyResult res;
    REQUIRE(copy_blocks(job, src, plan, {}, &res).is_ok());
    CHECK(res.blocks == 1);
    CHECK(res.duplicate_blocks == 1);
  }

  TEST_CASE("replicas cut into other blocks: all kept, or dropped by --dedup-interval 1ms") {
    test::TempDir tmp;
    std::vector<SourceNode> src(2);
    add_series(src[0], 7, "a", "1", 1);
    add_series(src[1], 7, "a", "1", 1);
    write_part(tmp.sub("p0"), src[0], 100);  // one block: 100, 101, 102
    {
      // The other node's copy of the same samples, cut into two blocks (it flushed in between).
      storage::PartWriter w;
      REQUIRE(w.open_dir(tmp.sub("p1"), Tenancy::kCluster, storage::kCompressLevelFromRows).is_ok());
      const metric::TSID t = src[1].tsids.begin()->second;
      const int64_t ts[3] = {86400000, 86460000, 86520000};
      const int64_t vals[3] = {100, 101, 102};
      REQUIRE(w.write_rows(t, ts, vals, 2, 0, 64).is_ok());
      REQUIRE(w.write_rows(t, ts + 2, vals + 2, 1, 0, 64).is_ok());
      REQUIRE(w.close().is_ok());
    }
    const auto p = placement({"only:1"});
    PlanOptions po;
    po.placement = &p;
    SeriesPlan plan;
    REQUIRE(plan_series(src, po, &plan).is_ok());
    CopyJob job;
    job.partition = "1970_01";
    job.parts = {{0, tmp.sub("p0")}, {1, tmp.sub("p1")}};

    job.out_dir = tmp.sub("plain");
    CopyResult res;
    REQUIRE(copy_blocks(job, src, plan, {}, &res).is_ok());
    CHECK(res.blocks == 3);
    CHECK(res.rows == 6);
    CHECK(res.duplicate_blocks == 0);
    CHECK(res.header.min_dedup_interval == 0);

    job.out_dir = tmp.sub("dedup");
    CopyOptions co;
    co.dedup_interval_ms = 1;
    REQUIRE(copy_blocks(job, src, plan, co, &res).is_ok());
    CHECK(res.rows == 3);
    CHECK(res.rows_dedup == 3);
    CHECK(res.header.min_dedup_interval == 1);
    storage::PartReader r;
    REQUIRE(r.open(job.out_dir, Tenancy::kCluster).is_ok());
    std::vector<int64_t> ts, vals;
    for (bool eof = false;;) {
      storage::Block b;
      REQUIRE(r.next(b, &eof).is_ok());
      if (eof) break;
      for (size_t i = 0; i < b.timestamps.size(); ++i) {
        ts.push_back(b.timestamps[i]);
        vals.push_back(b.values[i]);
      }
    }
    CHECK(ts == std::vector<int64_t>{86400000, 86460000, 86520000});
    CHECK(vals == std::vector<int64_t>{100, 101, 102});
    CHECK(!res.days.empty());
  }

  TEST_CASE("a selector leaves series out; nothing kept writes no part") {
    test::TempDir tmp;
    std::vector<SourceNode> src(1);
    add_series(src[0], 7, "a", "1", 1);
    write_part(tmp.sub("p0"), src[0], 100);
    const auto p = placement({"only:1"});
    PlanOptions po;
    po.placement = &p;
    auto sel = query::parse_selector("{__name__=\"zzz\"}");
    REQUIRE(sel.is_ok());
    po.match.push_back(*sel);
    SeriesPlan plan;
    REQUIRE(plan_series(src, po, &plan).is_ok());
    CHECK(plan.skipped_series == 1);
    CHECK(plan.targets[0].size() == 0);
    CopyJob job;
    job.partition = "1970_01";
    job.parts = {{0, tmp.sub("p0")}};
    job.out_dir = tmp.sub("out");
    CopyResult res;
    REQUIRE(copy_blocks(job, src, plan, {}, &res).is_ok());
    CHECK(res.empty);
    CHECK(!fs::exists(job.out_dir));
  }
}

}  // namespace
}  // namespace vmt::reshard
