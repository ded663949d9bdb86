// tsdb-merge --indexdb: the parts of one indexdb generation table merged by the mergeset policy
// with indexdb's tag-row callback (mergeset.md §11, §13). Same transaction as data parts
// (merge.h), on the table's parts.json.
#include <algorithm>
#include <chrono>

#include "base/fs.h"
#include "indexdb/tag_rows_merge.h"
#include "mergeset/merge.h"
#include "mergeset/merge_policy.h"
#include "mergeset/table.h"
#include "layout/part_size.h"
#include "layout/pending_parts.h"
#include "ops/merge_internal.h"

namespace vmt::ops::merge_detail {

namespace {

class TableJob {
 public:
  TableJob(Env& env, const layout::IndexTable& g) : env_(env), g_(g), table_(g.rel) {}

  TableResult run() {
    res_.status = run_inner();
    return std::move(res_);
  }

 private:
  Status run_inner();
  Status merge(const std::vector<size_t>& idx, const char* reason);
  std::vector<uint64_t> sizes() const {
    std::vector<uint64_t> s;
    for (const auto& p : parts_) s.push_back(p.size_bytes);
    return s;
  }
  uint64_t max_out() const {
    // mergeset.md §13.1: min(400e9, free / mergeWorkers), mergeWorkers = max(4, CPUs).
    return std::min<uint64_t>(mergeset::kMaxPartSize, env_.free_bytes(g_.path) / std::max(4u, env_.cpus));
  }

  Env& env_;
  const layout::IndexTable& g_;
  std::string table_;
  TableResult res_;
  std::vector<mergeset::TablePart> parts_;
  PartNamer namer_;
  uint64_t planned_ = 0;
};

Status TableJob::run_inner() {
  if (g_.role == "stale") return Status::ok();   // vmstorage deletes tables older than the last three
  if (!env_.opt.dry_run) {
    std::vector<std::string> listed;
    for (const auto& e : g_.parts) {
      if (e.listed) listed.push_back(e.name);
    }
    std::vector<std::string> foreign;
    VMT_TRY(remove_leftovers(g_.path, g_.has_parts_json ? &listed : nullptr, &foreign));
    if (!foreign.empty()) res_.warnings.push_back(unlisted_warning(table_, foreign));
  }
  VMT_ASSIGN_OR_RETURN(parts_, mergeset::list_parts(g_.path));
  parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                              [](const mergeset::TablePart& p) { return p.name.rfind(kTempPrefix, 0) == 0; }),
               parts_.end());
  VMT_TRY(namer_.init({g_.path}, env_.opt.name_seed_ns));
  if (!g_.has_parts_json && !env_.opt.dry_run) {
    std::vector<std::string> names;
    for (const auto& p : parts_) names.push_back(p.name);
    VMT_TRY(mergeset::write_part_names(g_.path, names));   // as the server does at open (§3.3)
  }
  for (;;) {
    if (env_.stopped()) return io_error(storage::kForciblyStopped);
    std::vector<size_t> sel;
    switch (env_.opt.mode) {
      case MergeMode::kPolicy:
        mergeset::append_parts_to_merge(sel, sizes(), mergeset::kDefaultPartsToMerge, max_out());
        if (sel.empty()) return Status::ok();
        VMT_TRY(merge(sel, "policy"));
        break;
      case MergeMode::kFinal:
        for (size_t n = mergeset::kDefaultPartsToMerge; sel.empty() && n >= mergeset::kFinalPartsToMerge; --n) {
          mergeset::append_parts_to_merge(sel, sizes(), n, max_out());
        }
        if (sel.empty()) return Status::ok();
        VMT_TRY(merge(sel, "final"));
        break;
      case MergeMode::kForce: {
        // ForceMergeAllParts: all parts, smallest first, chunks of 15; refused without disk space.
        if (parts_.empty()) return Status::ok();
        uint64_t total = 0;
        for (const auto& p : parts_) total += p.size_bytes;
        const uint64_t free_bytes = env_.free_bytes(g_.path);
        if (total > free_bytes) {
          res_.warnings.push_back(table_ + ": force merge skipped: the parts take " + std::to_string(total) +
                                  " bytes, more than the " + std::to_string(free_bytes) + " bytes free");
          ++res_.skipped;
          return Status::ok();
        }
        std::vector<size_t> order(parts_.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return parts_[a].size_bytes < parts_[b].size_bytes; });
        std::vector<std::vector<std::string>> chunks;
        for (size_t i = 0; i < order.size(); i += mergeset::kDefaultPartsToMerge) {
          chunks.emplace_back();
          for (size_t k = i; k < std::min(order.size(), i + mergeset::kDefaultPartsToMerge); ++k) {
            chunks.back().push_back(parts_[order[k]].name);
          }
        }
        for (const auto& c : chunks) {
          std::vector<size_t> idx;
          for (const auto& name : c) {
            for (size_t i = 0; i < parts_.size(); ++i) {
              if (parts_[i].name == name) idx.push_back(i);
            }
          }
          VMT_TRY(merge(idx, "force"));
        }
        return Status::ok();
      }
    }
  }
}

