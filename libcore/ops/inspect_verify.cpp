// tsdb-inspect verify: every structural check of every part, and the cross-checks between data and
// indexdb that decide whether vmstorage can find and serve what is stored.
//
// Spec: storage-layout.md §3-§4 (what the server checks at open and later), §6.2 (what a series
// needs to be found), data-part.md §10 (invariants), mergeset.md §4-§7, indexdb.md §4-§7, §10.
// Goes on past a bad part; every problem is one line; a summary line ends the report.
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "base/fs.h"
#include "base/hex.h"
#include "indexdb/item.h"
#include "mergeset/part_reader.h"
#include "ops/args.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "ops/render.h"
#include "storage/part_reader.h"

namespace vmt::ops {

namespace {

struct DataSeries {
  metric::TSID tsid;        // as the first block seen has it
  std::string part;         // ... in this part
  std::vector<std::pair<std::string, metric::TSID>> others;  // other TSIDs seen: part, TSID
  std::set<uint64_t> days;
  void see(const metric::TSID& t, const std::string& path) {
    if (part.empty()) {
      tsid = t;
      part = path;
    } else if (t != tsid && std::find_if(others.begin(), others.end(),
                                         [&](const auto& o) { return o.second == t; }) == others.end()) {
      others.emplace_back(path, t);
    }
  }
};

struct IndexFacts {
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> names;  // ns 3: mid -> tenant
  std::unordered_map<uint64_t, metric::TSID> tsids;                  // ns 2
  std::set<std::tuple<uint32_t, uint32_t, uint64_t, uint64_t>> dates;  // ns 5: acc proj date mid
  std::set<std::pair<uint64_t, uint64_t>> date_names;                  // ns 7: date mid
  std::set<std::tuple<uint32_t, uint32_t, uint64_t, uint64_t>> date_name_rows;  // ns 6 name rows
  std::unordered_set<uint64_t> deleted;                               // ns 4
};

struct Verifier {
  Verifier(const InspectCommon& common, Output& output) : c(common), out(output) {}
  const InspectCommon& c;
  Output& out;
  uint64_t problems = 0;
  uint64_t data_parts = 0, rows = 0, blocks = 0, index_parts = 0, items = 0;
  metric::Tenancy tenancy = metric::Tenancy::kCluster;
  std::unordered_map<uint64_t, DataSeries> data;  // every data part: one TSID per MetricID
  // The data of each partition ("" for a lone part), cross-checked against the index groups a
  // query of that partition searches: "searched" (curr and prev) with generations; the
  // partition's own index and "legacy" (legacy curr and prev) per partition.
  std::map<std::string, std::unordered_map<uint64_t, DataSeries>> data_in;
  std::map<std::string, IndexFacts> groups;

  void problem(const std::string& where, const std::string& msg) {
    ++problems;
    if (c.json) {
      nlohmann::ordered_json j;
      j["type"] = "problem";
      j["path"] = where;
      j["message"] = msg;
      append_json_line(out.buf(), j);
    } else {
      out.buf() += where + ": " + msg + "\n";
    }
    (void)out.maybe_flush();
  }
  void note(const std::string& where, const std::string& msg) {
    if (c.json) {
      nlohmann::ordered_json j;
      j["type"] = "note";
      j["path"] = where;
      j["message"] = msg;
      append_json_line(out.buf(), j);
    } else {
      out.buf() += "note: " + where + ": " + msg + "\n";
    }
  }

  // A data part: every block decoded; rows outside the partition's month are invisible.
  void data_part(const std::string& path, const layout::Partition* p) {
    ++data_parts;
    storage::PartReader pr;
    Status st = pr.open(path, tenancy);
    if (!st.is_ok()) return problem(path, st.message());
    auto& in_partition = data_in[p ? p->name : ""];
    storage::Block b;
    for (;;) {
      bool eof = false;
      st = pr.next(b, &eof);
      if (!st.is_ok()) return problem(path, st.message());
      if (eof) break;
      ++blocks;
      rows += b.rows();
      if (p && p->name_valid && (b.header.min_timestamp < p->min_timestamp || b.header.max_timestamp > p->max_timestamp)) {
        problem(path, "block " + std::to_string(pr.position().block) + " (" + b.header.tsid.to_string() +
                          ") has rows outside partition " + p->name + " [" + format_time_ms(b.header.min_timestamp) +
                          ", " + format_time_ms(b.header.max_timestamp) + "]: queries never look for them there");
      }
      auto& ds = data[b.header.tsid.metric_id];
      ds.see(b.header.tsid, path);
      auto& pds = in_partition[b.header.tsid.metric_id];
      pds.see(b.header.tsid, path);
      uint64_t last_day = UINT64_MAX;
      for (int64_t t : b.timestamps) {
        uint64_t d = uint64_t(t) / 86400000;
        if (d != last_day) {
          ds.days.insert(d);
          pds.days.insert(d);
        }
        last_day = d;
      }
    }
    st = pr.verify_totals();
    if (!st.is_ok()) problem(path, st.message());
    for (const auto& w : pr.warnings()) c.strict ? problem(path, w) : note(path, "warning: " + w);
  }

