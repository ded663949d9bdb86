#include "ingest/target_dir.h"

#include "layout/pending_parts.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "layout/parts_json.h"
#include "mergeset/table.h"

namespace vmt::ingest {

namespace {

uint64_t now_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llX", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

bool is_generation_name(const std::string& name) {
  if (name.size() != 16) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

Status TargetDir::mkdir_durable(const std::string& path) {
  if (fs::is_dir(path)) return Status::ok();
  if (fs::exists(path)) return io_error(path + ": exists and is not a directory");
  const std::string parent = fs::dir_name(path);
  if (!parent.empty() && parent != path && parent != "." && parent != "/") VMT_TRY(mkdir_durable(parent));
  VMT_TRY(fs::mkdir_p(path));
  return fs::fsync_path(parent.empty() ? std::string(".") : parent);
}

Status TargetDir::open(const std::string& root, uint64_t name_seed, metric::Tenancy tenancy, bool per_partition) {
  root_ = root;
  tenancy_ = tenancy;
  per_partition_ = per_partition;
  if (fs::exists(root) && !fs::is_dir(root)) return io_error(root + ": exists and is not a directory");
  VMT_TRY(mkdir_durable(root));
  VMT_TRY(lock_.lock(root));
  if (fs::exists(fs::join(root, "restore-in-progress"))) {
    return corruption(fs::join(root, "restore-in-progress") +
                      ": an incomplete vmrestore run; vmstorage refuses to open this directory, and so do we");
  }
  // Parts an interrupted run of ours renamed but did not list (layout/pending_parts.h).
  VMT_TRY(layout::remove_pending_parts(root, &removed_pending_));
  const std::string indexdb = fs::join(root, "indexdb");
  created_indexdb_ = !fs::is_dir(indexdb);
  if (created_indexdb_) {
    // Before indexdb/ exists: with indexdb/ present and this file missing the server would write
    // "the day after tomorrow" (storage-layout.md §2.5); 0 is right because we write composite rows.
    VMT_TRY(mkdir_durable(fs::join(root, "metadata")));
    const std::string mt = fs::join(root, "metadata/minTimestampForCompositeIndex");
    if (!fs::exists(mt)) VMT_TRY(fs::write_file_atomic(mt, Bytes(8, '\0')));
  }
  counter_ = name_seed != 0 ? name_seed : now_ns();
  if (per_partition) {
    // What v1.148's mustOpenTable creates (doc/flavours.md §1); no indexdb/ of its own.
    for (const char* d : {"data/small/snapshots", "data/big/snapshots", "data/indexdb", "snapshots", "metadata"}) {
      VMT_TRY(mkdir_durable(fs::join(root, d)));
    }
    return open_legacy_generations();
  }
  for (const char* d : {"data/small/snapshots", "data/big/snapshots", "indexdb/snapshots", "snapshots", "metadata"}) {
    VMT_TRY(mkdir_durable(fs::join(root, d)));
  }
  return open_generations(counter_);
}

Status TargetDir::open_generations(uint64_t seed) {
  const std::string indexdb = fs::join(root_, "indexdb");
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(indexdb));
  tables_.clear();
  uint64_t max_gen = 0;
  for (const auto& e : entries) {
    if (!e.is_dir || !is_generation_name(e.name)) continue;  // the server ignores other names
    tables_.push_back(fs::join(indexdb, e.name));
    max_gen = std::max<uint64_t>(max_gen, std::stoull(e.name, nullptr, 16));
  }
  std::sort(tables_.begin(), tables_.end());
  // mustOpenIndexDBTables: 0 -> prev, curr, next created; 1 -> it is prev; 2 -> prev, curr.
  uint64_t gen = std::max(seed, max_gen);
  while (tables_.size() < 3) {
    const std::string dir = fs::join(indexdb, hex16(++gen));
    VMT_TRY(fs::mkdir_p(dir));
    VMT_TRY(mergeset::write_part_names(dir, {}));
    VMT_TRY(fs::fsync_path(indexdb));
    tables_.push_back(dir);
    added_tables_.push_back(dir);
  }
  counter_ = std::max(counter_, gen);  // part names continue after the generation names
  const size_t n = tables_.size();
  prev_ = tables_[n - 3];
  curr_ = tables_[n - 2];
  if (!fs::exists(fs::join(curr_, "parts.json"))) {
    return unsupported(curr_ + ": indexdb table without parts.json (written by vmstorage before v1.90?); "
                       "open the directory once with vmstorage v1.93.7, which writes it");
  }
  return Status::ok();
}

Status TargetDir::open_legacy_generations() {
  const std::string indexdb = fs::join(root_, "indexdb");
  tables_.clear();
  if (fs::is_dir(indexdb)) {
    VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(indexdb));
    for (const auto& e : entries) {
      if (!e.is_dir || !is_generation_name(e.name)) continue;
      tables_.push_back(fs::join(indexdb, e.name));
      counter_ = std::max<uint64_t>(counter_, std::stoull(e.name, nullptr, 16));
    }
    std::sort(tables_.begin(), tables_.end());
  }
  // Every partition index counts for the MetricIDs in use.
  const std::string pidx = fs::join(root_, "data/indexdb");
  VMT_ASSIGN_OR_RETURN(auto parts, fs::list_dir(pidx));
  for (const auto& e : parts) {
    if (e.is_dir && e.name != "snapshots") tables_.push_back(fs::join(pidx, e.name));
  }
  return Status::ok();
}

std::string TargetDir::index_table(const std::string& p) const { return fs::join(root_, "data/indexdb/" + p); }

std::string TargetDir::small_dir(const std::string& p) const { return fs::join(root_, "data/small/" + p); }
std::string TargetDir::big_dir(const std::string& p) const { return fs::join(root_, "data/big/" + p); }

Status TargetDir::ensure_partition(const std::string& p) {
  const std::string small = small_dir(p), big = big_dir(p);
  const std::string pj = fs::join(small, "parts.json");
  VMT_TRY(mkdir_durable(small));
  VMT_TRY(mkdir_durable(big));
  if (per_partition_) {
    const std::string idx = index_table(p);
    VMT_TRY(mkdir_durable(idx));
    if (!fs::exists(fs::join(idx, "parts.json"))) VMT_TRY(mergeset::write_part_names(idx, {}));
  }
  if (fs::exists(pj)) return Status::ok();
  // Without parts.json the server takes every subdirectory as a part (data-part.md §16): refuse to
  // guess when there are any besides our own leftovers.
  for (const std::string& d : {small, big}) {
    VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(d));
    for (const auto& e : entries) {
      if (e.is_dir && !e.name.starts_with(kTempPrefix)) {
        return unsupported(small + ": partition without parts.json but with part directories (written by "
                           "vmstorage before v1.90?); open the directory once with vmstorage v1.93.7 first");
      }
    }
  }
  return layout::write_data_parts_json(pj, layout::DataPartsJson{});
}

std::string TargetDir::new_part_name(const std::vector<std::string>& dirs) { return next_name(counter_, dirs); }

std::string TargetDir::new_interim_part_name(const std::vector<std::string>& dirs) {
  if (interim_counter_ == 0) interim_counter_ = counter_ + kInterimOffset;
  return next_name(interim_counter_, dirs);
}

std::string TargetDir::next_name(uint64_t& counter, const std::vector<std::string>& dirs) {
  for (;;) {
    std::string name = hex16(++counter);
    if (handed_out_.count(name)) continue;
    bool used = false;
    for (const auto& d : dirs) used = used || fs::exists(fs::join(d, name));
    if (used) continue;
    handed_out_.insert(name);
    return name;
  }
}

Status TargetDir::remove_stale_temp(const std::string& dir) {
  if (!fs::is_dir(dir)) return Status::ok();
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(dir));
  bool removed = false;
  for (const auto& e : entries) {
    if (e.is_dir && e.name.starts_with(kTempPrefix)) {
      VMT_TRY(fs::remove_all(fs::join(dir, e.name)));
      removed = true;
    }
  }
  return removed ? fs::fsync_path(dir) : Status::ok();
}

}  // namespace vmt::ingest
