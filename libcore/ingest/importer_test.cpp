#include "ingest/importer.h"

#include <doctest/doctest.h>

#include <map>

#include "base/fs.h"
#include "layout/storage_dir.h"
#include "mergeset/table.h"
#include "tests/test_support.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {

constexpr int64_t kNow = 1700000000000;  // 2023-11-14T22:13:20Z

std::string write_input(const vmt::test::TempDir& tmp, const std::string& name, const std::string& text) {
  const std::string path = tmp.sub(name);
  REQUIRE(fs::write_file_sync(path, text).is_ok());
  return path;
}

ImportOptions options(const std::string& dir, const std::vector<std::string>& inputs) {
  ImportOptions o;
  o.dir = dir;
  o.inputs = inputs;
  o.now_ms = kNow;
  o.retention_ms = 365 * kMsPerDay;
  o.metric_id_base = 1000;
  o.part_name_seed = 1;
  o.threads = 2;
  return o;
}

std::vector<std::string> bad_lines;

// Every file under dir (path relative to it -> content).
void read_tree(const std::string& dir, const std::string& rel, std::map<std::string, Bytes>* out) {
  auto entries = fs::list_dir(fs::join(dir, rel));
  REQUIRE(entries.is_ok());
  for (const auto& e : *entries) {
    const std::string path = rel.empty() ? e.name : rel + "/" + e.name;
    if (e.is_dir) {
      read_tree(dir, path, out);
    } else {
      auto b = fs::read_file(fs::join(dir, path), 1 << 28);
      REQUIRE(b.is_ok());
      (*out)[path] = std::move(*b);
    }
  }
}
std::map<std::string, Bytes> tree(const std::string& dir) {
  std::map<std::string, Bytes> out;
  read_tree(dir, "", &out);
  return out;
}

// Series over a registry's share of a small limit: 600 series, scrapes every 3 hours over days of two
// months (each series comes back after every other one), a series without tags and one with a
// single tag after it (they inherit JobID / InstanceID from the series before), and every third
// scrape without some series (their days differ).
std::string spill_input(int scrapes, int64_t start_ms) {
  std::string text;
  for (int k = 0; k < scrapes; ++k) {
    const int64_t ts = start_ms + int64_t(k) * 3 * 3600 * 1000;
    for (int i = 0; i < 600; ++i) {
      if (k % 3 == 2 && i % 7 == 0) continue;
      text += "m{i=\"" + std::to_string(i) + "\",job=\"j" + std::to_string(i % 5) + "\",instance=\"h" + std::to_string(i % 11) +
              "\"} " + std::to_string(k * i) + " " + std::to_string(ts + i) + "\n";
      if (i % 100 == 50) text += "bare " + std::to_string(k) + " " + std::to_string(ts + i) + "\none{a=\"x\"} 1 " + std::to_string(ts + i) + "\n";
    }
  }
  return text;
}

}  // namespace

