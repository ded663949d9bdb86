// tsdb-merge --indexdb: the parts of one indexdb generation table merged by the mergeset policy
// with indexdb's tag-row callback (mergeset.md §11, §13). Same transaction as data parts
// (merge.h), on the table's parts.json.
#include <algorithm>
#include <chrono>

#include "base/clock.h"
#include "base/crash_point.h"
#include "base/fs.h"
#include "indexdb/series_purge.h"
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
  // action "rewrite": one part without the items of deleted series.
  Status merge(const std::vector<size_t>& idx, const char* reason, const char* action = "merge");
  void take_inputs(const std::vector<size_t>& idx, MergeStep& s, std::vector<std::string>& src_dirs,
                   std::vector<mergeset::TablePart>& srcs) const;
  void replace(const std::vector<mergeset::TablePart>& srcs, const mergeset::TablePart* added);
  mergeset::MergeOptions merge_options(const char* action, const std::vector<mergeset::TablePart>& srcs,
                                       Status* cb_status, std::unique_ptr<indexdb::SeriesPurge>* purge) const;
  Status install(const std::string& tmp, const std::vector<mergeset::TablePart>& srcs, const mergeset::MergeStats& ms,
                 const std::string& ctx, mergeset::TablePart& out);
  // --delete: every part that mentions a deleted series rewritten alone without it.
  Status purge_deleted();
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
    // Read now, not from the directory's first listing: --delete may have added a part since.
    std::vector<std::string> listed;
    if (g_.has_parts_json) {
      VMT_ASSIGN_OR_RETURN(listed, mergeset::read_part_names(g_.path));
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
  if (env_.purge) VMT_TRY(purge_deleted());
  if (!env_.opt.indexdb || env_.opt.mode == MergeMode::kRewrite) return Status::ok();
  for (;;) {
    if (env_.stopped()) return io_error(storage::kForciblyStopped);
    std::vector<size_t> sel;
    switch (env_.opt.mode) {
      case MergeMode::kRewrite: return Status::ok();
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

Status TableJob::purge_deleted() {
  const std::vector<uint64_t>& deleted = env_.deleted_for_table(g_);
  if (deleted.empty()) return Status::ok();
  const std::vector<mergeset::TablePart> parts = parts_;
  for (const auto& p : parts) {
    if (env_.stopped()) return io_error(storage::kForciblyStopped);
    // A read-only pass first: most parts of a big table may mention none of the deleted series.
    indexdb::SeriesPurge purge(deleted, env_.flavour.tenancy);
    const mergeset::ItemEmit ignore = [](ByteView) { return Status::ok(); };
    VMT_ASSIGN_OR_RETURN(auto pr, mergeset::PartReader::open(p.path));
    Status st = pr->seek_to_first();
    while (st.is_ok() && pr->valid()) {
      st = purge.push(pr->item(), ignore);
      if (st.is_ok()) st = pr->next();
    }
    if (st.is_ok()) st = purge.finish(ignore);
    if (!st.is_ok()) return std::move(st).with_context(g_.rel + "/" + p.name);
    if (!purge.stats().changed()) continue;
    size_t i = 0;
    while (parts_[i].name != p.name) ++i;
    if (env_.opt.dry_run) {
      MergeStep s;
      s.table = table_;
      s.action = "rewrite";
      s.reason = "delete";
      s.output_kind = "indexdb";
      s.inputs.push_back({p.name, "indexdb", p.header.items_count, p.size_bytes, 0});
      s.estimated_bytes = p.size_bytes;
      s.would_drop = purge.stats().items_dropped;
      res_.steps.push_back(std::move(s));
      continue;
    }
    VMT_TRY(merge({i}, "delete", "rewrite"));
  }
  return Status::ok();
}

// The step's inputs: the parts at `idx`, their directories, and the sizes and counts the step reports.
void TableJob::take_inputs(const std::vector<size_t>& idx, MergeStep& s, std::vector<std::string>& src_dirs,
                           std::vector<mergeset::TablePart>& srcs) const {
  for (size_t i : idx) {
    const auto& p = parts_[i];
    s.inputs.push_back({p.path.empty() ? "(planned)" : p.name, "indexdb", p.header.items_count, p.size_bytes, 0});
    s.estimated_bytes += p.size_bytes;
    src_dirs.push_back(p.path);
    srcs.push_back(p);
  }
}

// The sources leave the table's list of parts, and `added` (when any) joins it.
void TableJob::replace(const std::vector<mergeset::TablePart>& srcs, const mergeset::TablePart* added) {
  parts_.erase(std::remove_if(parts_.begin(), parts_.end(),
                              [&](const mergeset::TablePart& p) {
                                for (const auto& x : srcs) {
                                  if (x.name == p.name) return true;
                                }
                                return false;
                              }),
               parts_.end());
  if (added) parts_.push_back(*added);
}

// The server's merge callback (a tag row it cannot parse is an error: vmstorage panics), --delete's
// purge, and a rewrite's compression level floor.
mergeset::MergeOptions TableJob::merge_options(const char* action, const std::vector<mergeset::TablePart>& srcs,
                                               Status* cb_status, std::unique_ptr<indexdb::SeriesPurge>* purge) const {
  mergeset::MergeOptions mo;
  mo.prepare_block = [cb_status, tenancy = env_.flavour.tenancy](const mergeset::Items& in, mergeset::Items& o) {
    Status st = indexdb::merge_tag_to_metric_ids_rows(in, o, tenancy);
    if (!st.is_ok()) {
      if (cb_status->is_ok()) *cb_status = st;
      return false;
    }
    return true;
  };
  // --delete: the items of deleted series are left out of every index merge (series_purge.h).
  if (env_.purge && !env_.deleted_for_table(g_).empty()) {
    *purge = std::make_unique<indexdb::SeriesPurge>(env_.deleted_for_table(g_), env_.flavour.tenancy);
    indexdb::SeriesPurge* p = purge->get();
    mo.transform.push = [p](ByteView item, const mergeset::ItemEmit& emit) { return p->push(item, emit); };
    mo.transform.finish = [p](const mergeset::ItemEmit& emit) { return p->finish(emit); };
  }
  if (std::string(action) == "rewrite") {
    // As a data part's rewrite (merge_data.cpp): never below level 1.
    uint64_t items = 0;
    for (const auto& p : srcs) items += p.header.items_count;
    mo.compress_level = std::max(mergeset::compress_level_for_items(items), 1);
  }
  return mo;
}

// The merged part `tmp` takes the sources' place, crash-safely: journaled, renamed, listed (the
// commit point), then the sources removed.
Status TableJob::install(const std::string& tmp, const std::vector<mergeset::TablePart>& srcs,
                         const mergeset::MergeStats& ms, const std::string& ctx, mergeset::TablePart& out) {
  {
    // As PartitionJob::journal (merge_data.cpp): the output and the sources the commit unlists.
    std::vector<std::string> rels;
    if (ms.items_out != 0) rels.push_back(g_.rel + "/" + out.name);
    for (const auto& p : srcs) rels.push_back(g_.rel + "/" + p.name);
    VMT_TRY(layout::add_pending_parts(env_.opt.dir, rels));
  }
  crash_point("merge-index.journaled");
  if (ms.items_out == 0) {
    // Every item was of a deleted series: nothing to list (merge_data.cpp does the same).
    VMT_TRY(fs::remove_all(tmp));
    VMT_TRY(fs::fsync_path(g_.path));
    replace(srcs, nullptr);
  } else {
    const std::string final_dir = fs::join(g_.path, out.name);
    VMT_TRY(fs::rename(tmp, final_dir));
    VMT_TRY(fs::fsync_path(g_.path));
    crash_point("merge-index.renamed");
    out.path = final_dir;
    VMT_ASSIGN_OR_RETURN(out.header, mergeset::read_part_header(final_dir));
    VMT_ASSIGN_OR_RETURN(out.size_bytes, layout::part_size(final_dir));
    replace(srcs, &out);
  }
  std::vector<std::string> names;
  for (const auto& p : parts_) names.push_back(p.name);
  VMT_TRY_CTX(mergeset::write_part_names(g_.path, names), ctx);   // the commit point
  crash_point("merge-index.listed");
  std::vector<std::string> dirs;
  for (const auto& p : srcs) dirs.push_back(p.path);
  VMT_TRY_CTX(remove_part_dirs(dirs, env_.flavour.delete_marker()), ctx + " (after the commit)");
  crash_point("merge-index.removed");
  return Status::ok();
}

Status TableJob::merge(const std::vector<size_t>& idx, const char* reason, const char* action) {
  MergeStep s;
  s.table = table_;
  s.action = action;
  s.reason = reason;
  s.output_kind = "indexdb";
  std::vector<std::string> src_dirs;
  std::vector<mergeset::TablePart> srcs;
  take_inputs(idx, s, src_dirs, srcs);
  mergeset::TablePart out;
  if (env_.opt.dry_run) {
    out.name = "(planned)#" + std::to_string(planned_++);
    out.size_bytes = s.estimated_bytes;
    for (const auto& p : srcs) out.header.items_count += p.header.items_count;
    replace(srcs, &out);
    res_.steps.push_back(std::move(s));
    return Status::ok();
  }
  const auto t0 = std::chrono::steady_clock::now();
  out.name = namer_.next();
  const std::string tmp = fs::join(g_.path, kTempPrefix + out.name);
  const std::string ctx = "merging " + std::to_string(srcs.size()) + " parts of " + table_;
  Status cb_status;
  std::unique_ptr<indexdb::SeriesPurge> purge;
  const mergeset::MergeOptions mo = merge_options(action, srcs, &cb_status, &purge);
  mergeset::MergeStats ms;
  Status st = mergeset::merge_part_dirs(src_dirs, tmp, mo, &ms);
  if (st.is_ok() && !cb_status.is_ok()) st = cb_status;
  if (!st.is_ok()) {
    (void)fs::remove_all(tmp);
    return std::move(st).with_context(ctx);
  }
  VMT_TRY(install(tmp, srcs, ms, ctx, out));
  s.done = true;
  if (ms.items_out != 0) s.output_name = out.name;
  s.output_rows = ms.items_out;
  s.output_blocks = ms.blocks_out;
  s.output_bytes = out.size_bytes;
  s.stats.rows_in = ms.items_in;
  s.stats.rows_out = ms.items_out;
  s.seconds = seconds_since(t0);
  env_.rows_done.fetch_add(ms.items_in, std::memory_order_relaxed);
  res_.steps.push_back(std::move(s));
  return Status::ok();
}

}  // namespace

TableResult run_table(Env& env, const layout::IndexTable& g) { return TableJob(env, g).run(); }

Status add_table_part(Env& env, const layout::IndexTable& g, const std::vector<Bytes>& items, std::string* name) {
  VMT_ASSIGN_OR_RETURN(std::vector<mergeset::TablePart> parts, mergeset::list_parts(g.path));
  PartNamer namer;
  VMT_TRY(namer.init({g.path}, env.opt.name_seed_ns));
  *name = namer.next();
  const std::string tmp = fs::join(g.path, kTempPrefix + *name);
  const std::string ctx = "adding a part to " + g.rel;
  {
    mergeset::PartWriterOptions wo;
    wo.compress_level = mergeset::compress_level_for_items(items.size());
    mergeset::PartWriter w;
    Status st = w.open(tmp, std::move(wo));
    for (size_t i = 0; st.is_ok() && i < items.size(); ++i) st = w.add(items[i]);
    if (st.is_ok()) st = w.close();
    if (!st.is_ok()) {
      (void)fs::remove_all(tmp);
      return std::move(st).with_context(ctx);
    }
  }
  VMT_TRY(layout::add_pending_parts(env.opt.dir, {g.rel + "/" + *name}));
  VMT_TRY(fs::rename(tmp, fs::join(g.path, *name)));
  VMT_TRY(fs::fsync_path(g.path));
  std::vector<std::string> names;
  for (const auto& p : parts) {
    if (p.name.rfind(kTempPrefix, 0) != 0) names.push_back(p.name);
  }
  names.push_back(*name);
  return mergeset::write_part_names(g.path, names).with_context(ctx);   // the commit point
}

}  // namespace vmt::ops::merge_detail
