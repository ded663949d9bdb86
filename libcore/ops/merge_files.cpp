// tsdb-merge: the file steps of the merge transaction (merge.md §11; data-part.md §15): part
// names, what a writer removes before merging, durable directories, and the removal of merged
// parts as the directory's server removes them. Declared in merge_internal.h.
#include <algorithm>
#include <atomic>

#include "base/fs.h"
#include "base/hex.h"
#include "ops/merge_internal.h"

namespace vmt::ops::merge_detail {

Status PartNamer::init(const std::vector<std::string>& dirs, uint64_t seed_ns) {
  dirs_ = dirs;
  counter_ = seed_ns != 0 ? seed_ns : now_ns();
  for (const auto& d : dirs) {
    if (!fs::is_dir(d)) continue;
    VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(d));
    for (const auto& e : entries) {
      uint64_t v = 0;
      if (parse_hex16(e.name, &v)) counter_ = std::max(counter_, v);
    }
  }
  return Status::ok();
}

std::string PartNamer::next() {
  for (;;) {
    const std::string name = hex16(++counter_);
    bool used = false;
    for (const auto& d : dirs_) {
      used = used || fs::exists(fs::join(d, name)) || fs::exists(fs::join(d, kTempPrefix + name));
    }
    if (!used) return name;
  }
}

Status remove_leftovers(const std::string& dir, const std::vector<std::string>* listed,
                        std::vector<std::string>* foreign) {
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(dir));
  bool removed = false;
  for (const auto& e : entries) {
    if (!e.is_dir || e.name == "snapshots") continue;
    const std::string path = fs::join(dir, e.name);
    bool remove = e.name.starts_with(kTempPrefix) || e.name.find(".must-remove.") != std::string::npos ||
                  e.name == "tmp" || e.name == "txn" || fs::exists(fs::join(path, kDeleteMarker));
    if (!remove && listed && std::find(listed->begin(), listed->end(), e.name) == listed->end()) {
      auto inside = fs::list_dir(path);
      remove = inside.is_ok() && inside->empty();
      if (!remove && foreign) foreign->push_back(e.name);
    }
    if (remove) {
      VMT_TRY(fs::remove_all(path));
      removed = true;
    }
  }
  return removed ? fs::fsync_path(dir) : Status::ok();
}

std::string unlisted_warning(const std::string& table, const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return table + ": left in place " + std::to_string(names.size()) + " director" + (names.size() == 1 ? "y" : "ies") +
         " parts.json does not list: " + list +
         " (vmstorage deletes them at open; if they are garbage, remove them with --remove-unlisted NAME)";
}

Status mkdir_durable(const std::string& path) {
  if (fs::is_dir(path)) return Status::ok();
  const std::string parent = fs::dir_name(path);
  if (!parent.empty() && parent != path && parent != "." && parent != "/") VMT_TRY(mkdir_durable(parent));
  VMT_TRY(fs::mkdir_p(path));
  return fs::fsync_path(parent.empty() ? std::string(".") : parent);
}

Status remove_part_dirs(const std::vector<std::string>& paths, bool delete_marker) {
  static std::atomic<uint64_t> counter{now_ns()};
  std::vector<std::string> parents;
  for (const auto& path : paths) {
    if (delete_marker) {
      VMT_TRY(fs::write_file_sync(fs::join(path, kDeleteMarker), ByteView()));
      VMT_TRY(fs::fsync_path(path));
      VMT_TRY(fs::remove_all(path));
    } else {
      const std::string doomed = path + ".must-remove." + std::to_string(++counter);
      VMT_TRY(fs::rename(path, doomed));
      VMT_TRY(fs::remove_all(doomed));
    }
    const std::string parent = fs::dir_name(path);
    if (std::find(parents.begin(), parents.end(), parent) == parents.end()) parents.push_back(parent);
  }
  for (const auto& p : parents) VMT_TRY(fs::fsync_path(p));
  return Status::ok();
}


}  // namespace vmt::ops::merge_detail
