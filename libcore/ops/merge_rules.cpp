// tsdb-merge --retention-filter and --downsample: the server's enterprise -retentionFilter and
// -downsampling.period, offline. The flags are parsed here, their selectors resolved through the
// index of each partition into per-series rules (storage/series_rules.h), which every merge and
// rewrite of the run then applies. See man/tsdb-merge.1 (RETENTION FILTERS AND DOWNSAMPLING).
#include <algorithm>
#include <map>

#include "ops/args.h"
#include "ops/merge_internal.h"
#include "query/index_search.h"

namespace vmt::ops::merge_detail {

namespace {

// Splits a flag value at the commas outside braces and quotes, as the server's array flags read
// "{a=\"x,y\"}:1d,{b=\"z\"}:2d".
std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      cur += c;
      if (c == '\\' && quote != '`' && i + 1 < s.size()) {
        cur += s[++i];
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') quote = c;
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

// "A:B:C" -> the last `n` colon-separated fields and what is before them ("" when nothing is).
bool split_tail(const std::string& s, size_t n, std::string* head, std::vector<std::string>* tail) {
  size_t end = s.size();
  tail->assign(n, "");
  for (size_t k = n; k-- > 0;) {
    const size_t colon = s.rfind(':', end == 0 ? std::string::npos : end - 1);
    if (k > 0 || colon != std::string::npos) {
      if (colon == std::string::npos) return false;
      (*tail)[k] = s.substr(colon + 1, end - colon - 1);
      end = colon;
    } else {
      (*tail)[k] = s.substr(0, end);
      end = 0;
      break;
    }
  }
  *head = end == 0 ? std::string() : s.substr(0, end);
  return true;
}

Result<query::Selector> parse_rule_selector(const std::string& flag, const std::string& text) {
  auto sel = query::parse_selector(text);
  if (!sel.is_ok()) return invalid_argument(flag + " " + text + ": " + sel.status().message());
  return sel;  // vm_account_id / vm_project_id pick tenants (merge_delete.cpp, match_all_time)
}

}  // namespace

Result<std::vector<RetentionFilter>> parse_retention_filters(const std::vector<std::string>& values,
                                                             std::optional<int64_t> retention_ms) {
  std::vector<RetentionFilter> out;
  for (const auto& value : values) {
    for (const auto& item : split_list(value)) {
      std::string head;
      std::vector<std::string> tail;
      if (!split_tail(item, 1, &head, &tail) || head.empty() || tail[0].empty()) {
        return invalid_argument("--retention-filter " + item + ": want SELECTOR:DURATION, e.g. '{team=\"juniors\"}:3d'");
      }
      RetentionFilter f;
      f.text = item;
      VMT_ASSIGN_OR_RETURN(f.selector, parse_rule_selector("--retention-filter", head));
      auto d = parse_duration_ms(tail[0], true);
      if (!d.is_ok()) return invalid_argument("--retention-filter " + item + ": " + d.status().message());
      if (*d <= 0) return invalid_argument("--retention-filter " + item + ": the duration must be positive");
      if (retention_ms && *d > *retention_ms) {
        return invalid_argument("--retention-filter " + item + ": longer than --retention (the server requires "
                                "-retentionFilter durations <= -retentionPeriod)");
      }
      f.duration_ms = *d;
      out.push_back(std::move(f));
    }
  }
  return out;
}

Result<std::vector<DownsampleGroup>> parse_downsampling(const std::vector<std::string>& values) {
  std::vector<DownsampleGroup> out;
  for (const auto& value : values) {
    for (const auto& item : split_list(value)) {
      std::string head;
      std::vector<std::string> tail;
      if (!split_tail(item, 2, &head, &tail) || tail[0].empty() || tail[1].empty()) {
        return invalid_argument("--downsample " + item + ": want [SELECTOR:]OFFSET:INTERVAL, e.g. 30d:5m");
      }
      auto off = parse_duration_ms(tail[0], false);
      auto iv = parse_duration_ms(tail[1], false);
      if (!off.is_ok()) return invalid_argument("--downsample " + item + ": " + off.status().message());
      if (!iv.is_ok()) return invalid_argument("--downsample " + item + ": " + iv.status().message());
      if (*off < 0 || *iv < 0 || (*iv == 0) != (*off == 0)) {
        return invalid_argument("--downsample " + item + ": OFFSET and INTERVAL must both be positive, or both 0 "
                                "(\"do not downsample these series\")");
      }
      if (*iv > 0 && *off % *iv != 0) {
        return invalid_argument("--downsample " + item + ": the offset must be a multiple of the interval, as the "
                                "server requires");
      }
      // Levels of one filter form a group, in the order the filter first appears.
      auto g = std::find_if(out.begin(), out.end(), [&](const DownsampleGroup& x) { return x.filter_text == head; });
      if (g == out.end()) {
        DownsampleGroup ng;
        ng.filter_text = head;
        if (!head.empty()) {
          VMT_ASSIGN_OR_RETURN(auto sel, parse_rule_selector("--downsample", head));
          ng.selector = std::move(sel);
        }
        out.push_back(std::move(ng));
        g = out.end() - 1;
      }
      if (*iv > 0) g->rule_levels.push_back({*off, *iv});
    }
  }
  for (auto& g : out) {
    auto& lv = g.rule_levels;
    std::sort(lv.begin(), lv.end(), [](const auto& a, const auto& b) { return a.offset_ms < b.offset_ms; });
    for (size_t i = 1; i < lv.size(); ++i) {
      const int64_t a = lv[i - 1].interval_ms, b = lv[i].interval_ms;
      if (lv[i].offset_ms == lv[i - 1].offset_ms || (a % b != 0 && b % a != 0)) {
        return invalid_argument("--downsample" + (g.filter_text.empty() ? std::string() : " " + g.filter_text) +
                                ": the levels of one filter need distinct offsets and intervals that are multiples "
                                "of each other, as the server requires");
      }
    }
  }
  return out;
}

Status resolve_series_rules(Env& env, const layout::StorageDir& sd, RulesReport* report) {
  const auto& filters = env.retention_filters;
  const auto& groups = env.downsample_groups;
  if (filters.empty() && groups.empty()) return Status::ok();
  report->filters.assign(filters.size(), 0);
  report->groups.assign(groups.size(), 0);
  // Selector -> MetricIDs, per table (each table once), then per partition from its tables.
  std::map<const layout::IndexTable*, std::vector<std::vector<uint64_t>>> by_table;  // [filter..., group...]
  auto ids_in = [&](const layout::IndexTable* t) -> Result<const std::vector<std::vector<uint64_t>>*> {
    auto it = by_table.find(t);
    if (it != by_table.end()) return &it->second;
    VMT_ASSIGN_OR_RETURN(auto ts, query::TableSearch::open(*t, env.flavour.tenancy));
    VMT_ASSIGN_OR_RETURN(auto tenants, ts->tenants());
    std::vector<std::vector<uint64_t>> sets;
    auto search = [&](const std::vector<query::Selector>& sels) -> Status {
      VMT_ASSIGN_OR_RETURN(auto ids, match_all_time(*ts, tenants, sels));
      sets.push_back(std::move(ids));
      return Status::ok();
    };
    for (const auto& f : filters) VMT_TRY(search({f.selector}));
    for (const auto& g : groups) {
      if (g.selector) {
        VMT_TRY(search({*g.selector}));
      } else {
        VMT_TRY(search({}));   // no filter: every series
      }
    }
    return &by_table.emplace(t, std::move(sets)).first->second;
  };
  for (const auto& p : sd.partitions) {
    std::vector<const layout::IndexTable*> tables = sd.searched_generations();
    if (const auto* own = sd.partition_index(p.name)) tables.push_back(own);
    std::vector<std::vector<uint64_t>> sets(filters.size() + groups.size());
    for (const auto* t : tables) {
      VMT_ASSIGN_OR_RETURN(const auto* got, ids_in(t));
      for (size_t i = 0; i < sets.size(); ++i) sets[i] = query::unite_ids(sets[i], (*got)[i]);
    }
    // Per MetricID: the latest deadline of the filters matching it, the first group matching it.
    std::map<uint64_t, std::pair<int64_t, int>> per_id;
    for (size_t i = 0; i < filters.size(); ++i) {
      const int64_t deadline = env.now_ms - filters[i].duration_ms;
      for (uint64_t id : sets[i]) {
        auto& e = per_id.emplace(id, std::make_pair(INT64_MIN, -1)).first->second;
        e.first = std::max(e.first, deadline);
      }
      report->filters[i] += sets[i].size();
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      for (uint64_t id : sets[filters.size() + g]) {
        auto& e = per_id.emplace(id, std::make_pair(INT64_MIN, -1)).first->second;
        if (e.second < 0) {
          e.second = int(g);
          ++report->groups[g];
        }
      }
    }
    std::map<std::pair<int64_t, int>, uint32_t> rule_index;
    std::vector<storage::SeriesRule> rules;
    std::vector<std::pair<uint64_t, uint32_t>> by_id;
    for (const auto& [id, key] : per_id) {
      storage::SeriesRule r;
      r.deadline_ms = key.first;
      if (key.second >= 0) r.levels = groups[size_t(key.second)].rule_levels;
      if (r.empty()) continue;   // matched only by "do not downsample"
      auto [it, added] = rule_index.emplace(key, uint32_t(rules.size()));
      if (added) rules.push_back(std::move(r));
      by_id.emplace_back(id, it->second);
    }
    env.rules_in_partition.emplace(p.name, storage::SeriesRules(std::move(rules), std::move(by_id), env.now_ms));
  }
  return Status::ok();
}

}  // namespace vmt::ops::merge_detail
