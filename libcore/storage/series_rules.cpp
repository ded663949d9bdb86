#include "storage/series_rules.h"

#include <algorithm>

#include "storage/dedup.h"

namespace vmt::storage {

SeriesRules::SeriesRules(std::vector<SeriesRule> rules, std::vector<std::pair<uint64_t, uint32_t>> by_id,
                         int64_t now_ms)
    : rules_(std::move(rules)), by_id_(std::move(by_id)), now_ms_(now_ms) {
  std::sort(by_id_.begin(), by_id_.end());
  by_id_.erase(std::unique(by_id_.begin(), by_id_.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               by_id_.end());
}

const SeriesRule* SeriesRules::find(uint64_t metric_id) const {
  auto it = std::lower_bound(by_id_.begin(), by_id_.end(), metric_id,
                             [](const std::pair<uint64_t, uint32_t>& e, uint64_t id) { return e.first < id; });
  if (it == by_id_.end() || it->first != metric_id) return nullptr;
  return &rules_[it->second];
}

size_t apply_series_rule(const SeriesRule& rule, int64_t now_ms, int64_t* ts, int64_t* vals, size_t n,
                         RuleStats* stats) {
  // Retention: the leading rows below the deadline.
  size_t skip = 0;
  while (skip < n && ts[skip] < rule.deadline_ms) ++skip;
  if (skip > 0) {
    std::move(ts + skip, ts + n, ts);
    std::move(vals + skip, vals + n, vals);
    n -= skip;
    if (stats) stats->rows_retention += skip;
  }
  if (rule.levels.empty() || n == 0) return n;
  // Downsampling, oldest segment first: segment k holds the rows in [cutoff(k+1), cutoff(k)),
  // cutoff(k) = now − offset(k); the oldest level takes everything below its cutoff.
  size_t out = 0, at = 0;
  for (size_t k = rule.levels.size(); k-- > 0;) {
    const int64_t cutoff = now_ms - rule.levels[k].offset_ms;
    size_t end = at;
    while (end < n && ts[end] < cutoff) ++end;
    size_t len = end - at;
    if (len > 0) {
      if (out != at) {
        std::move(ts + at, ts + end, ts + out);
        std::move(vals + at, vals + end, vals + out);
      }
      const size_t kept = dedup_samples(ts + out, vals + out, len, rule.levels[k].interval_ms);
      if (stats) stats->rows_downsampled += len - kept;
      out += kept;
    }
    at = end;
  }
  if (out != at) {
    std::move(ts + at, ts + n, ts + out);
    std::move(vals + at, vals + n, vals + out);
  }
  return out + (n - at);
}

}  // namespace vmt::storage
