// tsdb-merge's work on one data partition (merge_data.cpp: the policy, force and final-dedup
// merges, stale parts; merge_data_step.cpp: one merge or rewrite, checked and installed
// crash-safely). Private to ops/merge_*.cpp; merge.h has the transaction.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "layout/storage_dir.h"
#include "ops/merge_internal.h"
#include "storage/merge_policy.h"
#include "storage/part_header.h"

namespace vmt::ops::merge_detail {

struct DataPart {
  std::string name;
  bool big = false;
  bool planned = false;   // a --dry-run output that does not exist
  storage::PartHeader header;
  uint64_t size = 0;
};

class PartitionJob {
 public:
  PartitionJob(Env& env, const layout::Partition& p) : env_(env), p_(p) {}

  TableResult run() {
    res_.status = run_inner();
    return std::move(res_);
  }

 private:
  Status run_inner();
  Status prepare();
  Status drop_stale();
  Status policy_loop();
  Status force(const char* reason);
  // action "rewrite": one part, its output kept small or big as the source was.
  Status merge(std::vector<DataPart> srcs, bool is_final, const char* reason, const char* action = "merge");
  Status write_merged(const std::vector<DataPart>& srcs, bool rewrite, const std::string& tmp, const std::string& ctx,
                      MergeStep& s, DataPart& out);
  Status install(const std::vector<DataPart>& srcs, const std::string& parent, const std::string& tmp,
                 const std::string& ctx, MergeStep& s, DataPart& out);
  // --delete, --retention-filter, --downsample: every part with blocks of deleted MetricIDs or
  // rows a series rule drops rewritten alone without them.
  Status rewrite_affected();
  Status write_parts_json();
  // Adds to tsdb-tools.pending every directory whose listing the next commit changes: the output
  // about to be renamed to its final name and the sources about to be unlisted. A kill before the
  // commit leaves an unlisted output, after it unlisted sources; either is then provably ours.
  Status journal(const std::vector<DataPart>& srcs, const DataPart* out) {
    std::vector<std::string> rels;
    for (const auto& d : srcs) rels.push_back(display(d));
    if (out) rels.push_back(display(*out));
    return layout::add_pending_parts(env_.opt.dir, rels);
  }
  // After a merge failed on damaged sources (storage/part_check.h): stop the partition, or with
  // --skip-damaged move them to held_ (listed, never merged again) and go on without them.
  Status hold_damaged(const std::vector<DataPart>& srcs, const std::vector<bool>& damaged, Status st);
  void replace(const std::vector<DataPart>& srcs, const DataPart* added);
  std::string dir_of(const DataPart& d) const { return fs::join(d.big ? p_.big_dir : p_.small_dir, d.name); }
  std::string display(const DataPart& d) const {
    return std::string("data/") + (d.big ? "big/" : "small/") + p_.name + "/" + d.name;
  }
  MergeStep new_step(const std::vector<DataPart>& srcs, const char* action, const char* reason) const;
  std::vector<storage::PolicyPart> policy_parts() const {
    std::vector<storage::PolicyPart> pp;
    for (const auto& d : parts_) pp.push_back({d.size, d.header.min_timestamp});
    return pp;
  }
  std::vector<DataPart> pick(const std::vector<size_t>& idx) const {
    std::vector<DataPart> out;
    for (size_t i : idx) out.push_back(parts_[i]);
    return out;
  }

  Env& env_;
  const layout::Partition& p_;
  TableResult res_;
  std::vector<DataPart> parts_;
  std::vector<DataPart> held_;   // damaged parts left as they are (--skip-damaged)
  bool held_now_ = false;        // the last merge() held parts back instead of merging
  PartNamer namer_;
};

}  // namespace vmt::ops::merge_detail
