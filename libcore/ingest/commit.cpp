#include "ingest/commit.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include "base/crash_point.h"
#include "base/fs.h"
#include "layout/parts_json.h"
#include "layout/pending_parts.h"
#include "mergeset/table.h"

namespace vmt::ingest {

Status commit_import(TargetDir& dir, const std::vector<NewIndexPart>& index, const std::vector<NewDataPart>& data,
                     CommitHook hook) {
  // Fault injection for the e2e kill -9 test: VMT_IMPORT_COMMIT_DELAY_MS stretches every step.
  const char* delay_env = std::getenv("VMT_IMPORT_COMMIT_DELAY_MS");
  const int delay_ms = delay_env ? std::atoi(delay_env) : 0;
  auto step = [&](int n) {
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    return hook == nullptr || hook(n);
  };

  // 0. Journal every final name about to appear, so that a kill before the commit leaves parts
  // the next writer can prove ours (layout/pending_parts.h).
  std::vector<std::string> pending;
  for (const auto& ix : index) {
    // indexdb/<GEN> or, per-partition, data/indexdb/<P>.
    const std::string table = std::string(dir.per_partition() ? "data/indexdb/" : "indexdb/") + fs::base_name(ix.table_dir);
    pending.push_back(table + "/" + ix.name);
  }
  for (const auto& p : data) {
    pending.push_back(std::string("data/") + (p.big ? "big/" : "small/") + p.partition + "/" + p.name);
  }
  VMT_TRY(layout::add_pending_parts(dir.root(), pending));
  crash_point("commit.journaled");

  // 1. The indexdb part gets its final name (still unlisted).
  if (!step(1)) return Status::ok();
  for (const auto& ix : index) {
    VMT_TRY(fs::rename(ix.temp_dir, fs::join(ix.table_dir, ix.name)));
    VMT_TRY(fs::fsync_path(ix.table_dir));
  }
  crash_point("commit.index-renamed");
  // 2. The data parts get their final names, in small/ or big/ (still unlisted).
  if (!step(2)) return Status::ok();
  std::set<std::string> synced;
  for (const auto& p : data) {
    const std::string dst_dir = p.big ? dir.big_dir(p.partition) : dir.small_dir(p.partition);
    VMT_TRY(fs::rename(p.temp_dir, fs::join(dst_dir, p.name)));
    synced.insert(dst_dir);
    synced.insert(fs::dir_name(p.temp_dir));
  }
  for (const auto& d : synced) VMT_TRY(fs::fsync_path(d));
  crash_point("commit.data-renamed");

  // 3. Index commit.
  if (!step(3)) return Status::ok();
  for (const auto& ix : index) {
    VMT_ASSIGN_OR_RETURN(auto names, mergeset::read_part_names(ix.table_dir));
    names.push_back(ix.name);
    VMT_TRY(mergeset::write_part_names(ix.table_dir, names));
  }
  crash_point("commit.index-listed");

  // 4. Data commit, partition by partition.
  if (!step(4)) return Status::ok();
  std::map<std::string, std::vector<const NewDataPart*>> by_partition;
  for (const auto& p : data) by_partition[p.partition].push_back(&p);
  for (const auto& [partition, parts] : by_partition) {
    const std::string pj = fs::join(dir.small_dir(partition), "parts.json");
    VMT_ASSIGN_OR_RETURN(layout::DataPartsJson list, layout::read_data_parts_json(pj));
    for (const NewDataPart* p : parts) (p->big ? list.big : list.small).push_back(p->name);
    VMT_TRY(layout::write_data_parts_json(pj, list));
    crash_point("commit.partition-listed");
  }
  // 5. Everything is listed: the journal has nothing left to prove.
  return layout::remove_pending_parts(dir.root(), nullptr);
}

}  // namespace vmt::ingest
