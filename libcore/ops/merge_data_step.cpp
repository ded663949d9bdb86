// tsdb-merge: one merge of data parts (or the rewrite of one part without deleted series and the
// rows of series rules): every source checked in the merge's own pass, the output installed
// crash-safely. See merge.h for the transaction.
#include <algorithm>
#include <future>
#include <memory>

#include "base/crash_point.h"
#include "base/fs.h"
#include "layout/part_size.h"
#include "ops/merge_partition.h"
#include "storage/part_check.h"
#include "storage/part_reader.h"

namespace vmt::ops::merge_detail {

using storage::PartHeader;

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

}  // namespace vmt::ops::merge_detail