  // A mergeset part: full scan with every check; every item decoded; facts collected into `facts`
  // when given (a searched table).
  void index_part(const std::string& path, IndexFacts* facts) {
    ++index_parts;
    auto pr = mergeset::PartReader::open(path);
    if (!pr.is_ok()) return problem(path, pr.status().message());
    Status st = (*pr)->seek_to_first();
    uint64_t bad = 0;
    while (st.is_ok() && (*pr)->valid()) {
      ByteView raw = (*pr)->item();
      ++items;
      auto it = indexdb::decode_item(raw, tenancy);
      if (!it.is_ok()) {
        if (++bad <= 20) problem(path, "item " + to_hex(raw.substr(0, 48)) + ": " + it.status().message());
      } else if (facts) {
        collect(*it, *facts);
      }
      st = (*pr)->next();
    }
    if (bad > 20) problem(path, std::to_string(bad - 20) + " more undecodable items");
    if (!st.is_ok()) problem(path, st.message());
  }

  static void collect(const indexdb::Item& it, IndexFacts& facts) {
    uint64_t mid = it.metric_ids.empty() ? 0 : it.metric_ids[0];
    switch (it.ns) {
      case indexdb::kNsMetricIDToMetricName: facts.names.try_emplace(mid, it.account_id, it.project_id); break;
      case indexdb::kNsMetricIDToTSID: facts.tsids.try_emplace(mid, it.tsid); break;
      case indexdb::kNsDateToMetricID: facts.dates.emplace(it.account_id, it.project_id, it.date, mid); break;
      case indexdb::kNsDateMetricNameToTSID: facts.date_names.emplace(it.date, mid); break;
      case indexdb::kNsDeletedMetricID: facts.deleted.insert(mid); break;
      case indexdb::kNsDateTagToMetricIDs:
        if (it.tag.key.empty()) {
          for (uint64_t id : it.metric_ids) facts.date_name_rows.emplace(it.account_id, it.project_id, it.date, id);
        }
        break;
      default: break;
    }
  }

  // What a query of one partition sees: the union of some index groups.
  struct Scope {
    std::vector<const IndexFacts*> groups;
    std::string where;  // "curr or prev", "data/indexdb/P or the legacy curr and prev"
    template <typename F>
    bool any(F f) const {
      for (const auto* g : groups) if (f(*g)) return true;
      return false;
    }
    bool deleted(uint64_t mid) const { return any([&](const IndexFacts& g) { return g.deleted.count(mid) > 0; }); }
  };

  Scope scope_of(const std::string& partition, bool per_partition) {
    Scope sc;
    if (per_partition) {
      sc.groups = {&groups[partition], &groups["legacy"]};
      sc.where = "data/indexdb/" + partition + " or the legacy curr and prev";
    } else {
      sc.groups = {&groups["searched"]};
      sc.where = "curr or prev";
    }
    return sc;
  }

