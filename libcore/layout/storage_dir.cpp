#include "layout/storage_dir.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "base/byte_reader.h"
#include "base/civil_time.h"
#include "base/fs.h"
#include "base/hex.h"
#include "indexdb/item.h"
#include "layout/parts_json.h"
#include "layout/pending_parts.h"
#include "mergeset/part_reader.h"
#include "metric/tsid.h"
#include "storage/part_reader.h"

namespace vmt::layout {

namespace {

bool is_skipped_part_dir(const std::string& name) {
  return name == "tmp" || name == "txn" || name == "snapshots" || name.find(".must-remove.") != std::string::npos;
}

// Parts of one kind (small or big) of a partition or of a table: listed names, then unlisted dirs.
void collect_parts(const std::string& dir, const std::vector<std::string>* listed, bool big, bool scan_only,
                   std::vector<PartEntry>* out) {
  std::set<std::string> seen;
  if (listed) {
    for (const auto& name : *listed) {
      PartEntry e;
      e.name = name;
      e.path = fs::join(dir, name);
      e.big = big;
      e.listed = true;
      e.exists = fs::is_dir(e.path);
      seen.insert(name);
      out->push_back(std::move(e));
    }
  }
  auto entries = fs::list_dir(dir);
  if (!entries.is_ok()) return;  // a missing small/ or big/ twin is fine
  for (const auto& de : *entries) {
    if (!de.is_dir || seen.count(de.name) || is_skipped_part_dir(de.name)) continue;
    PartEntry e;
    e.name = de.name;
    e.path = fs::join(dir, de.name);
    e.big = big;
    e.listed = scan_only;  // without parts.json the server takes every directory as a part
    e.exists = true;
    out->push_back(std::move(e));
  }
}

// PartEntry::leftover for each unlisted directory (see storage_dir.h).
std::string leftover_reason(const PartEntry& e, const std::string& rel, const std::set<std::string>& pending) {
  if (e.name.rfind(kMergeTempPrefix, 0) == 0 || e.name.rfind(kImportTempPrefix, 0) == 0) {
    return "temporary directory of an interrupted tsdb-merge or tsdb-import";
  }
  if (pending.count(rel)) return "renamed by an interrupted tsdb-merge or tsdb-import before it was listed";
  if (fs::exists(fs::join(e.path, kDeleteMarker))) return std::string("half-removed (") + kDeleteMarker + ")";
  auto entries = fs::list_dir(e.path);
  if (entries.is_ok() && entries->empty()) return "empty directory";
  return "";
}

void classify_leftovers(StorageDir& sd) {
  auto pending = read_pending_parts(sd.root);
  if (!pending.is_ok()) sd.notes.push_back(pending.status().message() + " (ignored)");
  const std::set<std::string> names = pending.is_ok() ? *pending : std::set<std::string>{};
  for (auto& p : sd.partitions) {
    for (auto& e : p.parts) {
      if (!e.listed) e.leftover = leftover_reason(e, std::string("data/") + (e.big ? "big/" : "small/") + p.name + "/" + e.name, names);
    }
  }
  for (auto* tables : {&sd.generations, &sd.partition_indexes}) {
    for (auto& t : *tables) {
      for (auto& e : t.parts) {
        if (!e.listed) e.leftover = leftover_reason(e, t.rel + "/" + e.name, names);
      }
    }
  }
}

}  // namespace

bool parse_partition_name(const std::string& name, int64_t* min_ts, int64_t* max_ts) {
  if (name.size() != 7 || name[4] != '_') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  int64_t year = std::stoi(name.substr(0, 4));
  unsigned month = unsigned(std::stoi(name.substr(5, 2)));
  if (month < 1 || month > 12) return false;
  int64_t start = days_from_civil(year, month, 1);
  int64_t end = month == 12 ? days_from_civil(year + 1, 1, 1) : days_from_civil(year, month + 1, 1);
  *min_ts = start * 86400000;
  *max_ts = end * 86400000 - 1;
  return true;
}

std::string partition_name_for(int64_t ts_ms) {
  int64_t y;
  unsigned m, d;
  civil_from_days(floor_days(ts_ms), &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld_%02u", static_cast<long long>(y), m);
  return buf;
}

Result<int64_t> read_min_timestamp_for_composite_index(const std::string& root) {
  std::string path = fs::join(root, "metadata/minTimestampForCompositeIndex");
  VMT_ASSIGN_OR_RETURN(Bytes b, fs::read_file(path, 1024));
  if (b.size() != 8) {
    return corruption(path + ": size must be 8 bytes; got " + std::to_string(b.size()));
  }
  return unzigzag64(load_u64(b.data()));
}

const IndexTable* StorageDir::curr() const {
  for (const auto& g : generations) if (g.role == "curr") return &g;
  return nullptr;
}

const IndexTable* StorageDir::prev() const {
  for (const auto& g : generations) if (g.role == "prev") return &g;
  return nullptr;
}

std::vector<const IndexTable*> StorageDir::searched_generations() const {
  std::vector<const IndexTable*> out;
  if (auto* c = curr()) out.push_back(c);
  if (auto* p = prev()) out.push_back(p);
  return out;
}

const IndexTable* StorageDir::partition_index(const std::string& name) const {
  for (const auto& t : partition_indexes) if (t.name == name) return &t;
  return nullptr;
}

std::vector<const IndexTable*> StorageDir::searched_tables() const {
  std::vector<const IndexTable*> out;
  for (const auto& t : partition_indexes) out.push_back(&t);
  for (const auto* g : searched_generations()) out.push_back(g);
  return out;
}

std::vector<const IndexTable*> StorageDir::all_tables() const {
  std::vector<const IndexTable*> out;
  for (const auto& t : partition_indexes) out.push_back(&t);
  for (const auto& g : generations) out.push_back(&g);
  return out;
}

namespace {

Result<IndexTable> open_index_table(const std::string& path, const std::string& name, const std::string& rel) {
  IndexTable g;
  g.name = name;
  g.path = path;
  g.rel = rel;
  std::string pj = fs::join(g.path, "parts.json");
  if (fs::exists(pj)) {
    g.has_parts_json = true;
    VMT_ASSIGN_OR_RETURN(TablePartsJson lists, read_table_parts_json(pj));
    collect_parts(g.path, &lists.parts, false, false, &g.parts);
  } else {
    collect_parts(g.path, nullptr, false, true, &g.parts);
  }
  std::stable_partition(g.parts.begin(), g.parts.end(), [](const PartEntry& e) { return e.listed; });
  return g;
}

std::optional<metric::Tenancy> detect_table_tenancy(const IndexTable& t) {
  for (const auto& part : t.parts) {
    if (!part.listed || !part.exists) continue;
    if (auto ten = detect_index_part_tenancy(part.path)) return ten;
  }
  return std::nullopt;
}

void detect_tenancy(StorageDir* sd) {
  for (const auto& p : sd->partitions) {
    for (const auto& part : p.parts) {
      if (!part.listed || !part.exists) continue;
      if (auto t = detect_part_tenancy(part.path)) {
        sd->tenancy = t;
        sd->tenancy_evidence = "data part " + part.path.substr(sd->root.size() + 1);
        return;
      }
    }
  }
  for (const auto* t : sd->all_tables()) {
    if (auto ten = detect_table_tenancy(*t)) {
      sd->tenancy = ten;
      sd->tenancy_evidence = "MetricID->TSID items of " + t->rel;
      return;
    }
  }
}

}  // namespace

// The ns 2 item (MetricID -> TSID) has a fixed size: 49 bytes in the cluster, 33 in single-node.
std::optional<metric::Tenancy> detect_index_part_tenancy(const std::string& part_dir) {
  auto pr = mergeset::PartReader::open(part_dir);
  if (!pr.is_ok()) return std::nullopt;
  const char ns2 = char(indexdb::kNsMetricIDToTSID);
  if (!(*pr)->seek(ByteView(&ns2, 1)).is_ok() || !(*pr)->valid()) return std::nullopt;
  ByteView item = (*pr)->item();
  if (item.empty() || item[0] != ns2) return std::nullopt;
  for (metric::Tenancy t : {metric::Tenancy::kCluster, metric::Tenancy::kSingle}) {
    if (item.size() == indexdb::metric_id_to_tsid_item_size(t)) return t;
  }
  return std::nullopt;
}

std::optional<metric::Tenancy> detect_part_tenancy(const std::string& part_dir) {
  std::optional<metric::Tenancy> found;
  for (metric::Tenancy t : {metric::Tenancy::kCluster, metric::Tenancy::kSingle}) {
    storage::PartReader pr;
    if (!pr.open(part_dir, t).is_ok()) continue;
    storage::RawBlock raw;
    bool eof = false;
    if (!pr.next_raw(raw, &eof).is_ok() || eof) continue;
    if (found) return std::nullopt;  // both decode: cannot tell
    found = t;
  }
  return found;
}

Status resolve_flavour(StorageDir* sd, const Flavour* target) {
  Flavour f = target ? *target : kDefaultFlavour;
  if (target) {
    if (sd->tenancy && *sd->tenancy != target->tenancy) {
      return invalid_argument(sd->root + ": holds a " + metric::tenancy_name(*sd->tenancy) + " storage (" +
                              sd->tenancy_evidence + "), but --target names a " +
                              metric::tenancy_name(target->tenancy) + " release (" + target->to_string() + ")");
    }
    if (sd->index_layout == IndexLayout::kPerPartition && !target->per_partition_index()) {
      return invalid_argument(sd->root + ": has per-partition indexes (data/indexdb/, written by v1.133 or later), but --target names " +
                              target->to_string() + ", which keeps its index in indexdb/<generation>");
    }
  } else {
    if (sd->tenancy) f.tenancy = *sd->tenancy;
    f.index = sd->index_layout;
  }
  sd->flavour = f;
  if (f.per_partition_index()) {
    // Legacy tables: the server deletes the newest of three at open and keeps prev and curr.
    for (auto& g : sd->generations) {
      g.legacy = true;
      if (g.role == "next") g.role = "stale";
    }
  }
  return Status::ok();
}

Result<StorageDir> open_storage_dir(const std::string& root, const Flavour* target) {
  // A path that names nothing, or a file, is a usage error (exit 2) in every tool.
  if (!fs::exists(root)) return invalid_argument(root + ": does not exist (want a vmstorage -storageDataPath)");
  if (!fs::is_dir(root)) return invalid_argument(root + ": not a directory (want a vmstorage -storageDataPath)");
  if (!fs::is_dir(fs::join(root, "data")) && !fs::is_dir(fs::join(root, "indexdb"))) {
    return invalid_argument(root + ": not a VictoriaMetrics storage directory (neither data/ nor indexdb/ in it; "
                            "want the -storageDataPath of vmstorage or victoria-metrics)");
  }
  StorageDir sd;
  sd.root = root;
  sd.locked = fs::FlockFile::held_by_other(root);

  // ---- data/ partitions (a partition is named in any of small/, big/, indexdb/) ----
  std::set<std::string> names;
  for (const char* kind : {"small", "big", "indexdb"}) {
    auto entries = fs::list_dir(fs::join(root, std::string("data/") + kind));
    if (!entries.is_ok()) continue;
    if (std::string(kind) == "indexdb") sd.index_layout = IndexLayout::kPerPartition;
    for (const auto& de : *entries) {
      if (de.is_dir && de.name != "snapshots" && de.name.find(".must-remove.") == std::string::npos) {
        names.insert(de.name);
      }
    }
  }
  for (const auto& name : names) {
    Partition p;
    p.name = name;
    p.small_dir = fs::join(root, "data/small/" + name);
    p.big_dir = fs::join(root, "data/big/" + name);
    p.name_valid = parse_partition_name(name, &p.min_timestamp, &p.max_timestamp);
    std::string pj = fs::join(p.small_dir, "parts.json");
    if (fs::exists(pj)) {
      p.has_parts_json = true;
      VMT_ASSIGN_OR_RETURN(DataPartsJson lists, read_data_parts_json(pj));
      collect_parts(p.small_dir, &lists.small, false, false, &p.parts);
      collect_parts(p.big_dir, &lists.big, true, false, &p.parts);
    } else {
      collect_parts(p.small_dir, nullptr, false, true, &p.parts);
      collect_parts(p.big_dir, nullptr, true, true, &p.parts);
    }
    // Listed parts first, in list order (small, then big); unlisted garbage after them.
    std::stable_partition(p.parts.begin(), p.parts.end(), [](const PartEntry& e) { return e.listed; });
    const std::string idx = fs::join(root, "data/indexdb/" + name);
    if (fs::is_dir(idx)) {
      VMT_ASSIGN_OR_RETURN(IndexTable t, open_index_table(idx, name, "data/indexdb/" + name));
      t.role = "partition";
      sd.partition_indexes.push_back(std::move(t));
    }
    sd.partitions.push_back(std::move(p));
  }

  // ---- indexdb/ generations ----
  std::string idb = fs::join(root, "indexdb");
  auto entries = fs::list_dir(idb);
  if (entries.is_ok()) {
    for (const auto& de : *entries) {
      uint64_t gen = 0;
      if (!de.is_dir || !parse_hex16(de.name, &gen)) continue;
      VMT_ASSIGN_OR_RETURN(IndexTable g, open_index_table(fs::join(idb, de.name), de.name, "indexdb/" + de.name));
      g.generation = gen;
      sd.generations.push_back(std::move(g));
    }
  }
  // Roles as at open (storage-layout.md §2.3): 1 -> prev; 2 -> prev, curr; >= 3 -> the last three.
  size_t n = sd.generations.size();
  for (size_t i = 0; i < n; ++i) sd.generations[i].role = "stale";
  if (n == 1) {
    sd.generations[0].role = "prev";
  } else if (n == 2) {
    sd.generations[0].role = "prev";
    sd.generations[1].role = "curr";
  } else if (n >= 3) {
    sd.generations[n - 3].role = "prev";
    sd.generations[n - 2].role = "curr";
    sd.generations[n - 1].role = "next";
  }

  auto mts = read_min_timestamp_for_composite_index(root);
  if (mts.is_ok()) sd.min_timestamp_for_composite_index = *mts;
  detect_tenancy(&sd);
  classify_leftovers(sd);
  VMT_TRY(resolve_flavour(&sd, target));
  return sd;
}

}  // namespace vmt::layout
