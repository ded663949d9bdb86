// PartReader and PartWriter against the parts a real vmstorage v1.93.7-cluster wrote
// (../shared/fixtures/vm-cluster-1.93), checked against metadata.json and the server's export.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "encoding/decimal.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"
#include "storage/test_util.h"

using namespace vmt;
using namespace vmt::storage;
using testutil::unzstd;

namespace {

std::string fixture_path(const std::string& rel) { return fs::join(test::fixtures_dir(), rel); }

struct PartContent {
  std::vector<RawBlock> raw;        // views copied into the byte vectors below
  std::vector<Bytes> ts, vs;
  std::vector<Block> blocks;
};

// Streams a part three ways (headers only, raw, decoded) and checks they agree.
PartContent read_part(const std::string& dir, const std::string& display) {
  PartContent c;
  PartReader r;
  Status st = r.open(dir, vmt::metric::Tenancy::kCluster, display);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  while (true) {
    Block b;
    bool eof = false;
    st = r.next(b, &eof);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    if (eof) break;
    // §5 semantics as written by VM: Min/MaxTimestamp are the first and last timestamp.
    CHECK(b.timestamps.front() == b.header.min_timestamp);
    CHECK(b.timestamps.back() == b.header.max_timestamp);
    CHECK(std::is_sorted(b.timestamps.begin(), b.timestamps.end()));
    c.blocks.push_back(std::move(b));
  }
  st = r.verify_totals();
  CHECK_MESSAGE(st.is_ok(), st.message());

  PartReader r2;
  REQUIRE(r2.open(dir, vmt::metric::Tenancy::kCluster, display).is_ok());
  while (true) {
    RawBlock raw;
    bool eof = false;
    st = r2.next_raw(raw, &eof);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    if (eof) break;
    c.ts.emplace_back(raw.timestamps_data);
    c.vs.emplace_back(raw.values_data);
    c.raw.push_back(raw);
  }
  PartReader r3;
  REQUIRE(r3.open(dir, vmt::metric::Tenancy::kCluster, display).is_ok());
  size_t i = 0;
  while (true) {
    BlockHeader bh;
    bool eof = false;
    st = r3.next_header(bh, &eof);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    if (eof) break;
    REQUIRE(i < c.blocks.size());
    CHECK(bh == c.blocks[i].header);
    CHECK(bh == c.raw[i].header);
    ++i;
  }
  CHECK(i == c.blocks.size());
  CHECK(r3.verify_totals().is_ok());
  return c;
}

// One series as text: "ts=value-bits ..." so that every bit of every float is compared.
std::string sample_text(int64_t ts, double v) {
  if (std::isnan(v)) return std::to_string(ts) + "=NaN";
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return std::to_string(ts) + "=" + std::to_string(bits);
}

// Per tenant ("acc:proj"), the sorted list of series texts of every part under storage_root.
std::map<std::string, std::vector<std::string>> series_from_storage(const std::string& storage_root) {
  std::vector<std::string> parts;
  testutil::find_parts(fixture_path(storage_root), "", 0, parts);
  REQUIRE(!parts.empty());
  std::map<std::tuple<uint32_t, uint32_t, uint64_t>, std::vector<std::pair<int64_t, double>>> series;
  for (const auto& p : parts) {
    PartContent c = read_part(fixture_path(storage_root + "/" + p), storage_root + "/" + p);
    for (const Block& b : c.blocks) {
      std::vector<double> f;
      b.append_float_values(f);
      auto& s = series[{b.header.tsid.account_id, b.header.tsid.project_id, b.header.tsid.metric_id}];
      for (size_t i = 0; i < b.rows(); ++i) s.emplace_back(b.timestamps[i], f[i]);
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [key, samples] : series) {
    std::stable_sort(samples.begin(), samples.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::string text;
    for (auto& [ts, v] : samples) text += sample_text(ts, v) + " ";
    out[std::to_string(std::get<0>(key)) + ":" + std::to_string(std::get<1>(key))].push_back(text);
  }
  for (auto& [t, v] : out) std::sort(v.begin(), v.end());
  return out;
}

std::vector<std::string> series_from_export(const std::string& rel) {
  std::ifstream in(fixture_path(rel));
  REQUIRE(in.good());
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line);
    const auto& vals = j["values"];
    const auto& tss = j["timestamps"];
    REQUIRE(vals.size() == tss.size());
    std::string text;
    for (size_t i = 0; i < vals.size(); ++i) {
      double v;
      if (vals[i].is_string()) {
        const std::string s = vals[i].get<std::string>();
        v = s == "Infinity" ? HUGE_VAL : s == "-Infinity" ? -HUGE_VAL : std::nan("");
      } else {
        v = vals[i].get<double>();
      }
      text += sample_text(tss[i].get<int64_t>(), v) + " ";
    }
    out.push_back(text);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Go layout "20060102150405.000" in UTC.
std::string legacy_ts(int64_t ms) {
  time_t secs = time_t(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
  return buf;
}

}  // namespace

TEST_SUITE("storage/part_reader fixtures") {
  TEST_CASE("a part without metadata.json opens by its legacy name (§9.2)") {
    const std::string p = testutil::fixture_parts().front();
    const PartHeader ph = PartHeader::read_dir(fixture_path(p)).value();
    test::TempDir tmp;
    const std::string name = std::to_string(ph.rows_count) + "_" + std::to_string(ph.blocks_count) + "_" +
                             legacy_ts(ph.min_timestamp) + "_" + legacy_ts(ph.max_timestamp) + "_17A0B0C0D0E0F001";
    const std::string dir = tmp.sub(name);
    REQUIRE(testutil::copy_part(fixture_path(p), dir).is_ok());
    REQUIRE(fs::remove_all(fs::join(dir, "metadata.json")).is_ok());
    REQUIRE(fs::write_file_sync(fs::join(dir, "min_dedup_interval"), "1m0s").is_ok());
    PartContent c = read_part(dir, name);
    CHECK(c.blocks.size() == ph.blocks_count);
    PartReader r;
    REQUIRE(r.open(dir, vmt::metric::Tenancy::kCluster).is_ok());
    PartHeader want = ph;
    want.min_dedup_interval = 60000;
    CHECK(r.part_header() == want);
  }

  TEST_CASE("every fixture part streams completely and matches its metadata.json") {
    auto parts = testutil::fixture_parts();
    REQUIRE(parts.size() >= 12);
    for (const auto& p : parts) {
      CAPTURE(p);
      PartContent c = read_part(fixture_path(p), p);
      auto ph = PartHeader::read_dir(fixture_path(p));
      REQUIRE(ph.is_ok());
      uint64_t rows = 0;
      int64_t mn = INT64_MAX, mx = INT64_MIN;
      for (const Block& b : c.blocks) {
        rows += b.rows();
        mn = std::min(mn, b.timestamps.front());
        mx = std::max(mx, b.timestamps.back());
      }
      CHECK(rows == ph->rows_count);
      CHECK(c.blocks.size() == ph->blocks_count);
      CHECK(mn == ph->min_timestamp);
      CHECK(mx == ph->max_timestamp);
    }
  }

  TEST_CASE("decoded samples equal the server's export, series by series") {
    struct Case {
      const char* storage;
      std::vector<std::pair<std::string, std::string>> exports;   // tenant -> export file
    };
    std::vector<Case> cases = {
        {"tiny/storage", {{"0:0", "tiny/export/tenant-0-0.jsonl"}, {"42:7", "tiny/export/tenant-42-7.jsonl"}}},
        {"node/storage-before-merge", {{"0:0", "node/export/tenant-0-0.jsonl"}}},
        {"node/storage-after-merge", {{"0:0", "node/export/tenant-0-0.jsonl"}}},
    };
    for (int n = 0; n < 3; ++n) {
      const std::string node = "node-" + std::to_string(n);
      cases.push_back({nullptr, {{"0:0", "route/export/" + node + ".tenant-0-0.jsonl"},
                                 {"42:7", "route/export/" + node + ".tenant-42-7.jsonl"}}});
    }
    std::vector<std::string> storages = {"tiny/storage", "node/storage-before-merge", "node/storage-after-merge",
                                         "route/storage/node-0", "route/storage/node-1", "route/storage/node-2"};
    for (size_t i = 0; i < cases.size(); ++i) {
      CAPTURE(storages[i]);
      auto got = series_from_storage(storages[i]);
      size_t tenants_with_data = 0;
      for (const auto& [tenant, file] : cases[i].exports) {
        CAPTURE(file);
        auto want = series_from_export(file);
        tenants_with_data += want.empty() ? 0 : 1;
        CHECK(got[tenant].size() == want.size());
        CHECK(got[tenant] == want);
      }
      CHECK(tenants_with_data >= 1);
    }
  }

  TEST_CASE("copying blocks through PartWriter reproduces VM's layout exactly") {
    for (const auto& p : testutil::fixture_parts()) {
      CAPTURE(p);
      PartContent c = read_part(fixture_path(p), p);
      auto ph = PartHeader::read_dir(fixture_path(p)).value();
      test::TempDir tmp;
      PartWriter w;
      REQUIRE(w.open_dir(tmp.sub("part"), vmt::metric::Tenancy::kCluster, compress_level_for_merge(double(ph.rows_count) / double(ph.blocks_count))).is_ok());
      for (size_t i = 0; i < c.raw.size(); ++i) REQUIRE(w.write_raw(c.raw[i].header, c.ts[i], c.vs[i]).is_ok());
      REQUIRE(w.close(ph.min_dedup_interval).is_ok());
      // Same data files and metadata.json, same decompressed index; the metaindex differs only
      // in the compressed index block sizes/offsets.
      for (const char* f : {"timestamps.bin", "values.bin", "metadata.json"}) {
        CAPTURE(f);
        CHECK(fs::read_file(tmp.sub(std::string("part/") + f), 1 << 30).value() ==
              fs::read_file(fixture_path(p + "/" + f), 1 << 30).value());
      }
      Bytes our_index = fs::read_file(tmp.sub("part/index.bin"), 1 << 30).value();
      Bytes vm_index = fs::read_file(fixture_path(p + "/index.bin"), 1 << 30).value();
      auto our_mi = decode_metaindex(unzstd(fs::read_file(tmp.sub("part/metaindex.bin"), 1 << 30).value()), vmt::metric::Tenancy::kCluster).value();
      auto vm_mi = decode_metaindex(unzstd(fs::read_file(fixture_path(p + "/metaindex.bin"), 1 << 30).value()), vmt::metric::Tenancy::kCluster).value();
      REQUIRE(our_mi.size() == vm_mi.size());
      for (size_t i = 0; i < vm_mi.size(); ++i) {
        CHECK(our_mi[i].tsid == vm_mi[i].tsid);
        CHECK(our_mi[i].block_headers_count == vm_mi[i].block_headers_count);
        CHECK(our_mi[i].min_timestamp == vm_mi[i].min_timestamp);
        CHECK(our_mi[i].max_timestamp == vm_mi[i].max_timestamp);
        CHECK(unzstd(ByteView(our_index).substr(our_mi[i].index_block_offset, our_mi[i].index_block_size)) ==
              unzstd(ByteView(vm_index).substr(vm_mi[i].index_block_offset, vm_mi[i].index_block_size)));
      }
      PartContent back = read_part(tmp.sub("part"), "copy of " + p);
      REQUIRE(back.blocks.size() == c.blocks.size());
      for (size_t i = 0; i < c.blocks.size(); ++i) {
        CHECK(back.blocks[i].header == c.blocks[i].header);
        CHECK(back.blocks[i].timestamps == c.blocks[i].timestamps);
        CHECK(back.blocks[i].values == c.blocks[i].values);
      }
    }
  }

  TEST_CASE("re-encoding decoded blocks gives identical data (types may flip zstd <-> plain)") {
    for (const auto& p : testutil::fixture_parts()) {
      CAPTURE(p);
      PartContent c = read_part(fixture_path(p), p);
      InmemoryPart mem;
      PartWriter w;
      w.open_memory(&mem, vmt::metric::Tenancy::kCluster, -5);
      for (const Block& b : c.blocks) REQUIRE(w.write_block(b).is_ok());
      REQUIRE(w.close().is_ok());
      CHECK(mem.header == PartHeader::read_dir(fixture_path(p)).value());
      PartReader r;
      REQUIRE(r.open_memory(mem, "re-encoded " + p).is_ok());
      for (size_t i = 0;; ++i) {
        Block b;
        bool eof = false;
        Status st = r.next(b, &eof);
        REQUIRE_MESSAGE(st.is_ok(), st.message());
        if (eof) {
          CHECK(i == c.blocks.size());
          break;
        }
        const BlockHeader& a = c.blocks[i].header;
        const BlockHeader& h = b.header;
        CHECK(h.tsid == a.tsid);
        CHECK(h.min_timestamp == a.min_timestamp);
        CHECK(h.max_timestamp == a.max_timestamp);
        CHECK(h.first_value == a.first_value);
        CHECK(h.rows_count == a.rows_count);
        CHECK(h.scale == a.scale);
        CHECK(h.precision_bits == a.precision_bits);
        // Const / DeltaConst / plain nearest-delta bytes are deterministic; only zstd output
        // (and with it the 90% rule choosing zstd or plain) depends on the compressor.
        auto family = [](uint8_t t) { return t == 1 ? 5 : t == 4 ? 6 : t; };
        CHECK(family(h.timestamps_marshal_type) == family(a.timestamps_marshal_type));
        CHECK(family(h.values_marshal_type) == family(a.values_marshal_type));
        if (a.timestamps_marshal_type == h.timestamps_marshal_type && a.timestamps_marshal_type != 1 &&
            a.timestamps_marshal_type != 4) {
          CHECK(h.timestamps_block_size == a.timestamps_block_size);
        }
        if (a.values_marshal_type == h.values_marshal_type && a.values_marshal_type != 1 && a.values_marshal_type != 4) {
          CHECK(h.values_block_size == a.values_block_size);
        }
        CHECK(b.timestamps == c.blocks[i].timestamps);
        CHECK(b.values == c.blocks[i].values);
      }
    }
  }
}
