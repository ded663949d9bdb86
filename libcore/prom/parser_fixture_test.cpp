// The fixtures' input files, parsed and turned into stored series the way vminsert + vmstorage do,
// must give exactly the series and timestamps the server exported (values are lossy there).
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <tuple>
#include <map>
#include <string>
#include <vector>

#include "../tests/export_jsonl.h"
#include "../tests/test_support.h"
#include "metric/metric_name.h"
#include "prom/fastfloat.h"
#include "prom/line_reader.h"
#include "prom/parser.h"

using namespace vmt;

namespace {

using Series = test::ExportTimestamps;  // export metric object -> timestamps
std::string export_metric(const metric::MetricName& mn) { return test::export_metric_object(mn); }

void ingest(const std::string& path, uint32_t acc, uint32_t proj, Series& out) {
  prom::LineReader reader;
  REQUIRE(reader.open(path).is_ok());
  prom::Row row;
  prom::ParseScratch scratch;
  std::vector<metric::Label> labels;
  Bytes raw;
  ByteView line;
  while (reader.next(&line)) {
    Status st = prom::parse_line(line, row, scratch);
    if (prom::is_skip(st)) continue;
    CAPTURE(path);
    CAPTURE(reader.line_number());
    REQUIRE(st.is_ok());
    REQUIRE(row.has_timestamp);
    // vmstorage drops NaNs that are not the staleness marker.
    if (std::isnan(row.value) && std::bit_cast<uint64_t>(row.value) != prom::kStaleNaNBits) continue;
    labels.assign(1, metric::Label{"", row.metric});
    labels.insert(labels.end(), row.tags.begin(), row.tags.end());
    raw.clear();
    metric::encode_raw(raw, acc, proj, labels, metric::RawLimits{}, nullptr);
    auto mn = metric::MetricName::decode_raw(raw);
    REQUIRE(mn.is_ok());
    mn->sort_tags();
    out[export_metric(*mn)].push_back(row.timestamp);
  }
  REQUIRE(reader.status().is_ok());
}

Series read_export(const std::string& path) { return test::read_export_timestamps(path); }

void check_same(Series got, const Series& want) {
  for (auto& [k, v] : got) std::sort(v.begin(), v.end());
  CHECK(got.size() == want.size());
  for (const auto& kv : want) {
    const std::string& metric = kv.first;  // not a structured binding: CAPTURE is a lambda
    CAPTURE(metric);
    auto it = got.find(metric);
    REQUIRE(it != got.end());
    CHECK(it->second == kv.second);
  }
}

}  // namespace

TEST_SUITE("prom/parser fixtures") {
  TEST_CASE("tiny: parsed series and timestamps equal the server's export") {
    REQUIRE_MESSAGE(fs::is_dir(test::fixture("tiny")), "fixtures missing: set VMT_FIXTURES");
    for (auto [acc, proj, name] : {std::tuple{0u, 0u, "tenant-0-0"}, std::tuple{42u, 7u, "tenant-42-7"}}) {
      Series got;
      ingest(test::fixture(std::string("tiny/input/") + name + ".prom"), acc, proj, got);
      check_same(got, read_export(test::fixture(std::string("tiny/export/") + name + ".jsonl")));
    }
  }

  TEST_CASE("node: three batches of node-exporter scrapes equal the server's export") {
    REQUIRE_MESSAGE(fs::is_dir(test::fixture("node")), "fixtures missing: set VMT_FIXTURES");
    Series got;
    for (auto b : {"batch-1", "batch-2", "batch-3"}) {
      ingest(test::fixture(std::string("node/input/") + b + ".prom"), 0, 0, got);
    }
    check_same(got, read_export(test::fixture("node/export/tenant-0-0.jsonl")));
  }
}
