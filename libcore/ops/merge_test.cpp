#include "ops/merge.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <memory>
#include <vector>

#include "base/fs.h"
#include "base/hex.h"
#include "layout/parts_json.h"
#include "mergeset/part_header.h"
#include "mergeset/part_writer.h"
#include "mergeset/table.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"
#include "../tests/test_support.h"

using namespace vmt;
using namespace vmt::ops;

namespace {

Status copy_tree(const std::string& from, const std::string& to) {
  VMT_TRY(fs::mkdir_p(to));
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(from));
  for (const auto& e : entries) {
    const std::string a = fs::join(from, e.name), b = fs::join(to, e.name);
    if (e.is_dir) {
      VMT_TRY(copy_tree(a, b));
    } else {
      VMT_ASSIGN_OR_RETURN(Bytes data, fs::read_file(a, 1 << 28));
      VMT_TRY(fs::write_file_sync(b, data));
    }
  }
  return Status::ok();
}

struct Run {
  Status status;
  MergeSummary summary;
  Bytes output;
};

Run run(MergeOptions opt, const std::string& scratch) {
  Run r;
  Output out;
  const std::string path = fs::join(scratch, "out.txt");
  REQUIRE(out.open(path).is_ok());
  opt.jobs = 1;
  r.status = run_merge(opt, out, &r.summary);
  REQUIRE(out.close().is_ok());
  auto b = fs::read_file(path, 1 << 24);
  if (b.is_ok()) r.output = *b;
  return r;
}

// Every block of the part directories listed in data/small/P/parts.json.
std::vector<storage::Block> all_blocks(const std::string& root, const std::string& partition) {
  std::vector<storage::Block> out;
  auto pj = layout::read_data_parts_json(fs::join(root, "data/small/" + partition + "/parts.json"));
  REQUIRE(pj.is_ok());
  for (const bool big : {false, true}) {
    for (const auto& name : big ? pj->big : pj->small) {
      storage::PartReader r;
      REQUIRE(r.open(fs::join(root, std::string("data/") + (big ? "big/" : "small/") + partition + "/" + name), vmt::metric::Tenancy::kCluster).is_ok());
      for (;;) {
        storage::Block b;
        bool eof = false;
        Status st = r.next(b, &eof);
        REQUIRE_MESSAGE(st.is_ok(), st.to_string());
        if (eof) break;
        out.push_back(std::move(b));
      }
      CHECK(r.verify_totals().is_ok());
    }
  }
  return out;
}

// A storage dir with `n` small parts in 2023_11, part i holding series 1..series with rows at
// base + i*1000 + k (k < rows): disjoint in time, small blocks.
void make_storage(const std::string& root, int n, int series, int rows) {
  const std::string pdir = fs::join(root, "data/small/2023_11");
  REQUIRE(fs::mkdir_p(pdir).is_ok());
  REQUIRE(fs::mkdir_p(fs::join(root, "data/big/2023_11")).is_ok());
  layout::DataPartsJson pj;
  const int64_t base = 1699574400000;
  for (int i = 0; i < n; ++i) {
    const std::string name = hex16(0x1000 + uint64_t(i));
    storage::PartWriter w;
    REQUIRE(w.open_dir(fs::join(pdir, name), vmt::metric::Tenancy::kCluster, storage::kCompressLevelFromRows).is_ok());
    for (int s = 1; s <= series; ++s) {
      metric::TSID t;
      t.metric_id = uint64_t(s);
      std::vector<int64_t> ts, vals;
      for (int k = 0; k < rows; ++k) {
        ts.push_back(base + i * 1000 + k);
        vals.push_back(s * 100 + k);
      }
      REQUIRE(w.write_rows(t, ts.data(), vals.data(), ts.size(), 0, 64).is_ok());
    }
    REQUIRE(w.close().is_ok());
    pj.small.push_back(name);
  }
  REQUIRE(layout::write_data_parts_json(fs::join(pdir, "parts.json"), pj).is_ok());
}

}  // namespace

