#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "storage/series_rules.h"

using namespace vmt::storage;

namespace {

// The model: every row is kept or not on its own terms. A row older than the deadline goes; else
// the level with the largest offset below its age (if any) puts it in segment k and bucket
// ceil(ts / interval); of each (segment, bucket) one row stays: the largest timestamp, the largest
// value among rows with that timestamp.
std::vector<std::pair<int64_t, int64_t>> model(const SeriesRule& r, int64_t now, std::vector<std::pair<int64_t, int64_t>> rows) {
  std::map<std::tuple<int, int64_t>, std::pair<int64_t, int64_t>> best;
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& [t, v] : rows) {
    if (t < r.deadline_ms) continue;
    int level = -1;
    for (size_t k = 0; k < r.levels.size(); ++k) {
      if (t < now - r.levels[k].offset_ms) level = int(k);
    }
    if (level < 0) {
      out.emplace_back(t, v);
      continue;
    }
    const int64_t d = r.levels[size_t(level)].interval_ms;
    const int64_t bucket = (t + d - 1) / d;
    auto key = std::make_tuple(level, bucket);
    auto it = best.find(key);
    if (it == best.end() || t > it->second.first || (t == it->second.first && v > it->second.second)) best[key] = {t, v};
  }
  for (const auto& [key, tv] : best) out.push_back(tv);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::vector<std::pair<int64_t, int64_t>> apply(const SeriesRule& r, int64_t now, const std::vector<std::pair<int64_t, int64_t>>& rows,
                                               RuleStats* st = nullptr) {
  std::vector<int64_t> ts, vs;
  for (const auto& [t, v] : rows) ts.push_back(t), vs.push_back(v);
  const size_t n = apply_series_rule(r, now, ts.data(), vs.data(), ts.size(), st);
  std::vector<std::pair<int64_t, int64_t>> out;
  for (size_t i = 0; i < n; ++i) out.emplace_back(ts[i], vs[i]);
  return out;
}

}  // namespace

TEST_SUITE("storage/series_rules") {
  TEST_CASE("retention: rows below the deadline go, the rest stay") {
    SeriesRule r;
    r.deadline_ms = 1000;
    RuleStats st;
    CHECK(apply(r, 5000, {{900, 1}, {999, 2}, {1000, 3}, {2000, 4}}, &st) ==
          std::vector<std::pair<int64_t, int64_t>>{{1000, 3}, {2000, 4}});
    CHECK(st.rows_retention == 2);
    CHECK(r.touches(999, 5000));
    CHECK_FALSE(r.touches(1000, 5000));
  }

  TEST_CASE("downsampling 30d:5m,180d:1h in miniature, against the model") {
    // now = 100000; levels: older than 30000 -> 500 ms, older than 60000 -> 2000 ms.
    SeriesRule r;
    r.levels = {{30000, 500}, {60000, 2000}};
    std::vector<std::pair<int64_t, int64_t>> rows;
    for (int64_t t = 1000; t < 100000; t += 150) rows.emplace_back(t, t % 7);
    RuleStats st;
    const auto got = apply(r, 100000, rows, &st);
    CHECK(got == model(r, 100000, rows));
    CHECK(st.rows_downsampled == rows.size() - got.size());
    // Rows newer than now - 30000 are all there.
    size_t recent_in = 0, recent_out = 0;
    for (const auto& [t, v] : rows) recent_in += t >= 70000;
    for (const auto& [t, v] : got) recent_out += t >= 70000;
    CHECK(recent_out == recent_in);
    CHECK(got.size() < rows.size() / 2);
  }

  TEST_CASE("random rows, duplicates and ties, retention and levels together") {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 300; ++round) {
      SeriesRule r;
      const int64_t now = 1'000'000;
      if (rng() % 2) r.deadline_ms = int64_t(rng() % 1'000'000);
      const int64_t base = 1 + int64_t(rng() % 50);
      int64_t off = 0;
      for (int k = 0, levels = int(rng() % 3); k < levels; ++k) {
        off += int64_t(1 + rng() % 300'000);
        r.levels.push_back({off, base << k});
      }
      std::vector<std::pair<int64_t, int64_t>> rows;
      int64_t t = int64_t(rng() % 1000);
      for (int i = 0, n = int(rng() % 400); i < n; ++i) {
        t += int64_t(rng() % 4000);   // 0: a duplicate timestamp
        rows.emplace_back(t, int64_t(rng() % 5) - 2);
      }
      REQUIRE(apply(r, now, rows) == model(r, now, rows));
    }
  }

  TEST_CASE("SeriesRules finds the rule of a MetricID") {
    SeriesRule a, b;
    a.deadline_ms = 5;
    b.levels = {{10, 1}};
    SeriesRules rules({a, b}, {{9, 1}, {3, 0}, {9, 1}}, 77);
    REQUIRE(rules.find(3));
    CHECK(rules.find(3)->deadline_ms == 5);
    REQUIRE(rules.find(9));
    CHECK(rules.find(9)->levels.size() == 1);
    CHECK(rules.find(4) == nullptr);
    CHECK(rules.now_ms() == 77);
  }
}
