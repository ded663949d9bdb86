#include "layout/storage_dir.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "base/byte_reader.h"
#include "base/civil_time.h"
#include "base/fs.h"
#include "base/hex.h"
#include "layout/parts_json.h"

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

const Generation* StorageDir::curr() const {
  for (const auto& g : generations) if (g.role == "curr") return &g;
  return nullptr;
}

const Generation* StorageDir::prev() const {
  for (const auto& g : generations) if (g.role == "prev") return &g;
  return nullptr;
}

std::vector<const Generation*> StorageDir::searched_generations() const {
  std::vector<const Generation*> out;
  if (auto* c = curr()) out.push_back(c);
  if (auto* p = prev()) out.push_back(p);
  return out;
}

Result<StorageDir> open_storage_dir(const std::string& root) {
  if (!fs::is_dir(root)) return not_found(root + ": not a directory (want a vmstorage -storageDataPath)");
  StorageDir sd;
  sd.root = root;

  // ---- data/ partitions ----
  std::set<std::string> names;
  for (const char* kind : {"small", "big"}) {
    auto entries = fs::list_dir(fs::join(root, std::string("data/") + kind));
    if (!entries.is_ok()) continue;
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
    sd.partitions.push_back(std::move(p));
  }

  // ---- indexdb/ generations ----
  std::string idb = fs::join(root, "indexdb");
  auto entries = fs::list_dir(idb);
  if (entries.is_ok()) {
    for (const auto& de : *entries) {
      uint64_t gen = 0;
      if (!de.is_dir || !parse_hex16(de.name, &gen)) continue;
      Generation g;
      g.name = de.name;
      g.generation = gen;
      g.path = fs::join(idb, de.name);
      std::string pj = fs::join(g.path, "parts.json");
      if (fs::exists(pj)) {
        g.has_parts_json = true;
        VMT_ASSIGN_OR_RETURN(TablePartsJson lists, read_table_parts_json(pj));
        collect_parts(g.path, &lists.parts, false, false, &g.parts);
      } else {
        collect_parts(g.path, nullptr, false, true, &g.parts);
      }
      std::stable_partition(g.parts.begin(), g.parts.end(), [](const PartEntry& e) { return e.listed; });
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
  return sd;
}

}  // namespace vmt::layout
