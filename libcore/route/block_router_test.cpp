#include "route/block_router.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vmt;
using namespace vmt::route;

namespace {

// What a router made of some lines: per-node output and counts, in one comparable shape.
struct Outcome {
  std::vector<Bytes> out;
  std::vector<uint64_t> rows, rerouted_in;
  std::vector<std::vector<uint64_t>> hashes;
  uint64_t parsed = 0, bad = 0, rerouted = 0;
  uint64_t dropped_labels = 0, long_names = 0, long_values = 0;
  std::vector<std::string> reasons;
  bool operator==(const Outcome&) const = default;

  void add(const BlockResult& r) {
    if (out.empty()) {
      out.resize(r.out.size());
      rows.assign(r.rows.size(), 0);
      rerouted_in.assign(r.rows.size(), 0);
      hashes.resize(r.rows.size());
    }
    for (size_t i = 0; i < r.out.size(); ++i) {
      out[i] += r.out[i];
      rows[i] += r.rows[i];
      rerouted_in[i] += r.rerouted_in[i];
      hashes[i].insert(hashes[i].end(), r.hashes[i].begin(), r.hashes[i].end());
    }
    parsed += r.parsed_rows;
    bad += r.bad_lines;
    rerouted += r.rerouted_rows;
    dropped_labels += r.raw_stats.metrics_with_dropped_labels;
    long_names += r.raw_stats.too_long_label_names;
    long_values += r.raw_stats.too_long_label_values;
    for (const auto& [line, reason] : r.bad) reasons.push_back(reason);
  }
};

// Repeated series texts with every kind of row the cache must either serve exactly or refuse:
// plain rows, a timestamp of 0 and none, values that do not parse after a good line of the same
// series, a label value over the limit (counted every row), too many labels (cut, not rendered as
// the line), a comment, a blank line.
std::vector<std::string> lines() {
  const std::string long_value(40, 'v');
  std::vector<std::string> series = {
      "up{job=\"node\",instance=\"h1:9100\"}", "up{instance=\"h1:9100\",job=\"node\"}", "m", "m{a=\"x y\"}",
      "big{v=\"" + long_value + "\"}", "many{a=\"1\",b=\"2\",c=\"3\",d=\"4\"}", "esc{a=\"q\\\"\"}"};
  const char* tails[] = {" 1 1700000000000", " 2 1700000015000", " 3 0", " NaN 1700000030", " 1x 1700000045000",
                         " 4 1700000060000.5", " +Inf 17e11", " 5", " 6 7 8"};
  std::vector<std::string> out;
  for (int round = 0; round < 3; ++round) {
    for (const char* t : tails) {
      for (const auto& s : series) out.push_back(s + t);
    }
    out.push_back("# HELP up x");
    out.push_back("");
  }
  return out;
}

// Every line through one router (later lines of a series hit its cache), against each line through
// a router of its own (never a hit).
void check_same(OutputFormat format, bool render) {
  auto placement = Placement::make(PlacementOptions{{"10.0.0.1:8400", "10.0.0.2:8400", "10.0.0.3:8400"}, false, 2, {"10.0.0.2:8400"}});
  REQUIRE(placement.is_ok());
  BlockConfig cfg;
  cfg.placement = &*placement;
  cfg.format = format;
  cfg.render = render;
  cfg.collect_hashes = true;
  KeyOptions key;
  key.extra_labels = {{"dc", "x"}};
  key.limits.max_labels = 4;
  key.limits.max_value_len = 32;
  const std::vector<std::string> all = lines();

  Outcome together, apart;
  BlockRouter shared(cfg, key);
  for (size_t i = 0; i < all.size(); ++i) {
    BlockResult r;
    r.reset(placement->size());
    shared.route(all[i], i + 1, r);
    together.add(r);
    BlockRouter fresh(cfg, key);
    BlockResult f;
    f.reset(placement->size());
    fresh.route(all[i], i + 1, f);
    apart.add(f);
  }
  CHECK(together.parsed > 100);
  CHECK(together.bad > 10);
  CHECK(together.dropped_labels > 0);
  CHECK(together.long_values > 0);
  CHECK(together.rerouted > 0);
  CHECK(together == apart);
}

}  // namespace

TEST_SUITE("route/block_router") {
  TEST_CASE("series texts served from the cache route exactly as freshly parsed lines: prom output") {
    check_same(OutputFormat::prom, true);
  }
  TEST_CASE("the same for wire output (one packet per line either way) and for --stats") {
    check_same(OutputFormat::wire, true);
    check_same(OutputFormat::prom, false);
  }
}
