// tsdb-merge: the work on one data partition (policy, force and final-dedup merges, stale parts),
// planned or done. See merge.h for the transaction.
#include <algorithm>
#include <future>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "base/crash_point.h"
#include "base/fs.h"
#include "layout/parts_json.h"
#include "layout/part_size.h"
#include "layout/pending_parts.h"
#include "ops/merge_internal.h"
#include "storage/merge_policy.h"
#include "storage/part_check.h"
#include "storage/part_reader.h"

namespace vmt::ops::merge_detail {

namespace {

using storage::PartHeader;

struct DataPart {
  std::string name;
  bool big = false;
  bool planned = false;   // a --dry-run output that does not exist
  PartHeader header;
  uint64_t size = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

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

Status PartitionJob::rewrite_affected() {
  static const std::vector<uint64_t> kNone;
  const std::vector<uint64_t>& deleted = env_.purge ? env_.deleted_for(p_.name) : kNone;
  const storage::SeriesRules* rules = env_.rules_for(p_.name);
  if (deleted.empty() && !rules) return Status::ok();
  const std::vector<DataPart> parts = parts_;
  std::vector<int64_t> ts, vals;
  for (const auto& d : parts) {
    if (env_.stopped()) return io_error(storage::kForciblyStopped);
    // What would go, block by block: deleted series from the headers alone; a rule's rows from
    // the block's timestamps (rules: each block as it is, so joined blocks may lose a few more).
    uint64_t del_rows = 0, rule_rows = 0, bytes = 0;
    storage::PartReader r;
    Status st = r.open(dir_of(d), env_.flavour.tenancy, display(d));
    for (bool eof = false; st.is_ok();) {
      storage::RawBlock rb;
      if (rules) {
        st = r.next_raw(rb, &eof);
      } else {
        st = r.next_header(rb.header, &eof);
      }
      if (!st.is_ok() || eof) break;
      const storage::BlockHeader& bh = rb.header;
      const uint64_t block_bytes = uint64_t(bh.timestamps_block_size) + bh.values_block_size +
                                   storage::BlockHeader::size(env_.flavour.tenancy);
      if (std::binary_search(deleted.begin(), deleted.end(), bh.tsid.metric_id)) {
        del_rows += bh.rows_count;
        bytes += block_bytes;
        continue;
      }
      const storage::SeriesRule* rule = rules ? rules->find(bh.tsid.metric_id) : nullptr;
      if (!rule || !rule->touches(bh.min_timestamp, rules->now_ms())) continue;
      st = storage::decode_timestamps(bh, rb.timestamps_data, ts, /*check_all_types=*/true);
      if (!st.is_ok()) {
        st = std::move(st).with_context(display(d) + ": block of TSID " + bh.tsid.to_string());
        break;
      }
      vals.assign(ts.size(), 0);
      const size_t left = storage::apply_series_rule(*rule, rules->now_ms(), ts.data(), vals.data(), ts.size(), nullptr);
      if (left == ts.size()) continue;
      rule_rows += ts.size() - left;
      bytes += block_bytes * (ts.size() - left) / std::max<size_t>(1, ts.size());
    }
    if (!st.is_ok()) {
      if (st.code() == Code::io_error) return std::move(st).with_context("reading " + display(d));
      VMT_TRY(hold_damaged({d}, {true}, std::move(st)));
      continue;
    }
    if (del_rows + rule_rows == 0) continue;
    const char* reason = rule_rows == 0 ? "delete" : del_rows == 0 ? "rules" : "delete+rules";
    if (env_.opt.dry_run) {
      MergeStep s = new_step({d}, "rewrite", reason);
      s.output_kind = d.big ? "big" : "small";
      s.estimated_bytes = d.size - std::min(d.size, bytes);
      s.would_drop = del_rows + rule_rows;
      s.would_drop_bytes = bytes;
      res_.steps.push_back(std::move(s));
      continue;
    }
    VMT_TRY(merge({d}, false, reason, "rewrite"));
  }
  return Status::ok();
}

// The sources merged into `tmp` (a new part directory), every source checked as verify checks a
// part in the merge's own pass. A damaged source fails the merge, or with --skip-damaged is held
// back (hold_damaged sets held_now_; nothing was written).
Status PartitionJob::write_merged(const std::vector<DataPart>& srcs, bool rewrite, const std::string& tmp,
                                  const std::string& ctx, MergeStep& s, DataPart& out) {
  // The index's TSIDs of the partition's scope, for every source's cross-check (storage/
  // part_check.h): read on another thread while the merge starts reading (cached for the next
  // merges of the scope).
  const storage::PendingIndexTsids index_tsids =
      std::async(std::launch::async, [this] { return env_.index_tsids(p_.name); }).share();
  std::vector<std::unique_ptr<storage::PartReader>> readers;
  std::vector<storage::PartReader*> ptrs;
  std::vector<PartHeader> headers;
  for (const auto& d : srcs) {
    readers.push_back(std::make_unique<storage::PartReader>());
    if (Status st = readers.back()->open(dir_of(d), env_.flavour.tenancy, display(d)); !st.is_ok()) {
      if (st.code() == Code::io_error) return std::move(st).with_context(ctx);
      std::vector<bool> damaged(srcs.size(), false);
      damaged[readers.size() - 1] = true;
      return hold_damaged(srcs, damaged, std::move(st));
    }
    ptrs.push_back(readers.back().get());
    headers.push_back(d.header);
  }
  storage::BlockMergeOptions bo;
  bo.dedup_interval_ms = env_.opt.dedup_interval_ms;
  bo.retention_deadline_ms = env_.retention_deadline_ms;
  bo.deleted_metric_ids = env_.deleted_for(p_.name);
  bo.series_rules = env_.rules_for(p_.name);
  bo.stop = env_.stop;
  bo.background_writer = env_.background_writer;
  uint64_t reported = 0;
  bo.on_progress = [&](const storage::BlockMergeStats& st) {
    env_.rows_done.fetch_add(st.rows_in - reported, std::memory_order_relaxed);
    reported = st.rows_in;
  };
  // Every source checked as verify checks a part, in the merge's own pass (storage/part_check.h).
  std::vector<storage::CheckedPartSource> checked;
  checked.reserve(ptrs.size());
  for (auto* r : ptrs) checked.emplace_back(r, index_tsids);
  std::vector<storage::BlockSource*> sources;
  for (auto& c : checked) sources.push_back(&c);
  bo.check_copied_blocks = true;
  storage::PartWriter w;
  // A rewrite exists to make the part smaller: never below level 1, as the import writes parts
  // (the merge rule picks negative levels for short blocks, which would grow a part we only cut).
  int level = storage::compress_level_for_sources(headers);
  if (rewrite) level = std::max(level, 1);
  Status st = w.open_dir(tmp, env_.flavour.tenancy, level);
  if (st.is_ok()) st = storage::merge_block_streams(sources, w, bo, &s.stats);
  // §7.1: the interval every block of the new part was written with.
  if (st.is_ok()) st = w.close(env_.opt.dedup_interval_ms);
  if (!st.is_ok()) {
    (void)fs::remove_all(tmp);   // unlisted anyway; the next run or vmstorage would remove it
    std::vector<bool> damaged;
    for (const auto& c : checked) damaged.push_back(c.damaged);
    if (std::find(damaged.begin(), damaged.end(), true) == damaged.end()) return std::move(st).with_context(ctx);
    return hold_damaged(srcs, damaged, std::move(st));
  }
  s.output_blocks = w.part_header().blocks_count;
  s.output_rows = w.part_header().rows_count;
  out.header = w.part_header();
  return Status::ok();
}

// The merged part `tmp` takes the sources' place, crash-safely: journaled, renamed, listed (the
// commit point), then the sources removed. A merge that kept no row lists nothing new.
Status PartitionJob::install(const std::vector<DataPart>& srcs, const std::string& parent, const std::string& tmp,
                             const std::string& ctx, MergeStep& s, DataPart& out) {
  const DataPart* added = nullptr;
  if (s.output_rows == 0) {
    VMT_TRY(journal(srcs, nullptr));
    VMT_TRY(fs::remove_all(tmp));   // §15.A step 6: nothing to register
    VMT_TRY(fs::fsync_path(parent));
  } else {
    const std::string final_dir = fs::join(parent, out.name);
    VMT_TRY(journal(srcs, &out));
    crash_point("merge.journaled");
    VMT_TRY(fs::rename(tmp, final_dir));
    VMT_TRY(fs::fsync_path(parent));
    crash_point("merge.renamed");
    VMT_ASSIGN_OR_RETURN(out.size, layout::part_size(final_dir));
    s.output_name = out.name;
    s.output_bytes = out.size;
    added = &out;
  }
  replace(srcs, added);
  VMT_TRY_CTX(write_parts_json(), ctx);   // the commit point
  crash_point("merge.listed");
  std::vector<std::string> dirs;
  for (const auto& d : srcs) dirs.push_back(dir_of(d));
  VMT_TRY_CTX(remove_part_dirs(dirs, env_.flavour.delete_marker()), ctx + " (after the commit)");
  crash_point("merge.removed");
  return Status::ok();
}

Status PartitionJob::merge(std::vector<DataPart> srcs, bool is_final, const char* reason, const char* action) {
  held_now_ = false;
  MergeStep s = new_step(srcs, action, reason);
  const storage::MemoryLimits mem = storage::memory_limits(env_.memory_total);
  const uint64_t max_small = storage::max_small_part_size(mem.remaining, env_.free_bytes(p_.small_dir), env_.cpus);
  const storage::PartType type = storage::dst_part_type(
      s.estimated_bytes, is_final, /*any_file_part=*/true, max_small, storage::max_inmemory_part_size(mem.allowed));
  const bool rewrite = std::string(action) == "rewrite";
  DataPart out;
  out.big = rewrite ? srcs.at(0).big : type == storage::PartType::kBig;
  s.output_kind = out.big ? "big" : "small";

  if (env_.opt.dry_run) {
    out.planned = true;
    out.size = s.estimated_bytes;
    out.header.min_dedup_interval = env_.opt.dedup_interval_ms;
    for (const auto& d : srcs) {
      out.header.rows_count += d.header.rows_count;
      out.header.blocks_count += d.header.blocks_count;
      out.header.min_timestamp = std::min(out.header.min_timestamp, d.header.min_timestamp);
      out.header.max_timestamp = std::max(out.header.max_timestamp, d.header.max_timestamp);
    }
    out.name = "(planned)#" + std::to_string(res_.steps.size());
    replace(srcs, &out);
    res_.steps.push_back(std::move(s));
    return Status::ok();
  }

  const auto t0 = std::chrono::steady_clock::now();
  out.name = namer_.next();
  const std::string parent = out.big ? p_.big_dir : p_.small_dir;
  VMT_TRY(mkdir_durable(parent));
  const std::string tmp = fs::join(parent, kTempPrefix + out.name);
  const std::string ctx = "merging " + std::to_string(srcs.size()) + " parts of partition " + p_.name;
  VMT_TRY(write_merged(srcs, rewrite, tmp, ctx, s, out));
  if (held_now_) return Status::ok();   // --skip-damaged held a source back: choose again without it
  VMT_TRY(install(srcs, parent, tmp, ctx, s, out));
  s.done = true;
  s.seconds = seconds_since(t0);
  res_.steps.push_back(std::move(s));
  return Status::ok();
}

}  // namespace

TableResult run_partition(Env& env, const layout::Partition& p) { return PartitionJob(env, p).run(); }

}  // namespace vmt::ops::merge_detail
