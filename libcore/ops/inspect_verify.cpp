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
  metric::TSID tsid;
  std::set<uint64_t> days;
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
  std::unordered_map<uint64_t, DataSeries> data;
  IndexFacts facts;

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
    Status st = pr.open(path);
    if (!st.is_ok()) return problem(path, st.message());
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
      if (ds.days.empty()) {
        ds.tsid = b.header.tsid;
      } else if (ds.tsid != b.header.tsid) {
        problem(path, "MetricID " + std::to_string(b.header.tsid.metric_id) + " appears with two TSIDs: " +
                          ds.tsid.to_string() + " and " + b.header.tsid.to_string());
      }
      uint64_t last_day = UINT64_MAX;
      for (int64_t t : b.timestamps) {
        uint64_t d = uint64_t(t) / 86400000;
        if (d != last_day) ds.days.insert(d);
        last_day = d;
      }
    }
    st = pr.verify_totals();
    if (!st.is_ok()) problem(path, st.message());
  }

  // A mergeset part: full scan with every check; every item decoded; facts collected if `searched`.
  void index_part(const std::string& path, bool searched) {
    ++index_parts;
    auto pr = mergeset::PartReader::open(path);
    if (!pr.is_ok()) return problem(path, pr.status().message());
    Status st = (*pr)->seek_to_first();
    uint64_t bad = 0;
    while (st.is_ok() && (*pr)->valid()) {
      ByteView raw = (*pr)->item();
      ++items;
      auto it = indexdb::decode_item(raw);
      if (!it.is_ok()) {
        if (++bad <= 20) problem(path, "item " + to_hex(raw.substr(0, 48)) + ": " + it.status().message());
      } else if (searched) {
        collect(*it);
      }
      st = (*pr)->next();
    }
    if (bad > 20) problem(path, std::to_string(bad - 20) + " more undecodable items");
    if (!st.is_ok()) problem(path, st.message());
  }

  void collect(const indexdb::Item& it) {
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

  void cross_check(const std::string& root) {
    for (const auto& [mid, ds] : data) {
      if (facts.deleted.count(mid)) continue;
      std::string who = "MetricID " + std::to_string(mid) + " (tenant " + std::to_string(ds.tsid.account_id) + ":" +
                        std::to_string(ds.tsid.project_id) + ")";
      auto n = facts.names.find(mid);
      if (n == facts.names.end()) {
        problem(root, who + " has data but no MetricID->MetricName item (ns 3) in curr or prev: the server hides it and marks it deleted");
      } else if (n->second != std::make_pair(ds.tsid.account_id, ds.tsid.project_id)) {
        problem(root, who + ": its MetricID->MetricName item is in tenant " + std::to_string(n->second.first) + ":" +
                          std::to_string(n->second.second));
      }
      auto t = facts.tsids.find(mid);
      if (t == facts.tsids.end()) {
        problem(root, who + " has data but no MetricID->TSID item (ns 2) in curr or prev");
      } else if (t->second != ds.tsid) {
        problem(root, who + ": MetricID->TSID item has TSID " + t->second.to_string() + " but data blocks have " + ds.tsid.to_string());
      }
      for (uint64_t d : ds.days) {
        if (!facts.dates.count({ds.tsid.account_id, ds.tsid.project_id, d, mid})) {
          problem(root, who + " has samples on " + format_date(d) +
                            " but no Date->MetricID item (ns 5) for that day: queries of that day do not find it");
        }
      }
    }
    for (const auto& [acc, proj, date, mid] : facts.dates) {
      if (facts.deleted.count(mid)) continue;
      std::string who = "Date->MetricID " + format_date(date) + " " + std::to_string(mid) + " (tenant " +
                        std::to_string(acc) + ":" + std::to_string(proj) + ")";
      if (!facts.date_names.count({date, mid})) problem(root, who + " has no (Date,MetricName)->TSID item (ns 7)");
      if (!facts.date_name_rows.count({acc, proj, date, mid})) problem(root, who + " has no per-day metric name row (ns 6)");
      if (!facts.names.count(mid)) problem(root, who + " has no MetricID->MetricName item (ns 3)");
    }
  }

  void storage_dir(const std::string& root) {
    auto sd = layout::open_storage_dir(root);
    if (!sd.is_ok()) return problem(root, sd.status().message());
    for (const auto& p : sd->partitions) {
      std::string pdir = fs::join(root, "data/*/" + p.name);
      if (!p.name_valid) problem(pdir, "partition name is not YYYY_MM: vmstorage panics at open");
      if (!p.has_parts_json) note(p.small_dir, "no parts.json: vmstorage takes every subdirectory as a part and writes it at open");
      for (const auto& part : p.parts) {
        if (part.listed && !part.exists) {
          problem(part.path, "listed in parts.json but missing: vmstorage panics at open");
        } else if (!part.listed) {
          note(part.path, "not listed in parts.json: vmstorage deletes it at open (a leftover of an interrupted write)");
        } else {
          data_part(part.path, &p);
        }
      }
    }
    auto searched = sd->searched_generations();
    for (const auto& g : sd->generations) {
      bool is_searched = std::find(searched.begin(), searched.end(), &g) != searched.end();
      if (g.role == "stale") note(g.path, "older than the newest three generations: vmstorage deletes it at open");
      for (const auto& part : g.parts) {
        if (part.listed && !part.exists) {
          problem(part.path, "listed in parts.json but missing: vmstorage panics at open");
        } else if (!part.listed) {
          note(part.path, "not listed in parts.json: vmstorage deletes it at open");
        } else {
          index_part(part.path, is_searched);
        }
      }
    }
    if (!sd->min_timestamp_for_composite_index) {
      note(fs::join(root, "metadata/minTimestampForCompositeIndex"), "missing or not 8 bytes: vmstorage re-creates it");
    }
    cross_check(root);
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
  if (!fs::is_dir(path)) return not_found(path + ": not a directory");
  Verifier v(c, out);
  size_t partitions = 0, generations = 0;
  if (has_file(path, "items.bin") || has_file(path, "lens.bin")) {
    v.index_part(path, false);
  } else if (has_file(path, "timestamps.bin") || has_file(path, "values.bin") ||
             (has_file(path, "metadata.json") && !fs::is_dir(fs::join(path, "data")))) {
    v.data_part(path, nullptr);
  } else {
    v.storage_dir(path);
    auto sd = layout::open_storage_dir(path);
    if (sd.is_ok()) {
      partitions = sd->partitions.size();
      generations = sd->generations.size();
    }
  }
  v.summary(path, partitions, generations);
  *exit_code = v.problems ? kExitData : kExitOk;
  return out.flush();
}

}  // namespace vmt::ops
