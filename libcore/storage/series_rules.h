// Per-series rewrite rules applied while blocks are merged: a series' own retention (the server's
// enterprise -retentionFilter) and its downsampling levels (-downsampling.period). tsdb-merge
// resolves which series a rule covers through the index; this file knows only MetricIDs, times
// and rows.
//
// Semantics (docs/victoriametrics/README.md at v1.148.0, "Retention filters", "Downsampling"):
//   retention    rows older than deadline = now − DURATION are dropped; a series matched by
//                several filters gets the smallest DURATION (the latest deadline)
//   downsampling each level (OFFSET, INTERVAL) keeps, among the rows older than now − OFFSET, one
//                sample per INTERVAL exactly as deduplication chooses it (storage/dedup.h: buckets
//                (k·I − I, k·I], the largest timestamp, the largest value on a tie); the level with
//                the largest OFFSET below a row's age applies to it; OFFSET 0 with INTERVAL 0
//                means "not downsampled"
// Like dedup, rules run on each block as it is written (at most 8192 rows), so a bucket split
// between two written blocks keeps one sample in each, and a bucket split by a level's cutoff
// keeps one sample on each side of it (the next run, with a later `now`, joins them).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace vmt::storage {

struct DownsampleLevel {
  int64_t offset_ms = 0;
  int64_t interval_ms = 0;
};

struct SeriesRule {
  int64_t deadline_ms = INT64_MIN;       // rows with timestamps below it go; INT64_MIN: none
  std::vector<DownsampleLevel> levels;   // sorted by offset, ascending; intervals > 0

  bool empty() const { return deadline_ms == INT64_MIN && levels.empty(); }
  // The newest timestamp a level touches (exclusive): now − the smallest offset.
  int64_t downsample_before(int64_t now_ms) const {
    return levels.empty() ? INT64_MIN : now_ms - levels.front().offset_ms;
  }
  // Whether rows in [min_ts, max_ts] can change at all.
  bool touches(int64_t min_ts, int64_t now_ms) const {
    return min_ts < deadline_ms || min_ts < downsample_before(now_ms);
  }
};

// MetricID -> rule, for the Merger's lookups. Built from (metric_id, rule index) pairs.
class SeriesRules {
 public:
  SeriesRules() = default;
  SeriesRules(std::vector<SeriesRule> rules, std::vector<std::pair<uint64_t, uint32_t>> by_id, int64_t now_ms);

  bool empty() const { return by_id_.empty(); }
  int64_t now_ms() const { return now_ms_; }
  // nullptr when no rule covers the MetricID.
  const SeriesRule* find(uint64_t metric_id) const;

 private:
  std::vector<SeriesRule> rules_;
  std::vector<std::pair<uint64_t, uint32_t>> by_id_;   // sorted by MetricID, unique
  int64_t now_ms_ = 0;
};

struct RuleStats {
  uint64_t rows_retention = 0;    // older than the series' deadline
  uint64_t rows_downsampled = 0;  // thinned by a level
};

// Applies the rule to n sorted rows in place; returns how many are left (at the front).
size_t apply_series_rule(const SeriesRule& rule, int64_t now_ms, int64_t* timestamps, int64_t* values, size_t n,
                         RuleStats* stats);

}  // namespace vmt::storage
