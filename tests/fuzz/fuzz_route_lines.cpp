// Fuzz target: arbitrary bytes as exposition lines for tsdb-route's workers (route/block_router.h).
// Differential: every line through one router, so that a series text seen before is served from
// its cache (prom/series_text_cache.h), must give exactly the per-node output, row counts, key
// hashes, label-limit counters and bad-line reasons of each line through a router of its own,
// which always parses in full. Prometheus and wire output, replication with a node unavailable
// (rerouting), an extra label and tight label limits, so that rows the cache must refuse occur.
#include <cstdint>
#include <string>
#include <vector>

#include "route/block_router.h"

using namespace vmt;
using namespace vmt::route;

namespace {

void digest(const BlockResult& r, std::string& out) {
  for (size_t i = 0; i < r.out.size(); ++i) {
    out += std::to_string(i) + ":" + std::to_string(r.rows[i]) + "/" + std::to_string(r.rerouted_in[i]) + ":";
    out += r.out[i];
    for (uint64_t h : r.hashes[i]) out += std::to_string(h) + ",";
    out += "\n";
  }
  out += std::to_string(r.parsed_rows) + "/" + std::to_string(r.bad_lines) + "/" + std::to_string(r.rerouted_rows) +
         "/" + std::to_string(r.raw_stats.metrics_with_dropped_labels) + "/" +
         std::to_string(r.raw_stats.too_long_label_names) + "/" + std::to_string(r.raw_stats.too_long_label_values) + "\n";
  for (const auto& [line, reason] : r.bad) out += std::to_string(line) + " " + reason + "\n";
}

const Placement& placement() {
  static const Placement p = *Placement::make(
      PlacementOptions{{"10.0.0.1:8400", "10.0.0.2:8400", "10.0.0.3:8400"}, false, 2, {"10.0.0.3:8400"}});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines;
  for (size_t pos = 0; pos <= text.size() && lines.size() < 512;) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string::npos ? text.size() : nl;
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  KeyOptions key;
  key.extra_labels = {{"dc", "x"}};
  key.limits.max_labels = 4;
  key.limits.max_value_len = 16;
  for (const auto format : {OutputFormat::prom, OutputFormat::wire}) {
    BlockConfig cfg;
    cfg.placement = &placement();
    cfg.format = format;
    cfg.collect_hashes = true;
    cfg.default_timestamp_ms = 1000;
    BlockRouter shared(cfg, key);
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string a, b;
      BlockResult r;
      r.reset(placement().size());
      shared.route(lines[i], i + 1, r);
      digest(r, a);
      BlockRouter fresh(cfg, key);
      r.reset(placement().size());
      fresh.route(lines[i], i + 1, r);
      digest(r, b);
      if (a != b) __builtin_trap();
    }
  }
  return 0;
}
