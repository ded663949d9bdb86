// tsdb-merge: the work on one data partition (policy, force and final-dedup merges, stale parts),
// planned or done. See merge.h for the transaction, merge_data_step.cpp for one merge.
#include <algorithm>

#include "base/fs.h"
#include "layout/parts_json.h"
#include "layout/part_size.h"
#include "layout/pending_parts.h"
#include "ops/merge_partition.h"
#include "storage/part_reader.h"

namespace vmt::ops::merge_detail {

using storage::PartHeader;

Status PartitionJob::run_inner() {
  VMT_TRY(prepare());
  VMT_TRY(drop_stale());
  VMT_TRY(rewrite_affected());
  switch (env_.opt.mode) {
    case MergeMode::kRewrite: return Status::ok();
    case MergeMode::kPolicy: return policy_loop();
    case MergeMode::kForce: return force("force");
    case MergeMode::kFinal: {
      // finalDedupWatcher (§7.3): not the current UTC month; min(MinDedupInterval) of the file
      // parts (0 when there are none) below the configured interval.
      if (p_.name == layout::partition_name_for(env_.now_ms)) return Status::ok();
      int64_t actual = 0;
      for (size_t i = 0; i < parts_.size(); ++i) {
        actual = i == 0 ? parts_[i].header.min_dedup_interval : std::min(actual, parts_[i].header.min_dedup_interval);
      }
      if (env_.opt.dedup_interval_ms > actual) return force("final-dedup");
      return Status::ok();
    }
  }
  return Status::ok();
}

Status PartitionJob::prepare() {
  if (!p_.name_valid) {
    return corruption("data/small/" + p_.name + ": not a YYYY_MM partition name (vmstorage panics at open)");
  }
  const bool dry = env_.opt.dry_run;
  if (!dry) {
    // Our own leftovers go; an unlisted directory nobody can vouch for stays (merge.h).
    std::vector<std::string> foreign;
    for (const bool big : {false, true}) {
      const std::string& d = big ? p_.big_dir : p_.small_dir;
      if (!fs::is_dir(d)) continue;
      std::vector<std::string> listed;
      for (const auto& e : p_.parts) {
        if (e.listed && e.big == big) listed.push_back(e.name);
      }
      VMT_TRY(remove_leftovers(d, p_.has_parts_json ? &listed : nullptr, &foreign));
    }
    if (!foreign.empty()) res_.warnings.push_back(unlisted_warning("data/*/" + p_.name, foreign));
  }
  for (const auto& e : p_.parts) {
    if (!e.listed || e.name.rfind(kTempPrefix, 0) == 0) continue;   // unlisted: garbage for the server
    if (!e.exists) {
      return corruption(e.path + ": listed in parts.json but missing (vmstorage panics at open); "
                        "not merging partition " + p_.name);
    }
    DataPart d;
    d.name = e.name;
    d.big = e.big;
    VMT_ASSIGN_OR_RETURN(d.header, PartHeader::read_dir(e.path, display(d)));
    VMT_ASSIGN_OR_RETURN(d.size, layout::part_size(e.path));
    parts_.push_back(std::move(d));
  }
  VMT_TRY(namer_.init({p_.small_dir, p_.big_dir}, env_.opt.name_seed_ns));
  if (!p_.has_parts_json && !dry) {
    // Without parts.json the server takes every subdirectory as a part (data-part.md §16) and
    // writes parts.json at open: do that first, so our temporary directory is never mistaken for
    // a part if we are killed.
    VMT_TRY(mkdir_durable(p_.small_dir));
    VMT_TRY(write_parts_json());
  }
  return Status::ok();
}

Status PartitionJob::write_parts_json() {
  layout::DataPartsJson pj;
  for (const auto& d : parts_) (d.big ? pj.big : pj.small).push_back(d.name);
  for (const auto& d : held_) (d.big ? pj.big : pj.small).push_back(d.name);
  return layout::write_data_parts_json(fs::join(p_.small_dir, "parts.json"), pj);
}

void PartitionJob::replace(const std::vector<DataPart>& srcs, const DataPart* added) {
  auto gone = [&](const DataPart& d) {
    for (const auto& s : srcs) {
      if (s.name == d.name && s.big == d.big) return true;
    }
    return false;
  };
  parts_.erase(std::remove_if(parts_.begin(), parts_.end(), gone), parts_.end());
  if (added) parts_.push_back(*added);
}

MergeStep PartitionJob::new_step(const std::vector<DataPart>& srcs, const char* action, const char* reason) const {
  MergeStep s;
  s.table = p_.name;
  s.action = action;
  s.reason = reason;
  for (const auto& d : srcs) {
    s.inputs.push_back({d.planned ? "(planned)" : d.name, d.big ? "big" : "small", d.header.rows_count, d.size,
                        d.header.min_dedup_interval});
    s.estimated_bytes += d.size;
  }
  return s;
}

Status PartitionJob::drop_stale() {
  // The stale-parts remover (§8): whole parts older than the deadline go without a merge.
  std::vector<DataPart> stale;
  for (const auto& d : parts_) {
    if (d.header.max_timestamp < env_.retention_deadline_ms) stale.push_back(d);
  }
  if (stale.empty()) return Status::ok();
  MergeStep s = new_step(stale, "drop", "retention");
  s.estimated_bytes = 0;
  replace(stale, nullptr);
  if (!env_.opt.dry_run) {
    const auto t0 = std::chrono::steady_clock::now();
    VMT_TRY(journal(stale, nullptr));
    VMT_TRY(write_parts_json());   // commit
    std::vector<std::string> dirs;
    for (const auto& d : stale) dirs.push_back(dir_of(d));
    VMT_TRY(remove_part_dirs(dirs, env_.flavour.delete_marker()));
    s.done = true;
    s.seconds = seconds_since(t0);
  }
  for (const auto& d : stale) s.rows_dropped_retention += d.header.rows_count;
  res_.steps.push_back(std::move(s));
  return Status::ok();
}

Status PartitionJob::hold_damaged(const std::vector<DataPart>& srcs, const std::vector<bool>& damaged, Status st) {
  if (!env_.opt.skip_damaged) {
    return corruption(st.message() + "; partition " + p_.name + " is not merged further, so that the damage is not "
                      "carried into a new part (tsdb-inspect verify lists all of it; --skip-damaged merges the other "
                      "parts)");
  }
  std::vector<DataPart> bad;
  for (size_t i = 0; i < srcs.size(); ++i) {
    if (damaged[i]) bad.push_back(srcs[i]);
  }
  for (const auto& d : bad) {
    res_.warnings.push_back(display(d) + ": damaged, left in place, listed and not merged (--skip-damaged): " +
                            st.message());
    ++res_.damaged;
    held_.push_back(d);
  }
  replace(bad, nullptr);
  held_now_ = true;
  return Status::ok();
}

Status PartitionJob::policy_loop() {
  for (;;) {
    if (env_.stopped()) return io_error(storage::kForciblyStopped);
    const uint64_t max_out = storage::max_big_part_size(env_.free_bytes(p_.big_dir));
    std::vector<size_t> sel = storage::get_parts_to_merge(policy_parts(), max_out, /*is_final=*/false);
    if (sel.empty()) return Status::ok();
    VMT_TRY(merge(pick(sel), false, "policy"));   // with a part held back: choose again without it
  }
}

Status PartitionJob::force(const char* reason) {
  if (parts_.empty()) return Status::ok();
  uint64_t total = 0;
  for (const auto& d : parts_) total += d.size;
  const uint64_t free_big = env_.free_bytes(p_.big_dir);
  if (total > free_big) {
    // ForceMergeAllParts (§10 step 2): warn and leave the partition alone.
    res_.warnings.push_back(p_.name + ": force merge skipped: the parts take " + std::to_string(total) +
                            " bytes, more than the " + std::to_string(free_big) + " bytes free in " + p_.big_dir);
    ++res_.skipped;
    return Status::ok();
  }
  std::vector<std::vector<DataPart>> chunks;
  for (const auto& c : storage::optimal_merge_chunks(policy_parts())) chunks.push_back(pick(c));
  for (auto& c : chunks) {
    if (env_.stopped()) return io_error(storage::kForciblyStopped);
    VMT_TRY(merge(std::move(c), true, reason));
    if (held_now_) return force(reason);   // chunk the parts again without the held one
  }
  return Status::ok();
}

TableResult run_partition(Env& env, const layout::Partition& p) { return PartitionJob(env, p).run(); }

}  // namespace vmt::ops::merge_detail