TEST_SUITE("ops/merge") {
  TEST_CASE("deleted series (ns 4 items of curr) are dropped by a force merge of the fixture") {
    test::TempDir tmp;
    const std::string root = tmp.sub("s");
    REQUIRE(copy_tree(test::fixture("node/storage-before-merge"), root).is_ok());
    // Delete the series of the first block of the first part.
    storage::PartReader pr;
    REQUIRE(pr.open(fs::join(root, "data/small/2023_11/18EA243027106249"), vmt::metric::Tenancy::kCluster).is_ok());
    storage::BlockHeader bh;
    bool eof = false;
    REQUIRE(pr.next_header(bh, &eof).is_ok());
    const uint64_t victim = bh.tsid.metric_id;
    const std::string table = fs::join(root, "indexdb/18EA242FC46A77A1");   // curr
    mergeset::PartWriter mw;
    REQUIRE(mw.open(fs::join(table, "18EA242FC6B2FDFF"), {}).is_ok());
    Bytes item(1, char(4));
    put_u64(item, victim);
    REQUIRE(mw.add(item).is_ok());
    REQUIRE(mw.close().is_ok());
    REQUIRE(mergeset::write_part_names(table, {"18EA242FC6B2FDAA", "18EA242FC6B2FDFF"}).is_ok());

    // What the fixture holds before the merge: its rows, its series, the victim's rows.
    uint64_t rows_before = 0, victim_rows = 0;
    std::set<uint64_t> series_before;
    for (const auto& b : all_blocks(root, "2023_11")) {
      rows_before += b.timestamps.size();
      series_before.insert(b.header.tsid.metric_id);
      if (b.header.tsid.metric_id == victim) victim_rows += b.timestamps.size();
    }
    REQUIRE(victim_rows > 0);

    MergeOptions opt;
    opt.dir = root;
    opt.mode = MergeMode::kForce;
    Run r = run(opt, tmp.path());
    REQUIRE_MESSAGE(r.status.is_ok(), r.status.to_string());
    CHECK(r.summary.dropped_deleted == victim_rows);   // its rows in the three parts
    CHECK(r.summary.rows_in == rows_before);
    CHECK(r.summary.rows_out == rows_before - victim_rows);
    auto blocks = all_blocks(root, "2023_11");
    CHECK(blocks.size() == series_before.size() - 1);   // one block a series, the victim gone
    for (const auto& b : blocks) CHECK(b.header.tsid.metric_id != victim);
  }

  TEST_CASE("policy: 8 similar parts are merged once; the new name is above every existing one") {
    test::TempDir tmp;
    const std::string root = tmp.sub("s");
    make_storage(root, 8, 20, 10);
    // A leftover of a killed run and an unlisted directory: both removed before merging.
    REQUIRE(fs::mkdir_p(fs::join(root, "data/small/2023_11/tsdb-merge.tmp.0000000000002000")).is_ok());
    REQUIRE(fs::mkdir_p(fs::join(root, "data/small/2023_11/FFFFFFFFFFFFFFF0")).is_ok());
    MergeOptions opt;
    opt.dir = root;
    opt.dry_run = true;
    opt.json = true;
    Run plan = run(opt, tmp.path());
    REQUIRE(plan.status.is_ok());
    CHECK(plan.output.find("\"type\":\"plan\"") != Bytes::npos);
    CHECK(plan.output.find("\"reason\":\"policy\"") != Bytes::npos);
    CHECK(fs::is_dir(fs::join(root, "data/small/2023_11/FFFFFFFFFFFFFFF0")));   // dry run: untouched

    opt.dry_run = false;
    opt.name_seed_ns = 0x2000;
    Run r = run(opt, tmp.path());
    REQUIRE_MESSAGE(r.status.is_ok(), r.status.to_string());
    CHECK(r.summary.merges == 1);
    CHECK(r.summary.parts_in == 8);
    CHECK(r.summary.parts_out == 1);
    CHECK(r.summary.rows_out == 8 * 20 * 10);
    auto pj = layout::read_data_parts_json(fs::join(root, "data/small/2023_11/parts.json"));
    REQUIRE(pj.is_ok());
    REQUIRE(pj->small.size() == 1);
    CHECK(pj->small[0] > "0000000000002000");
    CHECK(!fs::exists(fs::join(root, "data/small/2023_11/FFFFFFFFFFFFFFF0")));
    CHECK(!fs::exists(fs::join(root, "data/small/2023_11/tsdb-merge.tmp.0000000000002000")));
    // One block per series: the eight 10-row blocks were coalesced (merge.md §4.2).
    auto blocks = all_blocks(root, "2023_11");
    CHECK(blocks.size() == 20);
    for (const auto& b : blocks) CHECK(b.rows() == 80);
    // A second pass has nothing to do.
    Run again = run(opt, tmp.path());
    CHECK(again.status.is_ok());
    CHECK(again.summary.merges == 0);
  }

  TEST_CASE("7 similar parts are below the policy's threshold; --force merges them in one chunk") {
    test::TempDir tmp;
    const std::string root = tmp.sub("s");
    make_storage(root, 7, 3, 5);
    MergeOptions opt;
    opt.dir = root;
    Run r = run(opt, tmp.path());
    REQUIRE(r.status.is_ok());
    CHECK(r.summary.merges == 0);
    opt.mode = MergeMode::kForce;
    opt.partition = "2023";   // a prefix, like partition_prefix
    r = run(opt, tmp.path());
    REQUIRE(r.status.is_ok());
    CHECK(r.summary.merges == 1);
    CHECK(r.output.find("2023_11: merge (force) 7 parts, 105 rows") != Bytes::npos);
    opt.partition = "2024";
    r = run(opt, tmp.path());
    CHECK(r.summary.merges == 0);
  }

  TEST_CASE("retention: a stale part is dropped, a merge cuts old rows; later the rest goes stale") {
    test::TempDir tmp;
    const std::string root = tmp.sub("s");
    make_storage(root, 3, 2, 10);   // parts at base + 0, + 1000, + 2000 (+ 0..9 ms)
    MergeOptions opt;
    opt.dir = root;
    opt.mode = MergeMode::kForce;
    opt.now_ms = 1699574400000 + 1005 + 86400000;   // deadline = base + 1005
    opt.retention_ms = 86400000;
    Run r = run(opt, tmp.path());
    REQUIRE_MESSAGE(r.status.is_ok(), r.status.to_string());
    CHECK(r.summary.drops == 1);              // part 0 ends at base + 9
    CHECK(r.summary.merges == 1);
    // Series 1 and 2: part 1 (rows 1000..1009) and part 2 are coalesced, so rows < 1005 are cut.
    CHECK(r.summary.dropped_retention == 2 * 10 + 2 * 5);
    auto blocks = all_blocks(root, "2023_11");
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].timestamps.front() == 1699574400000 + 1005);
    CHECK(blocks[0].rows() == 15);

    // Everything older than the deadline: the last part is dropped without a merge.
    opt.now_ms = 1699574400000 + 5000 + 86400000;
    r = run(opt, tmp.path());
    REQUIRE(r.status.is_ok());
    auto pj = layout::read_data_parts_json(fs::join(root, "data/small/2023_11/parts.json"));
    REQUIRE(pj.is_ok());
    CHECK(pj->small.empty());
    CHECK(pj->big.empty());
  }

  TEST_CASE("a missing listed part is a data error and leaves the partition alone") {
    test::TempDir tmp;
    const std::string root = tmp.sub("s");
    make_storage(root, 2, 1, 3);
    REQUIRE(fs::remove_all(fs::join(root, "data/small/2023_11/0000000000001001")).is_ok());
    MergeOptions opt;
    opt.dir = root;
    opt.mode = MergeMode::kForce;
    Run r = run(opt, tmp.path());
    CHECK(r.status.code() == Code::corruption);
    CHECK(r.status.message().find("listed in parts.json but missing") != std::string::npos);
    CHECK(fs::is_dir(fs::join(root, "data/small/2023_11/0000000000001000")));
  }

  // Issue 11 item 4: a flipped bit in a block header that gives series A the MetricID of series B.
  // Copied forward, the merge would join the two series and the result would verify clean.
  TEST_CASE("a part whose block carries another series' MetricID is never merged; --skip-damaged merges around it") {
    for (const bool skip : {false, true}) {
      CAPTURE(skip);
      test::TempDir tmp;
      const std::string root = tmp.sub("s");
      REQUIRE(copy_tree(test::fixture("node/storage-before-merge"), root).is_ok());
      const std::string victim = fs::join(root, "data/small/2023_11/18EA24302710624A");
      std::vector<storage::Block> blocks;
      {
        storage::PartReader pr;
        REQUIRE(pr.open(victim, metric::Tenancy::kCluster).is_ok());
        for (bool eof = false;;) {
          storage::Block b;
          REQUIRE(pr.next(b, &eof).is_ok());
          if (eof) break;
          blocks.push_back(std::move(b));
        }
      }
      REQUIRE(blocks.size() > 10);
      // The last block's series takes the first block's MetricID; its other TSID fields stay.
      blocks.back().header.tsid.metric_id = blocks.front().header.tsid.metric_id;
      REQUIRE(blocks.back().header.tsid != blocks.front().header.tsid);
      std::stable_sort(blocks.begin(), blocks.end(),
                       [](const storage::Block& a, const storage::Block& b) { return a.header.tsid < b.header.tsid; });
      REQUIRE(fs::remove_all(victim).is_ok());
      storage::PartWriter w;
      REQUIRE(w.open_dir(victim, metric::Tenancy::kCluster, storage::kCompressLevelFromRows).is_ok());
      for (const auto& b : blocks) {
        REQUIRE(w.write_rows(b.header.tsid, b.timestamps.data(), b.values.data(), b.rows(), b.header.scale, 64).is_ok());
      }
      REQUIRE(w.close().is_ok());
      const std::string pj = fs::join(root, "data/small/2023_11/parts.json");
      const Bytes before = *fs::read_file(pj, 1 << 20);

      MergeOptions opt;
      opt.dir = root;
      opt.mode = MergeMode::kForce;
      opt.skip_damaged = skip;
      Run r = run(opt, tmp.path());
      if (!skip) {
        CHECK(r.status.code() == Code::corruption);
        CHECK(r.status.message().find("data/small/2023_11/18EA24302710624A") != std::string::npos);
        CHECK(r.status.message().find("MetricID " + std::to_string(blocks.front().header.tsid.metric_id)) !=
              std::string::npos);
        CHECK(*fs::read_file(pj, 1 << 20) == before);   // nothing changed
        for (const char* p : {"18EA243027106249", "18EA24302710624A", "18EA24302710624B"}) {
          CHECK(fs::is_dir(fs::join(root, std::string("data/small/2023_11/") + p)));
        }
      } else {
        REQUIRE_MESSAGE(r.status.is_ok(), r.status.to_string());
        CHECK(r.summary.damaged == 1);
        CHECK(r.summary.merges == 1);
        CHECK(r.summary.parts_in == 2);
        auto after = layout::read_data_parts_json(pj);
        REQUIRE(after.is_ok());
        CHECK(after->small.size() + after->big.size() == 2);
        CHECK(std::count(after->small.begin(), after->small.end(), "18EA24302710624A") == 1);
        CHECK(fs::is_dir(victim));
      }
    }
  }

  TEST_CASE("--indexdb merges table parts with the tag-row callback") {
    test::TempDir tmp;
    const std::string root = tmp.sub("s");
    REQUIRE(copy_tree(test::fixture("node/storage-before-merge"), root).is_ok());
    const std::string table = fs::join(root, "indexdb/18EA242FC46A77A1");
    // A second part with a tag row of an existing key: force merge makes one part of both.
    mergeset::PartWriter mw;
    REQUIRE(mw.open(fs::join(table, "18EA242FC6B2FE00"), {}).is_ok());
    Bytes item = "\x01";
    item.append(8, '\0');
    item += "\x01zz_metric\x01";   // ns 1, tenant 0:0, esc(key "") esc(value "zz_metric")
    put_u64(item, 1);
    REQUIRE(mw.add(item).is_ok());
    REQUIRE(mw.close().is_ok());
    REQUIRE(mergeset::write_part_names(table, {"18EA242FC6B2FDAA", "18EA242FC6B2FE00"}).is_ok());
    // The server's part: its metadata.json says how many items the server wrote into it.
    auto server_part = mergeset::read_part_header(fs::join(table, "18EA242FC6B2FDAA"));
    REQUIRE(server_part.is_ok());
    REQUIRE(server_part->items_count > 0);
    MergeOptions opt;
    opt.dir = root;
    opt.mode = MergeMode::kForce;
    opt.indexdb = true;
    opt.partition = "none";   // only the indexdb
    Run r = run(opt, tmp.path());
    REQUIRE_MESSAGE(r.status.is_ok(), r.status.to_string());
    CHECK(r.summary.items_in == server_part->items_count + 1);
    auto names = mergeset::read_part_names(table);
    REQUIRE(names.is_ok());
    CHECK(names->size() == 1);
  }

  TEST_CASE("render: text and JSON lines") {
    MergeStep s;
    s.table = "2023_11";
    s.action = "merge";
    s.reason = "force";
    s.inputs.push_back({"A", "small", 10, 100, 0});
    s.output_kind = "small";
    s.estimated_bytes = 100;
    Bytes out;
    render_step(out, s, false, true);
    CHECK(out == "2023_11: merge (force) 1 parts, 10 rows, 100 bytes -> small part, estimated 100 bytes\n"
                 "  small A 10 rows, 100 bytes\n");
    out.clear();
    render_step(out, s, true, true);
    CHECK(out.find("{\"type\":\"plan\",\"action\":\"merge\",\"table\":\"2023_11\"") == 0);
    MergeSummary sum;
    sum.rows_in = 10;
    out.clear();
    render_summary(out, sum, true);
    CHECK(out.find("\"type\":\"summary\"") != Bytes::npos);
  }
}