Status TableJob::merge(const std::vector<size_t>& idx, const char* reason) {
  MergeStep s;
  s.table = table_;
  s.action = "merge";
  s.reason = reason;
  s.output_kind = "indexdb";
  std::vector<std::string> src_dirs;
  std::vector<mergeset::TablePart> srcs;
  for (size_t i : idx) {
    const auto& p = parts_[i];
    s.inputs.push_back({p.path.empty() ? "(planned)" : p.name, "indexdb", p.header.items_count, p.size_bytes, 0});
    s.estimated_bytes += p.size_bytes;
    src_dirs.push_back(p.path);
    srcs.push_back(p);
  }
  auto replace = [&](const mergeset::TablePart* added) {
    parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                                [&](const mergeset::TablePart& p) {
                                  for (const auto& x : srcs) {
                                    if (x.name == p.name) return true;
                                  }
                                  return false;
                                }),
                 parts_.end());
    if (added) parts_.push_back(*added);
  };
  mergeset::TablePart out;
  if (env_.opt.dry_run) {
    out.name = "(planned)#" + std::to_string(planned_++);
    out.size_bytes = s.estimated_bytes;
    for (const auto& p : srcs) out.header.items_count += p.header.items_count;
    replace(&out);
    res_.steps.push_back(std::move(s));
    return Status::ok();
  }
  const auto t0 = std::chrono::steady_clock::now();
  out.name = namer_.next();
  const std::string tmp = fs::join(g_.path, kTempPrefix + out.name);
  const std::string ctx = "merging " + std::to_string(srcs.size()) + " parts of " + table_;
  Status cb_status;
  mergeset::MergeOptions mo;
  mo.prepare_block = [&cb_status, tenancy = env_.flavour.tenancy](const mergeset::Items& in, mergeset::Items& o) {
    Status st = indexdb::merge_tag_to_metric_ids_rows(in, o, tenancy);
    if (!st.is_ok()) {
      if (cb_status.is_ok()) cb_status = st;   // vmstorage panics on a tag row it cannot parse
      return false;
    }
    return true;
  };
  mergeset::MergeStats ms;
  Status st = mergeset::merge_part_dirs(src_dirs, tmp, mo, &ms);
  if (st.is_ok() && !cb_status.is_ok()) st = cb_status;
  if (!st.is_ok()) {
    (void)fs::remove_all(tmp);
    return std::move(st).with_context(ctx);
  }
  const std::string final_dir = fs::join(g_.path, out.name);
  {
    // As PartitionJob::journal (merge_data.cpp): the output and the sources the commit unlists.
    std::vector<std::string> rels{g_.rel + "/" + out.name};
    for (const auto& p : srcs) rels.push_back(g_.rel + "/" + p.name);
    VMT_TRY(layout::add_pending_parts(env_.opt.dir, rels));
  }
  VMT_TRY(fs::rename(tmp, final_dir));
  VMT_TRY(fs::fsync_path(g_.path));
  out.path = final_dir;
  VMT_ASSIGN_OR_RETURN(out.header, mergeset::read_part_header(final_dir));
  VMT_ASSIGN_OR_RETURN(out.size_bytes, layout::part_size(final_dir));
  replace(&out);
  std::vector<std::string> names;
  for (const auto& p : parts_) names.push_back(p.name);
  VMT_TRY_CTX(mergeset::write_part_names(g_.path, names), ctx);   // the commit point
  std::vector<std::string> dirs;
  for (const auto& p : srcs) dirs.push_back(p.path);
  VMT_TRY_CTX(remove_part_dirs(dirs, env_.flavour.delete_marker()), ctx + " (after the commit)");
  s.done = true;
  s.output_name = out.name;
  s.output_rows = ms.items_out;
  s.output_blocks = ms.blocks_out;
  s.output_bytes = out.size_bytes;
  s.stats.rows_in = ms.items_in;
  s.stats.rows_out = ms.items_out;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  env_.rows_done.fetch_add(ms.items_in, std::memory_order_relaxed);
  res_.steps.push_back(std::move(s));
  return Status::ok();
}

}  // namespace

TableResult run_table(Env& env, const layout::IndexTable& g) { return TableJob(env, g).run(); }

}  // namespace vmt::ops::merge_detail
