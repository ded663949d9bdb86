// The route fixture: the inputs a real vminsert (v1.93.7-cluster, -storageNode=127.0.0.1:8400,
// 127.0.0.1:8410,127.0.0.1:8420) spread over three vmstorage nodes, and each node's own export.
// tsdb-route must put every series on the node whose export holds it, with the same timestamps,
// and its text and wire outputs must carry the same rows.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "../tests/export_jsonl.h"
#include "../tests/test_support.h"
#include "metric/metric_name.h"
#include "prom/fastfloat.h"
#include "prom/line_reader.h"
#include "prom/parser.h"
#include "route/router.h"
#include "route/wire_reader.h"

using namespace vmt;
using namespace vmt::route;

namespace {

const std::vector<std::string> kNodes = {"127.0.0.1:8400", "127.0.0.1:8410", "127.0.0.1:8420"};

// The {"metric":{...}} object vmselect's export prints for a raw name stored by vmstorage.
std::string export_metric(ByteView raw) {
  auto mn = metric::MetricName::decode_raw(raw);
  REQUIRE(mn.is_ok());
  mn->sort_tags();
  return test::export_metric_object(*mn);
}

using Series = test::ExportTimestamps;  // export metric object -> timestamps

Series read_export(const std::string& path) { return test::read_export_timestamps(path); }

struct WireRowCopy {
  Bytes raw;
  int64_t ts;
  uint64_t bits;
};

std::vector<WireRowCopy> read_wire(const std::string& path) {
  auto s = fs::read_file(path, 1 << 28);
  REQUIRE(s.is_ok());
  WireReader r(*s);
  REQUIRE(r.read_handshake().is_ok());
  std::vector<WireRowCopy> rows;
  ByteView payload;
  for (;;) {
    auto more = r.next_packet(&payload);
    REQUIRE(more.is_ok());
    if (!*more) break;
    ByteReader in(payload);
    while (!in.empty()) {
      auto row = next_metric_row(in);
      REQUIRE(row.is_ok());
      rows.push_back({Bytes(row->raw), row->timestamp, row->value_bits});
    }
  }
  return rows;
}

// The rows of a rendered node file, as VM parses them (tenant acc:proj).
std::vector<WireRowCopy> read_prom(const std::string& path, uint32_t acc, uint32_t proj) {
  prom::LineReader reader;
  REQUIRE(reader.open(path).is_ok());
  std::vector<WireRowCopy> rows;
  prom::Row row;
  prom::ParseScratch scratch;
  std::vector<metric::Label> labels;
  ByteView line;
  while (reader.next(&line)) {
    REQUIRE(prom::parse_line(line, row, scratch).is_ok());
    labels.assign(1, metric::Label{"", row.metric});
    for (const auto& t : row.tags) {
      if (!t.value.empty()) labels.push_back(t);
    }
    Bytes raw;
    metric::encode_raw(raw, acc, proj, labels, metric::RawLimits{}, nullptr);
    rows.push_back({raw, row.timestamp, std::bit_cast<uint64_t>(row.value)});
  }
  REQUIRE(reader.status().is_ok());
  return rows;
}

}  // namespace

TEST_SUITE("route/fixture") {
  TEST_CASE("every series lands on the node whose export holds it; text and wire agree") {
    REQUIRE_MESSAGE(fs::is_dir(test::fixture("route")), "fixtures missing: set VMT_FIXTURES");
    test::TempDir tmp;
    const std::string in = test::fixture("route/input/");
    for (auto [acc, proj, tenant, files] :
         {std::tuple{0u, 0u, std::string("0-0"),
                     std::vector<std::string>{in + "batch-1.prom", in + "batch-2.prom", in + "batch-3.prom", in + "tenant-0-0.prom"}},
          std::tuple{42u, 7u, std::string("42-7"), std::vector<std::string>{in + "tenant-42-7.prom"}}}) {
      CAPTURE(tenant);
      std::vector<std::vector<WireRowCopy>> by_format[2];
      for (OutputFormat f : {OutputFormat::prom, OutputFormat::wire}) {
        RouteOptions o;
        o.placement.nodes = kNodes;
        o.key.account_id = acc;
        o.key.project_id = proj;
        o.format = f;
        o.out_dir = tmp.sub(tenant + "-" + format_extension(f));
        o.threads = f == OutputFormat::prom ? 2 : 1;
        o.default_timestamp_ms = 1;
        auto rep = route_inputs(o, files, {});
        REQUIRE(rep.is_ok());
        CHECK(rep->bad_lines == 0);
        CHECK(rep->rerouted_rows == 0);
        for (size_t i = 0; i < kNodes.size(); ++i) {
          by_format[int(f)].push_back(f == OutputFormat::wire ? read_wire(rep->nodes[i].file)
                                                                : read_prom(rep->nodes[i].file, acc, proj));
          CHECK(by_format[int(f)].back().size() == rep->nodes[i].rows);
        }
      }
      for (size_t i = 0; i < kNodes.size(); ++i) {
        CAPTURE(i);
        const auto& text = by_format[int(OutputFormat::prom)][i];
        const auto& wire = by_format[int(OutputFormat::wire)][i];
        REQUIRE(text.size() == wire.size());
        for (size_t r = 0; r < text.size(); ++r) {
          CHECK(text[r].raw == wire[r].raw);
          CHECK(text[r].bits == wire[r].bits);
          CHECK(text[r].ts == wire[r].ts);
        }
        // vmstorage drops NaNs that are not the staleness marker (none of these rows lack a timestamp).
        Series got;
        for (const auto& w : wire) {
          double v = std::bit_cast<double>(w.bits);
          if (std::isnan(v) && w.bits != prom::kStaleNaNBits) continue;
          got[export_metric(w.raw)].push_back(w.ts);
        }
        for (auto& [k, v] : got) std::sort(v.begin(), v.end());
        Series want = read_export(test::fixture("route/export/node-" + std::to_string(i) + ".tenant-" + tenant + ".jsonl"));
        CHECK(got.size() == want.size());
        for (const auto& kv : want) {
          const std::string& metric = kv.first;
          CAPTURE(metric);
          auto it = got.find(metric);
          REQUIRE(it != got.end());
          CHECK(it->second == kv.second);
        }
      }
    }
  }
}
