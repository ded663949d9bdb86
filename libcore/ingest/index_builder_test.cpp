#include "ingest/index_builder.h"
#include "ingest/index_stream.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "base/fs.h"
#include "base/hex.h"
#include "indexdb/item.h"
#include "indexdb/series_items.h"
#include "indexdb/tag_row.h"
#include "ingest/test_util.h"
#include "mergeset/part_reader.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {

std::vector<Bytes> read_items(const std::string& dir) {
  auto r = mergeset::PartReader::open(dir);
  REQUIRE(r.is_ok());
  std::vector<Bytes> out;
  REQUIRE((*r)->seek_to_first().is_ok());
  while ((*r)->valid()) {
    out.emplace_back((*r)->item());
    REQUIRE((*r)->next().is_ok());
  }
  return out;
}

// Expands multi-MetricID tag rows into single-ID rows, so merged and unmerged parts compare.
std::vector<Bytes> expand(const std::vector<Bytes>& items) {
  std::vector<Bytes> out;
  for (const auto& it : items) {
    auto d = indexdb::decode_item(it, vmt::metric::Tenancy::kCluster);
    REQUIRE(d.is_ok());
    if ((d->ns == 1 || d->ns == 6) && d->metric_ids.size() > 1) {
      const size_t prefix = it.size() - 8 * d->metric_ids.size();
      for (uint64_t id : d->metric_ids) {
        Bytes one = it.substr(0, prefix);
        put_u64(one, id);
        out.push_back(one);
      }
    } else {
      out.push_back(it);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_SUITE("ingest/index_builder") {
  TEST_CASE("TagRowCombiner: rows of one or many MetricIDs re-cut at 64, overlapping rows of merged runs put in order; a MetricID twice is an error") {
    const auto T = vmt::metric::Tenancy::kCluster;
    auto row = [&](const char* value, uint64_t first, size_t n) {
      indexdb::TagRow r;
      r.account_id = 3;
      r.key = "job";
      r.value = value;
      for (size_t i = 0; i < n; ++i) r.metric_ids.push_back(first + i);
      Bytes b;
      r.encode(b, T);
      return b;
    };
    std::vector<Bytes> out;
    const TagRowCombiner::Sink sink = [&](ByteView it) { out.emplace_back(it); return Status::ok(); };
    TagRowCombiner c(T);
    // job=a: 40 + 1 + 60 MetricIDs in three rows -> rows of 64 and 37; then an ns 2 item passes,
    // then job=b.
    REQUIRE(c.push(row("a", 100, 40), sink).is_ok());
    REQUIRE(c.push(row("a", 140, 1), sink).is_ok());
    REQUIRE(c.push(row("a", 141, 60), sink).is_ok());
    REQUIRE(c.push(Bytes("\x02xyz"), sink).is_ok());
    REQUIRE(c.push(row("b", 5, 2), sink).is_ok());
    REQUIRE(c.finish(sink).is_ok());
    REQUIRE(out.size() == 4);
    CHECK(out[0] == row("a", 100, 64));
    CHECK(out[1] == row("a", 164, 37));
    CHECK(out[2] == Bytes("\x02xyz"));
    CHECK(out[3] == row("b", 5, 2));
    // Rows of two runs as merged by their first MetricID: [1 5 9], [3 4], [6], [10 11] -> one row
    // 1 3 4 5 6 9 10 11.
    auto ids_row = [&](const char* value, std::vector<uint64_t> ids) {
      indexdb::TagRow r;
      r.account_id = 3;
      r.key = "job";
      r.value = value;
      r.metric_ids = std::move(ids);
      Bytes b;
      r.encode(b, T);
      return b;
    };
    out.clear();
    TagRowCombiner m(T);
    for (const auto& ids : std::vector<std::vector<uint64_t>>{{1, 5, 9}, {3, 4}, {6}, {10, 11}}) {
      REQUIRE(m.push(ids_row("a", ids), sink).is_ok());
    }
    REQUIRE(m.finish(sink).is_ok());
    REQUIRE(out.size() == 1);
    CHECK(out[0] == ids_row("a", {1, 3, 4, 5, 6, 9, 10, 11}));
    // Randomised: 2000 MetricIDs dealt to five runs, each run's rows ascending and cut at random
    // lengths, merged by first MetricID: rows of 64 ascending, every MetricID once.
    std::mt19937_64 rng(11);
    std::vector<std::vector<std::vector<uint64_t>>> runs(5);
    std::vector<std::vector<uint64_t>> dealt(5);
    for (uint64_t id = 1000; id < 3000; ++id) dealt[rng() % 5].push_back(id);
    std::vector<std::vector<uint64_t>> rows;
    for (auto& d : dealt) {
      for (size_t i = 0; i < d.size();) {
        const size_t n = std::min<size_t>(d.size() - i, 1 + rng() % 64);
        rows.emplace_back(d.begin() + long(i), d.begin() + long(i + n));
        i += n;
      }
    }
    std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return ids_row("a", a) < ids_row("a", b); });
    out.clear();
    TagRowCombiner r(T);
    for (const auto& ids : rows) REQUIRE(r.push(ids_row("a", ids), sink).is_ok());
    REQUIRE(r.finish(sink).is_ok());
    REQUIRE(out.size() == (2000 + 63) / 64);
    for (size_t i = 0; i < out.size(); ++i) CHECK(out[i] == row("a", 1000 + 64 * i, std::min<size_t>(64, 2000 - 64 * i)));
    // A MetricID twice is an error, also across a cut at 64.
    TagRowCombiner d(T);
    REQUIRE(d.push(row("a", 100, 65), sink).is_ok());  // a row of 64 emitted, one MetricID pending
    CHECK(d.push(row("a", 120, 1), sink).code() == Code::corruption);
    TagRowCombiner e(T);
    REQUIRE(e.push(row("a", 100, 3), sink).is_ok());
    CHECK(e.push(row("a", 101, 1), sink).code() == Code::corruption);
  }

  TEST_CASE("the worked example of indexdb.md §9: 18 items, FirstItem and LastItem as the server wrote them") {
    vmt::test::TempDir tmp;
    SeriesRegistry reg(metric::Tenancy::kCluster);
    uint32_t s = itest::add_series(reg, itest::raw_name(42, 7, {{"", "http_requests_total"}, {"job", "api"},
                                                               {"instance", "h1:9100"}, {"path", "/x"}}),
                                  19662, 0x1789ABCD00000001ull);
    IndexWork w;
    w.global.push_back(s);
    w.per_day.push_back({s, 19662});
    IndexPartResult res;
    IndexPartOptions opt;
    opt.runs_dir = tmp.sub("runs");
    REQUIRE(write_index_part(reg, w, opt, tmp.sub("part"), &res).is_ok());
    CHECK(res.items_generated == 18);
    CHECK(res.items == 18);
    CHECK(res.blocks == 1);
    CHECK(res.runs == 0);
    auto items = read_items(tmp.sub("part"));
    REQUIRE(items.size() == 18);
    CHECK(to_hex(items.front()) == "010000002a0000000701687474705f72657175657374735f746f74616c011789abcd00000001");
    CHECK(to_hex(items.back()).rfind("070000000000004cce0000002a00000007", 0) == 0);
    CHECK(!fs::exists(tmp.sub("runs")));
  }

  TEST_CASE("many series: tag rows merged by the callback; runs give the same items as one pass") {
    vmt::test::TempDir tmp;
    SeriesRegistry reg(metric::Tenancy::kCluster);
    IndexWork w;
    mergeset::Items naive;
    for (int i = 0; i < 3000; ++i) {
      uint32_t s = itest::add_series(reg, itest::raw_name(0, 0, {{"", "up"}, {"job", "api"}, {"instance", "h" + std::to_string(i)}}),
                                    19662, 1000 + i);
      w.global.push_back(s);
      w.per_day.push_back({s, 19662});
      w.per_day.push_back({s, 19663});
      auto mn = metric::MetricName::decode_canonical(reg.canonical(s), vmt::metric::Tenancy::kCluster);
      REQUIRE(mn.is_ok());
      indexdb::append_global_items(naive, vmt::metric::Tenancy::kCluster, reg.at(s).tsid, *mn, reg.canonical(s));
      indexdb::append_per_day_items(naive, vmt::metric::Tenancy::kCluster, 19662, reg.at(s).tsid, *mn, reg.canonical(s));
      indexdb::append_per_day_items(naive, vmt::metric::Tenancy::kCluster, 19663, reg.at(s).tsid, *mn, reg.canonical(s));
    }
    std::vector<Bytes> want;
    for (size_t i = 0; i < naive.size(); ++i) want.emplace_back(naive[i]);
    std::sort(want.begin(), want.end());

    IndexPartResult one, many;
    IndexPartOptions opt;
    opt.threads = 2;
    opt.runs_dir = tmp.sub("runs1");
    REQUIRE(write_index_part(reg, w, opt, tmp.sub("one"), &one).is_ok());
    CHECK(one.runs == 0);
    CHECK(one.items_generated == want.size());
    CHECK(one.items < want.size());  // job=api rows of adjacent MetricIDs were combined
    opt.memory_budget = 64 << 10;
    opt.runs_dir = tmp.sub("runs2");
    REQUIRE(write_index_part(reg, w, opt, tmp.sub("many"), &many).is_ok());
    CHECK(many.runs > 3);
    CHECK(!fs::exists(tmp.sub("runs2")));
    auto a = read_items(tmp.sub("one"));
    auto b = read_items(tmp.sub("many"));
    CHECK(expand(a) == want);
    CHECK(expand(b) == want);
    // Not only the same single items: the same rows and blocks, whatever the budget.
    CHECK(a == b);
    CHECK(one.items == many.items);
    CHECK(one.blocks == many.blocks);
    // A budget just under the sorted stream's estimate: a couple of runs, combined the same way.
    IndexPartResult mid;
    uint64_t est_items = 0, est_bytes = 0;
    std::vector<uint64_t> series_bytes;
    sorted_stream_size(reg, w, &est_items, &est_bytes, &series_bytes);
    // The sizes it gave cut the work as split_work's own do, at any budget.
    uint64_t sum = 0;
    for (uint64_t b : series_bytes) sum += b;
    CHECK(sum == est_bytes);
    for (uint64_t budget : {uint64_t(1), est_bytes / 7, est_bytes / 2, est_bytes}) {
      const auto own = split_work(reg, w, budget), given = split_work(reg, w, budget, &series_bytes);
      REQUIRE(own.size() == given.size());
      for (size_t i = 0; i < own.size(); ++i) {
        CHECK(own[i].global == given[i].global);
        CHECK(own[i].per_day == given[i].per_day);
      }
    }
    opt.memory_budget = est_bytes - 1;
    opt.runs_dir = tmp.sub("runs3");
    REQUIRE(write_index_part(reg, w, opt, tmp.sub("mid"), &mid).is_ok());
    CHECK(read_items(tmp.sub("mid")) == a);
    CHECK(mid.blocks == one.blocks);
    CHECK(mid.runs >= 1);

    // In two steps, as a spill makes it: the runs, then their merge after the registry is gone
    // (it reads the run directories only) into the same part.
    opt.memory_budget = 64 << 10;
    opt.runs_dir = tmp.sub("runs4");
    IndexPartResult started, merged;
    IndexRunsMerge merge;
    REQUIRE(start_index_part(reg, w, opt, tmp.sub("later"), &started, &merge).is_ok());
    REQUIRE(merge.pending());
    CHECK(!fs::exists(tmp.sub("later")));
    CHECK(started.items_generated == want.size());
    reg.clear();
    REQUIRE(merge_index_runs(merge, &merged).is_ok());
    CHECK(!fs::exists(tmp.sub("runs4")));
    CHECK(read_items(tmp.sub("later")) == a);
    CHECK(merged.runs == many.runs);
    CHECK(merged.blocks == one.blocks);
    // Fitting the budget, the part is written at once and nothing is left to merge.
    opt.memory_budget = 128 << 20;
    opt.threads = 1;
    SeriesRegistry reg2(metric::Tenancy::kCluster);
    IndexWork w2;
    const uint32_t s = itest::add_series(reg2, itest::raw_name(0, 0, {{"", "up"}}), 19662, 7);
    w2.global.push_back(s);
    REQUIRE(start_index_part(reg2, w2, opt, tmp.sub("at-once"), &started, &merge).is_ok());
    CHECK(!merge.pending());
    CHECK(fs::exists(tmp.sub("at-once")));
  }

  TEST_CASE("the sorted stream equals sorting every item: tenants, days, dotted names, escaped bytes") {
    vmt::test::TempDir tmp;
    SeriesRegistry reg(metric::Tenancy::kCluster);
    IndexWork w;
    mergeset::Items naive;
    std::mt19937_64 rng(11);
    const char* names[] = {"a", "a.b", "ab", "", "x\x01y", "a.b.c"};
    const char* vals[] = {"", "1", "10", "\x00", "\x01\x02", "v", "v\x01", "job"};
    for (int i = 0; i < 2000; ++i) {
      std::vector<std::pair<std::string, std::string>> labels{{"", names[rng() % 6]}};
      for (int k = 0; k < int(rng() % 4); ++k) labels.push_back({std::string("k") + char('a' + rng() % 3), vals[rng() % 8]});
      labels.push_back({"i", std::to_string(i)});
      const uint32_t acc = uint32_t(rng() % 3), proj = uint32_t(rng() % 2);
      uint32_t s = itest::add_series(reg, itest::raw_name(acc, proj, labels), 19000, 5000 + uint64_t(rng() % 1000000) * 2000 + i);
      auto mn = metric::MetricName::decode_canonical(reg.canonical(s), vmt::metric::Tenancy::kCluster);
      REQUIRE(mn.is_ok());
      if (rng() % 3) {
        w.global.push_back(s);
        indexdb::append_global_items(naive, vmt::metric::Tenancy::kCluster, reg.at(s).tsid, *mn, reg.canonical(s));
      }
      for (uint32_t day : {19000u, 19001u, 19400u}) {
        if (rng() % 2) continue;
        w.per_day.push_back({s, day});
        indexdb::append_per_day_items(naive, vmt::metric::Tenancy::kCluster, day, reg.at(s).tsid, *mn, reg.canonical(s));
      }
    }
    std::vector<Bytes> want;
    for (size_t i = 0; i < naive.size(); ++i) want.emplace_back(naive[i]);
    std::sort(want.begin(), want.end());
    IndexPartResult res;
    IndexPartOptions opt;
    opt.threads = 2;
    opt.runs_dir = tmp.sub("runs");
    REQUIRE(write_index_part(reg, w, opt, tmp.sub("part"), &res).is_ok());
    CHECK(res.runs == 0);
    CHECK(res.items_generated == want.size());
    const std::vector<Bytes> part = read_items(tmp.sub("part"));
    CHECK(expand(part) == want);
    // In runs (MetricIDs not ascending with the series, so each run's counting sort falls back),
    // on one thread and on two: the same rows and blocks.
    uint64_t est_items = 0, est_bytes = 0;
    sorted_stream_size(reg, w, &est_items, &est_bytes);
    for (unsigned threads : {1u, 2u}) {
      IndexPartResult runs;
      opt.threads = threads;
      opt.memory_budget = est_bytes / 7;
      opt.runs_dir = tmp.sub("runs" + std::to_string(threads));
      const std::string dir = tmp.sub("runs-part" + std::to_string(threads));
      REQUIRE(write_index_part(reg, w, opt, dir, &runs).is_ok());
      CHECK(runs.runs >= 7);
      CHECK(runs.items_generated == want.size());
      CHECK(runs.blocks == res.blocks);
      CHECK(read_items(dir) == part);
    }
  }
}
