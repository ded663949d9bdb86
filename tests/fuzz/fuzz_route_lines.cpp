// Fuzz target: arbitrary bytes as exposition lines for tsdb-route's workers (route/block_router.h).
// Differential: every line through one router, so that a series text seen before is served from
// its cache (prom/series_text_cache.h), must give exactly the per-node output, row counts, key
// hashes, label-limit counters and bad-line reasons of each line through a router of its own,
// which always parses in full. Prometheus and wire output, replication with a node unavailable
// (rerouting), an extra label and tight label limits, so that rows the cache must refuse occur.
#include <cstdint>
#include <string_view>
#include <vector>

#include "route/block_router.h"

using namespace vmt;
using namespace vmt::route;

namespace {

// Field by field, without building strings: the comparison runs twice per line and must not
// cost more than the routing it checks.
bool same(const BlockResult& a, const BlockResult& b) {
  return a.out == b.out && a.rows == b.rows && a.rerouted_in == b.rerouted_in && a.hashes == b.hashes &&
         a.parsed_rows == b.parsed_rows && a.bad_lines == b.bad_lines && a.rerouted_rows == b.rerouted_rows &&
         a.raw_stats.metrics_with_dropped_labels == b.raw_stats.metrics_with_dropped_labels &&
         a.raw_stats.too_long_label_names == b.raw_stats.too_long_label_names &&
         a.raw_stats.too_long_label_values == b.raw_stats.too_long_label_values && a.bad == b.bad &&
         a.incompletely_replicated_rows == b.incompletely_replicated_rows && a.stopped == b.stopped;
}

const Placement& placement() {
  static const Placement p = *Placement::make(
      PlacementOptions{{"10.0.0.1:8400", "10.0.0.2:8400", "10.0.0.3:8400"}, false, 2, {"10.0.0.3:8400"}});
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= text.size() && lines.size() < 512;) {
    const size_t nl = text.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? text.size() : nl;
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
    BlockResult a, b;
    for (size_t i = 0; i < lines.size(); ++i) {
      a.reset(placement().size());
      shared.route(lines[i], i + 1, a);
      BlockRouter fresh(cfg, key);
      b.reset(placement().size());
      fresh.route(lines[i], i + 1, b);
      if (!same(a, b)) __builtin_trap();
    }
  }
  return 0;
}