  void cross_check_data(const std::string& root, const std::unordered_map<uint64_t, DataSeries>& series,
                        const Scope& sc) {
    for (const auto& [mid_binding, ds] : series) {
      const uint64_t mid = mid_binding;   // a plain variable: lambdas below capture it (clang 14)
      if (sc.deleted(mid)) continue;
      std::string who = "MetricID " + std::to_string(mid) + " (tenant " + std::to_string(ds.tsid.account_id) + ":" +
                        std::to_string(ds.tsid.project_id) + ")";
      const std::pair<uint32_t, uint32_t> tenant{ds.tsid.account_id, ds.tsid.project_id};
      const std::pair<uint32_t, uint32_t>* name_tenant = nullptr;
      for (const auto* g : sc.groups) {
        if (auto n = g->names.find(mid); n != g->names.end()) {
          name_tenant = &n->second;
          break;
        }
      }
      if (!name_tenant) {
        problem(root, who + " has data but no MetricID->MetricName item (ns 3) in " + sc.where +
                          ": the server hides it and marks it deleted");
      } else if (*name_tenant != tenant) {
        problem(root, who + ": its MetricID->MetricName item is in tenant " + std::to_string(name_tenant->first) + ":" +
                          std::to_string(name_tenant->second));
      }
      const metric::TSID* tsid = nullptr;
      for (const auto* g : sc.groups) {
        if (auto t = g->tsids.find(mid); t != g->tsids.end()) {
          tsid = &t->second;
          break;
        }
      }
      // A TSID that is not the index's names the part holding it: that part is the damaged one
      // (a flipped bit gave a block another series' MetricID), not the sound parts of the series.
      if (!tsid) {
        problem(root, who + " has data but no MetricID->TSID item (ns 2) in " + sc.where);
        for (const auto& [part, other] : ds.others) {
          problem(root, who + " appears with two TSIDs: " + ds.tsid.to_string() + " in " + ds.part + " and " +
                            other.to_string() + " in " + part);
        }
      } else {
        if (*tsid != ds.tsid) {
          problem(ds.part, who + ": data blocks have TSID " + ds.tsid.to_string() + " but the MetricID->TSID item has " +
                               tsid->to_string());
        }
        for (const auto& [part, other] : ds.others) {
          if (other != *tsid) {
            problem(part, who + ": data blocks have TSID " + other.to_string() + " but the MetricID->TSID item has " +
                              tsid->to_string());
          }
        }
      }
      for (uint64_t d : ds.days) {
        if (!sc.any([&](const IndexFacts& g) { return g.dates.count({tenant.first, tenant.second, d, mid}) > 0; })) {
          problem(root, who + " has samples on " + format_date(d) + " but no Date->MetricID item (ns 5) for that day in " +
                            sc.where + ": queries of that day do not find it");
        }
      }
    }
  }

  // Every per-day entry of an index group is complete within that group.
  void cross_check_dates(const std::string& root, const IndexFacts& facts, const Scope& sc) {
    for (const auto& entry : facts.dates) {
      const auto [acc, proj, date, mid_binding] = entry;
      const uint64_t mid = mid_binding;   // captured by the lambdas below (clang 14)
      if (sc.deleted(mid)) continue;
      std::string who = "Date->MetricID " + format_date(date) + " " + std::to_string(mid) + " (tenant " +
                        std::to_string(acc) + ":" + std::to_string(proj) + ")";
      if (!facts.date_names.count({date, mid})) problem(root, who + " has no (Date,MetricName)->TSID item (ns 7)");
      if (!facts.date_name_rows.count({acc, proj, date, mid})) problem(root, who + " has no per-day metric name row (ns 6)");
      if (!sc.any([&](const IndexFacts& g) { return g.names.count(mid) > 0; })) {
        problem(root, who + " has no MetricID->MetricName item (ns 3)");
      }
    }
  }

  void cross_check(const std::string& root, bool per_partition) {
    for (const auto& [partition, series] : data_in) cross_check_data(root, series, scope_of(partition, per_partition));
    for (auto& [name, facts] : groups) {
      const bool legacy_or_searched = name == "legacy" || name == "searched";
      Scope sc = legacy_or_searched ? Scope{{&facts}, name} : scope_of(name, per_partition);
      cross_check_dates(root, facts, sc);
    }
  }

  // An unlisted directory: vmstorage deletes it at open. Ours (layout::PartEntry::leftover) are a
  // note; any other may be the only copy of data a damaged parts.json lost: a problem.
  void unlisted(const layout::PartEntry& part) {
    if (!part.leftover.empty()) {
      note(part.path, "not listed in parts.json: " + part.leftover + "; vmstorage deletes it at open, and so does the next tsdb-import or tsdb-merge");
    } else {
      problem(part.path, "a directory parts.json does not list: vmstorage deletes it at open, with any data it holds; "
                         "no tool of ours deletes it unless asked by name (tsdb-merge --remove-unlisted " + part.name + ")");
    }
  }

