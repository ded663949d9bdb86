#include "ingest/existing_index.h"

#include <algorithm>
#include <unordered_map>

#include "base/fs.h"
#include "indexdb/item.h"
#include "mergeset/merge.h"
#include "mergeset/table.h"
#include "metric/metric_name.h"
#include "metric/tsid_gen.h"

namespace vmt::ingest {

namespace {

std::vector<mergeset::PartReader*> ptrs(const std::vector<std::unique_ptr<mergeset::PartReader>>& v) {
  std::vector<mergeset::PartReader*> out;
  for (const auto& p : v) out.push_back(p.get());
  return out;
}

}  // namespace

Status advance_to(mergeset::ItemMerger& m, bool* started, ByteView key) {
  if (!*started) {
    *started = true;
    return m.seek(key);
  }
  for (int steps = 0; m.valid() && m.item() < key; ++steps) {
    if (steps == 32) return m.seek(key);
    VMT_TRY(m.next());
  }
  return Status::ok();
}

void ns7_key(Bytes& out, uint32_t date, ByteView canonical_mn) {
  put_u8(out, indexdb::kNsDateMetricNameToTSID);
  put_u64(out, date);
  out.append(canonical_mn);
  put_u8(out, metric::kKvSeparatorChar);
}

void ns2_prefix(Bytes& out, metric::Tenancy t, uint32_t account_id, uint32_t project_id, uint64_t metric_id) {
  indexdb::tenant_prefix(out, indexdb::kNsMetricIDToTSID, t, account_id, project_id);
  put_u64(out, metric_id);
}

void ns5_key(Bytes& out, metric::Tenancy t, uint32_t account_id, uint32_t project_id, uint32_t date,
             uint64_t metric_id) {
  indexdb::tenant_prefix(out, indexdb::kNsDateToMetricID, t, account_id, project_id);
  put_u64(out, date);
  put_u64(out, metric_id);
}

Result<ExistingIndex::Readers> ExistingIndex::open_table(const std::string& table) {
  Readers out;
  if (table.empty()) return out;
  VMT_ASSIGN_OR_RETURN(auto names, mergeset::read_part_names(table));
  for (const auto& n : names) {
    VMT_ASSIGN_OR_RETURN(auto r, mergeset::PartReader::open(fs::join(table, n)));
    out.push_back(std::move(r));
  }
  return out;
}

Status ExistingIndex::scan_ids(const Readers& parts, bool deleted_set) {
  if (parts.empty()) return Status::ok();
  mergeset::ItemMerger m(ptrs(parts));
  // ns 2: 02 [acc proj] MetricID TSID; ns 4: 04 MetricID.
  for (uint8_t ns : {indexdb::kNsMetricIDToTSID, indexdb::kNsDeletedMetricID}) {
    const char key = char(ns);
    VMT_TRY(m.seek(ByteView(&key, 1)));
    for (; m.valid() && !m.item().empty() && uint8_t(m.item()[0]) == ns;) {
      ByteView it = m.item();
      if (ns == indexdb::kNsDeletedMetricID) {
        if (it.size() != 9) return corruption("deleted MetricID item of " + std::to_string(it.size()) + " bytes; want 9");
        const uint64_t id = load_u64(it.data() + 1);
        max_metric_id_ = std::max(max_metric_id_, id);
        if (deleted_set) deleted_.insert(id);
      } else {
        const size_t want = indexdb::metric_id_to_tsid_item_size(tenancy_);
        if (it.size() != want) {
          return corruption("MetricID->TSID item of " + std::to_string(it.size()) + " bytes; want " +
                            std::to_string(want) + " (" + metric::tenancy_name(tenancy_) + ")");
        }
        max_metric_id_ = std::max(max_metric_id_, load_u64(it.data() + 1 + metric::tenant_bytes(tenancy_)));
      }
      VMT_TRY(m.next());
    }
  }
  return Status::ok();
}

Status ExistingIndex::open(const std::vector<std::string>& tables, const std::string& curr, const std::string& prev,
                           metric::Tenancy tenancy) {
  tenancy_ = tenancy;
  for (const auto& t : tables) {
    if (t == curr || t == prev) continue;
    VMT_ASSIGN_OR_RETURN(Readers other, open_table(t));
    VMT_TRY_CTX(scan_ids(other, false), t);
  }
  VMT_ASSIGN_OR_RETURN(curr_, open_table(curr));
  VMT_ASSIGN_OR_RETURN(prev_, open_table(prev));
  VMT_TRY_CTX(scan_ids(curr_, true), curr);
  VMT_TRY_CTX(scan_ids(prev_, true), prev);
  curr_where_ = curr;
  prev_where_ = prev;
  return Status::ok();
}

Status ExistingIndex::resolve(std::vector<NameLookup>& lookups) {
  std::sort(lookups.begin(), lookups.end(), [](const NameLookup& a, const NameLookup& b) { return a.key < b.key; });
  int gen = 0;
  for (const Readers* parts : {&curr_, &prev_}) {
    ++gen;
    if (parts->empty()) continue;
    mergeset::ItemMerger m(ptrs(*parts));
    bool started = false;
    for (auto& l : lookups) {
      if (l.found_in != 0) continue;
      VMT_TRY(advance_to(m, &started, l.key));
      // getTSIDByMetricNameNoExtDB: every item with the prefix; the remainder must be a TSID; the
      // first whose MetricID is not deleted wins.
      while (m.valid() && m.item().starts_with(l.key)) {
        ByteView rest = m.item().substr(l.key.size());
        if (rest.size() == metric::TSID::size(tenancy_)) {
          metric::TSID t = metric::TSID::load(rest.data(), tenancy_);
          if (!deleted_.count(t.metric_id)) {
            l.found_in = gen;
            l.tsid = t;
            break;
          }
        }
        VMT_TRY(m.next());
      }
    }
  }
  return Status::ok();
}

Status ExistingIndex::open_union(const std::vector<std::string>& tables, metric::Tenancy tenancy) {
  tenancy_ = tenancy;
  for (const auto& t : tables) {
    VMT_ASSIGN_OR_RETURN(Readers parts, open_table(t));
    VMT_TRY_CTX(scan_ids(parts, true), t);
    for (auto& p : parts) curr_.push_back(std::move(p));
    curr_where_ += (curr_where_.empty() ? "" : ", ") + t;
  }
  return Status::ok();
}

Status ExistingIndex::resolve_any_day(std::vector<AnyDayLookup>& lookups) {
  if (lookups.empty()) return Status::ok();
  const size_t tb = metric::tenant_bytes(tenancy_);
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;
  for (size_t i = 0; i < lookups.size(); ++i) by_hash[metric::xxhash64(lookups[i].canonical)].push_back(i);
  int gen = 0;
  for (const Readers* parts : {&curr_, &prev_}) {
    ++gen;
    if (parts->empty()) continue;
    // ns 3: 03 · [acc · proj] · MetricID · canonical name. The largest live MetricID of each name.
    std::vector<uint64_t> best(lookups.size(), 0);
    std::vector<std::pair<uint32_t, uint32_t>> tenant(lookups.size());
    mergeset::ItemMerger m(ptrs(*parts));
    const char ns3 = char(indexdb::kNsMetricIDToMetricName);
    VMT_TRY(m.seek(ByteView(&ns3, 1)));
    for (; m.valid() && !m.item().empty() && m.item()[0] == ns3;) {
      const ByteView it = m.item();
      if (it.size() < 1 + tb + 8) {
        return corruption("MetricID->name item of " + std::to_string(it.size()) + " bytes is too short")
            .with_context(gen == 1 ? curr_where_ : prev_where_);
      }
      const ByteView name = it.substr(1 + tb + 8);
      auto h = by_hash.find(metric::xxhash64(name));
      const uint64_t mid = load_u64(it.data() + 1 + tb);
      if (h != by_hash.end() && !deleted_.count(mid)) {
        for (size_t i : h->second) {
          if (lookups[i].found_in != 0 || lookups[i].canonical != name || mid <= best[i]) continue;
          best[i] = mid;
          tenant[i] = tb ? std::make_pair(load_u32(it.data() + 1), load_u32(it.data() + 5)) : std::make_pair(0u, 0u);
        }
      }
      VMT_TRY(m.next());
    }
    // ns 2: 02 · [acc · proj] · MetricID · TSID, in key order.
    std::vector<std::pair<Bytes, size_t>> keys;
    for (size_t i = 0; i < lookups.size(); ++i) {
      if (best[i] == 0) continue;
      Bytes k;
      ns2_prefix(k, tenancy_, tenant[i].first, tenant[i].second, best[i]);
      keys.emplace_back(std::move(k), i);
    }
    std::sort(keys.begin(), keys.end());
    bool started = false;
    for (const auto& [key, i] : keys) {
      VMT_TRY(advance_to(m, &started, key));
      if (!m.valid() || !m.item().starts_with(key)) continue;  // a name without its TSID: not reusable
      const ByteView rest = m.item().substr(key.size());
      if (rest.size() != metric::TSID::size(tenancy_)) continue;
      lookups[i].tsid = metric::TSID::load(rest.data(), tenancy_);
      lookups[i].found_in = gen;
    }
  }
  return Status::ok();
}

Status ExistingIndex::check_dates(std::vector<DateCheck>& checks) {
  std::sort(checks.begin(), checks.end(), [](const DateCheck& a, const DateCheck& b) { return a.key < b.key; });
  if (curr_.empty()) return Status::ok();
  mergeset::ItemMerger m(ptrs(curr_));
  bool started = false;
  for (auto& c : checks) {
    VMT_TRY(advance_to(m, &started, c.key));
    c.exists = m.valid() && (c.prefix ? m.item().starts_with(c.key) : m.item() == ByteView(c.key));
  }
  return Status::ok();
}

}  // namespace vmt::ingest
