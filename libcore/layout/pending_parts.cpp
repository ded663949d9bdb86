#include "layout/pending_parts.h"

#include <algorithm>
#include <mutex>
#include <sstream>

#include "base/fs.h"
#include "layout/parts_json.h"
#include "mergeset/table.h"

namespace vmt::layout {

namespace {

constexpr uint64_t kMaxJournalSize = 16 << 20;
std::mutex journal_mu;  // add_pending_parts from parallel merge jobs

std::vector<std::string> split_path(const std::string& p) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : p) {
    if (c == '/') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

// Where an entry's listing lives: the parts.json path and which list ("" for a table's array,
// "Small" or "Big"). False when the path is not a part directory of the layout.
bool listing_of(const std::string& root, const std::string& rel, std::string* parts_json, std::string* list) {
  const auto c = split_path(rel);
  for (const auto& s : c) {
    if (!mergeset::is_valid_part_name(s)) return false;
  }
  if (c.size() == 4 && c[0] == "data" && (c[1] == "small" || c[1] == "big")) {
    *parts_json = fs::join(root, "data/small/" + c[2] + "/parts.json");
    *list = c[1] == "small" ? "Small" : "Big";
    return true;
  }
  if ((c.size() == 3 && c[0] == "indexdb") || (c.size() == 4 && c[0] == "data" && c[1] == "indexdb")) {
    *parts_json = fs::join(root, rel.substr(0, rel.rfind('/')) + "/parts.json");
    list->clear();
    return true;
  }
  return false;
}

Status write_journal(const std::string& root, const std::set<std::string>& paths) {
  Bytes text;
  for (const auto& p : paths) text += p + "\n";
  return fs::write_file_atomic(fs::join(root, kPendingPartsFile), text);
}

}  // namespace

Result<std::set<std::string>> read_pending_parts(const std::string& root) {
  const std::string path = fs::join(root, kPendingPartsFile);
  std::set<std::string> out;
  if (!fs::exists(path)) return out;
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, kMaxJournalSize));
  std::istringstream in(text);
  std::string line, pj, list;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (!listing_of(root, line, &pj, &list)) {
      return corruption(path + ": line " + std::to_string(n) + ": \"" + line +
                        "\" is not a part directory of the storage layout");
    }
    out.insert(line);
  }
  return out;
}

Status add_pending_parts(const std::string& root, const std::vector<std::string>& paths) {
  std::lock_guard<std::mutex> g(journal_mu);
  VMT_ASSIGN_OR_RETURN(auto all, read_pending_parts(root));
  all.insert(paths.begin(), paths.end());
  return write_journal(root, all);
}

Status remove_pending_parts(const std::string& root, std::vector<std::string>* removed) {
  std::lock_guard<std::mutex> g(journal_mu);
  VMT_ASSIGN_OR_RETURN(auto all, read_pending_parts(root));
  if (all.empty()) return Status::ok();
  std::set<std::string> kept;
  for (const auto& rel : all) {
    std::string pj, list;
    (void)listing_of(root, rel, &pj, &list);
    const std::string dir = fs::join(root, rel);
    if (!fs::exists(dir)) continue;
    if (!fs::exists(pj)) {
      kept.insert(rel);
      continue;
    }
    std::vector<std::string> names;
    if (list.empty()) {
      auto t = read_table_parts_json(pj);
      if (!t.is_ok()) {
        kept.insert(rel);
        continue;
      }
      names = std::move(t->parts);
    } else {
      auto d = read_data_parts_json(pj);
      if (!d.is_ok()) {
        kept.insert(rel);
        continue;
      }
      names = list == "Small" ? std::move(d->small) : std::move(d->big);
    }
    const std::string name = fs::base_name(dir);
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;   // committed
    VMT_TRY(fs::remove_all(dir));
    VMT_TRY(fs::fsync_path(fs::dir_name(dir)));
    if (removed) removed->push_back(rel);
  }
  if (!kept.empty()) return write_journal(root, kept);
  const std::string path = fs::join(root, kPendingPartsFile);
  VMT_TRY(fs::remove_all(path));
  return fs::fsync_path(root);
}

}  // namespace vmt::layout