  void storage_dir(const std::string& root, const layout::StorageDir& sd) {
    tenancy = sd.flavour.tenancy;
    const bool per_partition = sd.flavour.per_partition_index();
    for (const auto& p : sd.partitions) {
      std::string pdir = fs::join(root, "data/*/" + p.name);
      if (!p.name_valid) problem(pdir, "partition name is not YYYY_MM: vmstorage panics at open");
      if (!p.has_parts_json) note(p.small_dir, "no parts.json: vmstorage takes every subdirectory as a part and writes it at open");
      for (const auto& part : p.parts) {
        if (part.listed && !part.exists) {
          problem(part.path, "listed in parts.json but missing: vmstorage panics at open");
        } else if (!part.listed) {
          unlisted(part);
        } else {
          data_part(part.path, &p);
        }
      }
    }
    auto searched = sd.searched_tables();
    for (const auto* t : sd.all_tables()) {
      const auto& g = *t;
      const bool is_searched = std::find(searched.begin(), searched.end(), t) != searched.end();
      IndexFacts* facts = !is_searched ? nullptr
                          : g.role == "partition" ? &groups[g.name]
                          : per_partition ? &groups["legacy"] : &groups["searched"];
      if (g.role == "stale") {
        note(g.path, g.legacy ? "a legacy generation vmstorage deletes at open (it keeps the two before the newest)"
                              : "older than the newest three generations: vmstorage deletes it at open");
      }
      for (const auto& part : g.parts) {
        if (part.listed && !part.exists) {
          problem(part.path, "listed in parts.json but missing: vmstorage panics at open");
        } else if (!part.listed) {
          unlisted(part);
        } else {
          index_part(part.path, facts);
        }
      }
    }
    // Temporary files of an interrupted write (parts.json.tmp.N, ...): harmless, removed by the
    // next of our writers.
    std::vector<std::string> dirs;
    for (const auto& p : sd.partitions) dirs.push_back(p.small_dir);
    for (const auto* t : sd.all_tables()) dirs.push_back(t->path);
    dirs.push_back(fs::join(root, "metadata"));
    for (const auto& d : dirs) {
      auto entries = fs::list_dir(d);
      if (!entries.is_ok()) continue;
      for (const auto& e : *entries) {
        if (!e.is_dir && e.name.find(".tmp.") != std::string::npos) {
          note(fs::join(d, e.name), "temporary file of an interrupted write: ignored by vmstorage, removed by the next tsdb-import or tsdb-merge");
        }
      }
    }
    if (!sd.min_timestamp_for_composite_index) {
      note(fs::join(root, "metadata/minTimestampForCompositeIndex"), "missing or not 8 bytes: vmstorage re-creates it");
    }
    cross_check(root, per_partition);
  }

  void summary(const std::string& path, size_t partitions, size_t generations) {
    if (c.json) {
      nlohmann::ordered_json j;
      j["type"] = "summary";
      j["path"] = path;
      j["partitions"] = partitions;
      j["data_parts"] = data_parts;
      j["rows"] = rows;
      j["blocks"] = blocks;
      j["generations"] = generations;
      j["indexdb_parts"] = index_parts;
      j["items"] = items;
      j["series"] = data.size();
      j["problems"] = problems;
      append_json_line(out.buf(), j);
    } else {
      out.buf() += "verify: " + path + ": " + std::to_string(partitions) + " partitions, " + std::to_string(data_parts) +
                   " data parts (" + std::to_string(rows) + " rows, " + std::to_string(blocks) + " blocks, " +
                   std::to_string(data.size()) + " series), " + std::to_string(generations) + " indexdb generations, " +
                   std::to_string(index_parts) + " indexdb parts (" + std::to_string(items) + " items): " +
                   std::to_string(problems) + (problems == 1 ? " problem\n" : " problems\n");
    }
  }
};

bool has_file(const std::string& dir, const char* f) { return fs::exists(fs::join(dir, f)); }

}  // namespace

Status inspect_verify(const std::string& path, const InspectCommon& c, Output& out, int* exit_code) {
  if (!fs::exists(path)) return invalid_argument(path + ": does not exist");
  if (!fs::is_dir(path)) return invalid_argument(path + ": not a directory");
  Verifier v(c, out);
  size_t partitions = 0, generations = 0;
  if (has_file(path, "items.bin") || has_file(path, "lens.bin")) {
    v.tenancy = c.part_tenancy(path);
    v.index_part(path, nullptr);
  } else if (has_file(path, "timestamps.bin") || has_file(path, "values.bin") ||
             (has_file(path, "metadata.json") && !fs::is_dir(fs::join(path, "data")))) {
    v.tenancy = c.part_tenancy(path);
    v.data_part(path, nullptr);
    // Alone, without an index to say which TSID is right: any MetricID with two is a problem.
    for (const auto& [mid, ds] : v.data) {
      for (const auto& o : ds.others) {
        v.problem(path, "MetricID " + std::to_string(mid) + " appears with two TSIDs: " + ds.tsid.to_string() +
                            " and " + o.second.to_string());
      }
    }
  } else {
    auto sd = open_for_reading(path, c.target_ptr());
    if (!sd.is_ok()) {
      // Not a storage directory, or a --target that contradicts it: a usage error, not a finding.
      if (sd.status().code() == Code::invalid_argument) return sd.take_status();
      v.problem(path, sd.status().message());
    } else {
      v.storage_dir(path, *sd);
      partitions = sd->partitions.size();
      generations = sd->generations.size() + sd->partition_indexes.size();
    }
  }
  v.summary(path, partitions, generations);
  *exit_code = v.problems ? kExitData : kExitOk;
  return out.flush();
}

}  // namespace vmt::ops