TEST_SUITE("ingest/importer") {
  TEST_CASE("rows are counted, dropped and imported as vmstorage would; bad lines are skipped") {
    vmt::test::TempDir tmp;
    const std::string in = write_input(tmp, "in.prom",
                                       "# HELP m x\n"
                                       "m{a=\"1\"} 1 1699999990000\n"
                                       "m{a=\"1\"} NaN 1699999991000\n"           // NaN: dropped
                                       "m{a=\"2\"} 2 1500000000000\n"             // older than a year: dropped
                                       "m{a=\"3\"} 3 1700259300000\n"             // > now + 2 days: dropped
                                       "m{a=\"1\",} 4 1699999992000\n"            // same series
                                       "m{a=\"x\"y\"} 1\n"                        // bad
                                       "\n"
                                       "n 5 1699999993000\n");
    ImportOptions o = options(tmp.sub("dir"), {in});
    bad_lines.clear();
    o.on_bad_line = [](const std::string& f, uint64_t line, const std::string& msg) {
      bad_lines.push_back(fs::base_name(f) + ":" + std::to_string(line) + ": " + msg);
    };
    ImportStats st;
    REQUIRE(run_import(o, &st).is_ok());
    CHECK(st.lines == 9);
    CHECK(st.skipped_lines == 2);
    CHECK(st.bad_lines == 1);
    REQUIRE(bad_lines.size() == 1);
    CHECK(bad_lines[0].rfind("in.prom:7: ", 0) == 0);
    CHECK(st.samples_parsed == 6);
    CHECK(st.dropped_nan == 1);
    CHECK(st.dropped_too_old == 1);
    CHECK(st.dropped_too_new == 1);
    CHECK(st.samples_accepted == 3);
    CHECK(st.rows_written == 3);
    CHECK(st.series == 2);  // the dropped rows created no series
    CHECK(st.series_new == 2);
    CHECK(st.first_metric_id == 1001);
    CHECK(st.last_metric_id == 1002);
    REQUIRE(st.partitions.size() == 1);
    CHECK(st.partitions[0].name == "2023_11");
    CHECK(st.index_parts == 1);
    CHECK(st.index_items == 2 * ((3 + 2) + 3));  // per group: m{a} 3 + 2 items, n 3 items
  }

  TEST_CASE("--strict stops at the first bad line and writes nothing; --dry-run touches nothing") {
    vmt::test::TempDir tmp;
    const std::string in = write_input(tmp, "in.prom", "m 1 1699999990000\nfoo{\n");
    ImportOptions o = options(tmp.sub("dir"), {in});
    o.strict = true;
    ImportStats st;
    Status s = run_import(o, &st);
    CHECK(s.code() == Code::corruption);
    CHECK(s.message().find("in.prom:2") != std::string::npos);
    auto sd = layout::open_storage_dir(tmp.sub("dir"));
    REQUIRE(sd.is_ok());
    CHECK(sd->partitions.empty());
    CHECK(sd->curr()->parts.empty());

    ImportOptions d = options(tmp.sub("dry"), {in});
    d.dry_run = true;
    REQUIRE(run_import(d, &st).is_ok());
    CHECK(st.samples_accepted == 1);
    CHECK(st.series == 1);
    CHECK(!fs::exists(tmp.sub("dry")));
  }

  TEST_CASE("appending: known series keep their TSIDs, new days get per-day items, prev series are re-indexed") {
    vmt::test::TempDir tmp;
    const std::string dir = tmp.sub("dir");
    ImportStats st;
    REQUIRE(run_import(options(dir, {write_input(tmp, "1.prom", "a 1 1699999990000\nb 1 1699999990000\n")}), &st).is_ok());
    CHECK(st.series_new == 2);
    // Same day: nothing new to index.
    REQUIRE(run_import(options(dir, {write_input(tmp, "2.prom", "a 2 1699999991000\n")}), &st).is_ok());
    CHECK(st.series_curr == 1);
    CHECK(st.series_new == 0);
    CHECK(st.index_parts == 0);
    // A sample of `a` on the next day first: (day, name) misses, as in v1.93.7; a server whose tsid
    // cache holds `a` keeps its TSID, a restarted one would create a second MetricID
    // (metricname-tsid.md §5.3). The import does what the warm server does: found by name.
    REQUIRE(run_import(options(dir, {write_input(tmp, "3.prom", "a 3 1700086400000\n")}), &st).is_ok());
    CHECK(st.series_new == 0);
    CHECK(st.series_curr == 1);
    CHECK(st.series_other_day == 1);
    CHECK(st.index_parts == 1);  // the per-day group of the new day
    // A new series still gets a MetricID above every MetricID in DIR although the base is 1000.
    REQUIRE(run_import(options(dir, {write_input(tmp, "3b.prom", "c 3 1700086400000\n")}), &st).is_ok());
    CHECK(st.series_new == 1);
    CHECK(st.first_metric_id == 1003);
    // A rotation: a new generation makes curr the prev; `b` is found there and re-indexed in curr.
    auto sd = layout::open_storage_dir(dir);
    REQUIRE(sd.is_ok());
    const std::string newest = fs::join(dir, "indexdb/00000000000000FF");
    REQUIRE(fs::mkdir_p(newest).is_ok());
    REQUIRE(mergeset::write_part_names(newest, {}).is_ok());
    REQUIRE(run_import(options(dir, {write_input(tmp, "4.prom", "b 4 1699999992000\n")}), &st).is_ok());
    CHECK(st.series_prev == 1);
    CHECK(st.index_parts == 1);
    CHECK(st.index_items == 2 * 3);  // global and per-day groups of a series without tags
  }

  TEST_CASE("two runs with the same seeds write the same bytes") {
    vmt::test::TempDir tmp;
    std::string text;
    for (int i = 0; i < 500; ++i) {
      text += "m{i=\"" + std::to_string(i % 50) + "\",job=\"j\"} " + std::to_string(i * 0.25) + " " +
              std::to_string(1699999000000 + i * 1000) + "\n";
    }
    const std::string in = write_input(tmp, "in.prom", text);
    ImportStats st;
    REQUIRE(run_import(options(tmp.sub("a"), {in}), &st).is_ok());
    REQUIRE(run_import(options(tmp.sub("b"), {in}), &st).is_ok());
    auto sa = layout::open_storage_dir(tmp.sub("a"));
    auto sb = layout::open_storage_dir(tmp.sub("b"));
    REQUIRE(sa.is_ok());
    REQUIRE(sb.is_ok());
    REQUIRE(sa->partitions.size() == 1);
    REQUIRE(sa->partitions[0].parts.size() == 1);
    const auto& pa = sa->partitions[0].parts[0];
    const auto& pb = sb->partitions[0].parts[0];
    CHECK(pa.name == pb.name);
    for (const char* f : {"index.bin", "values.bin", "timestamps.bin", "metaindex.bin", "metadata.json"}) {
      auto x = fs::read_file(fs::join(pa.path, f), 1 << 20);
      auto y = fs::read_file(fs::join(pb.path, f), 1 << 20);
      REQUIRE(x.is_ok());
      REQUIRE(y.is_ok());
      CHECK_MESSAGE(*x == *y, f);
    }
  }

  TEST_CASE("a small --mem-limit writes parts early, merges them, and keeps every sample") {
    vmt::test::TempDir tmp;
    std::string text;
    for (int i = 0; i < 300000; ++i) {
      text += "m{i=\"" + std::to_string(i % 1000) + "\"} " + std::to_string(i) + " " + std::to_string(1699000000000 + int64_t(i) * 1000) + "\n";
    }
    ImportOptions o = options(tmp.sub("dir"), {write_input(tmp, "in.prom", text)});
    o.mem_limit_bytes = 2 << 20;
    ImportStats st;
    REQUIRE(run_import(o, &st).is_ok());
    CHECK(st.early_flushes > 0);
    CHECK(st.early_merges > 0);  // the parts written early were merged into one
    CHECK(st.rows_written == 300000);
    uint64_t parts = 0;
    for (const auto& p : st.partitions) parts += p.small_parts + p.big_parts;
    CHECK(parts == st.partitions.size());
    CHECK(st.series == 1000);
    auto sd = layout::open_storage_dir(tmp.sub("dir"));
    REQUIRE(sd.is_ok());
    for (const auto& p : sd->partitions) {
      for (const auto& part : p.parts) CHECK_MESSAGE(part.listed, part.path);  // no leftovers
    }
  }

  TEST_CASE("series spilled over their share of --mem-limit: the same directory as in memory, for both index layouts and on append") {
    vmt::test::TempDir tmp;
    // 2023-10-30 to 2023-11-04, then a second input overlapping its last days (appended).
    const std::string first = write_input(tmp, "first.prom", spill_input(100, 1698624000000));
    const std::string second = write_input(tmp, "second.prom", spill_input(8, 1698969600000));
    for (bool per_partition : {false, true}) {
      CAPTURE(per_partition);
      std::map<std::string, Bytes> want;
      // In memory with every line parsed in full (the reference), and with the series text
      // index; spilled with the index and without it. Blocks of 16 KiB: with 8 blocks in flight,
      // a block parsed after the consumer put its series in the index is served from it, and one
      // parsed before a spill with rows from the index is parsed again by the consumer.
      for (int variant : {0, 1, 2, 3}) {
        const bool spill = variant >= 2, text_index = variant == 1 || variant == 2;
        const std::string dir = tmp.sub(std::string(per_partition ? "pp-" : "gen-") + std::to_string(variant));
        uint64_t spills = 0, series = 0, index_rows = 0, parsed_again = 0;
        for (const std::string& in : {first, second}) {
          ImportOptions o = options(dir, {in});
          o.per_partition_index = per_partition;
          // 64 KiB: the samples are written early every few scrapes either way; the series spill
          // at 128 KiB (every few days of the input), or never.
          o.mem_limit_bytes = 64 << 10;
          o.min_series_budget = spill ? 128 << 10 : 1 << 30;
          o.series_text_index = text_index;
          o.read_chunk_bytes = 16 << 10;
          ImportStats st;
          REQUIRE(run_import(o, &st).is_ok());
          spills += st.series_spills;
          series += st.series;
          index_rows += st.index_rows;
          parsed_again += st.blocks_parsed_again;
          if (in == second) CHECK(st.series_curr + st.series_prev == st.series);  // every series known
        }
        CAPTURE(variant);
        CHECK(series == 2 * 602);
        CHECK((index_rows > 0) == text_index);
        // About 70 spills, each with parsed blocks in flight (68 of them parsed again, measured).
        CHECK((parsed_again > 0) == (text_index && spill));
        if (variant == 0) {
          CHECK(spills == 0);
          want = tree(dir);
          continue;
        }
        CHECK((spills >= 4) == spill);
        const auto got = tree(dir);
        CHECK(got.size() == want.size());
        for (const auto& [path, bytes] : want) {
          CAPTURE(path);
          auto it = got.find(path);
          REQUIRE(it != got.end());
          CHECK(it->second == bytes);
        }
      }
    }
  }
}
