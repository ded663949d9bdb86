// tsdb-inspect export: the samples of a data directory joined with their metric names, printed as
// vmselect's /api/v1/export does (jsonl) or as Prometheus exposition (prom).
//
// Spec: indexdb.md §4.3-§4.4 and §6 (names come from ns 3 in curr then prev; deleted MetricIDs are
// hidden; a MetricID without a name is hidden, as the server hides it); doc/flavours.md §2-§3 (from
// v1.133 names come from the partition indexes and the legacy curr and prev; a partition's own
// deleted MetricIDs hide its blocks only), data-part.md (blocks),
// encoding.md §9.5 (decimal -> float). Like vmselect, samples of all MetricIDs that share one
// canonical MetricName are merged into one line, sorted by timestamp, nothing deduplicated.
// The run's state is export_run.h; a series' assembly and printing is export_series.cpp.
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "ops/export_run.h"

namespace vmt::ops {

namespace export_detail {

namespace {

// Every block of a part decoded with every check, and its totals: what --skip-damaged needs to know
// before any of the part's samples join a series.
Status check_whole_part(const std::string& path, metric::Tenancy tenancy) {
  storage::PartReader pr;
  VMT_TRY(pr.open(path, tenancy));
  storage::Block b;
  for (bool eof = false;;) {
    VMT_TRY(pr.next(b, &eof));
    if (eof) break;
  }
  return pr.verify_totals();
}

// Raises the soft limit of open files to the hard one: every part stays open for the merge (3 files
// each), as the server keeps them open.
void raise_open_files_limit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

// Names shared by several MetricIDs: their series are gathered whole and printed last.
void ExportRun::find_shared_names() {
  std::unordered_map<std::string_view, uint64_t> first;
  for (const auto& [mid, e] : names_.by_metric_id) {
    auto [it, inserted] = first.try_emplace(std::string_view(e.canonical), mid);
    if (!inserted) {
      shared_ids_.insert(mid);
      shared_ids_.insert(it->second);
    }
  }
}

// Every listed part whose time range meets [start, end], opened (damaged ones left out with
// --skip-damaged).
Status ExportRun::open_parts() {
  raise_open_files_limit();
  for (size_t pi = 0; pi < sd_.partitions.size(); ++pi) {
    const auto& p = sd_.partitions[pi];
    if (p.name_valid && (p.max_timestamp < o_.start_ms || p.min_timestamp > o_.end_ms)) continue;
    for (const auto& part : p.parts) {
      if (!part.listed) continue;
      if (!part.exists) return not_found(part.path + ": listed in parts.json but missing");
      if (o_.skip_damaged) {
        if (Status st = check_whole_part(part.path, tenancy_); !st.is_ok()) {
          log_line("skipping damaged part (--skip-damaged): " + st.message());
          if (stats_) ++stats_->damaged_parts;
          continue;
        }
      }
      auto c = std::make_unique<PartCursor>();
      c->reader = std::make_unique<storage::PartReader>();
      Status st = c->reader->open(part.path, tenancy_);
      if (!st.is_ok()) {
        if (st.code() == Code::io_error && errno == EMFILE) {
          return io_error(st.message() + " (every part is read at once: raise the open files limit, ulimit -n)");
        }
        return st;
      }
      const auto& ph = c->reader->part_header();
      if (ph.max_timestamp < o_.start_ms || ph.min_timestamp > o_.end_ms) continue;
      c->path = part.path;
      c->partition = pi;
      c->seq = cursors_.size();
      cursors_.push_back(std::move(c));
    }
  }
  return Status::ok();
}

Result<ExportRun::Kind> ExportRun::kind_of(size_t pi, uint64_t mid) {
  // A series' blocks come one after another from every part of the partition: ask the map once.
  if (last_kind_ && pi == last_kind_->partition && mid == last_kind_->metric_id) return last_kind_->kind;
  VMT_ASSIGN_OR_RETURN(Kind k, lookup_kind(pi, mid));
  last_kind_ = LastKind{pi, mid, k};
  return k;
}

Result<ExportRun::Kind> ExportRun::lookup_kind(size_t pi, uint64_t mid) {
  auto& m = kinds_[pi];
  if (auto it = m.find(mid); it != m.end()) return it->second;
  Kind k = Kind::print;
  auto n = names_.by_metric_id.find(mid);
  if (names_.is_deleted(mid, sd_.partitions[pi].name)) {
    k = Kind::skip;
  } else if (n == names_.by_metric_id.end()) {
    k = Kind::unnamed;
  } else if (o_.match.empty()) {
    // Only checked here (the printers decode it again): a damaged name fails before any output.
    Status st = metric::walk_canonical(n->second.canonical, tenancy_, [](ByteView) {}, [](ByteView, ByteView) {});
    if (!st.is_ok()) return std::move(st).with_context("MetricName of MetricID " + std::to_string(mid) + " in indexdb");
  } else {
    auto mn = metric::MetricName::decode_canonical(n->second.canonical, tenancy_);
    if (!mn.is_ok()) return mn.take_status().with_context("MetricName of MetricID " + std::to_string(mid) + " in indexdb");
    if (!query::matches_any(o_.match, *mn)) k = Kind::skip;
  }
  m[mid] = k;
  return k;
}

// Several tenants in one stream: each series says whose it is with the labels the server's
// multitenant reads add (vm_account_id, vm_project_id, after the others), which
// `tsdb-import --tenant multitenant` reads back. One tenant prints as the server's own export.
// Whether there are several is known before the first line: from the block headers of the
// series that will print, when the index names more than one tenant.
Status ExportRun::decide_tenant_labels() {
  if (tenancy_ != metric::Tenancy::kCluster || o_.tenant) return Status::ok();
  std::set<std::pair<uint32_t, uint32_t>> named;
  for (const auto& [mid, e] : names_.by_metric_id) named.emplace(e.account_id, e.project_id);
  if (named.size() <= 1) return Status::ok();
  std::set<std::pair<uint32_t, uint32_t>> tenants;
  for (const auto& c : cursors_) {
    storage::PartReader pr;
    VMT_TRY(pr.open(c->path, tenancy_));
    storage::BlockHeader h;
    for (bool eof = false;;) {
      VMT_TRY(pr.next_header(h, &eof));
      if (eof || tenants.size() > 1) break;
      if (h.max_timestamp < o_.start_ms || h.min_timestamp > o_.end_ms) continue;
      if (tenants.count({h.tsid.account_id, h.tsid.project_id})) continue;
      VMT_ASSIGN_OR_RETURN(Kind k, kind_of(c->partition, h.tsid.metric_id));
      if (k == Kind::print) tenants.emplace(h.tsid.account_id, h.tsid.project_id);
    }
    if (tenants.size() > 1) break;
  }
  tenant_labels_ = tenants.size() > 1;
  return Status::ok();
}

Status ExportRun::advance(PartCursor* c) {
  bool eof = false;
  VMT_TRY(c->reader->next_raw(c->raw, &eof));
  if (!eof) heap_.push(c);
  return Status::ok();
}

Status ExportRun::run(const std::string& dir) {
  VMT_ASSIGN_OR_RETURN(sd_, open_for_reading(dir, o_.target ? &*o_.target : nullptr));
  tenancy_ = sd_.flavour.tenancy;
  const uint32_t* acc = o_.tenant ? &o_.tenant->account_id : nullptr;
  const uint32_t* proj = o_.tenant ? &o_.tenant->project_id : nullptr;
  VMT_TRY(load_name_index(sd_, acc, proj, &names_));
  find_shared_names();
  VMT_TRY(open_parts());
  kinds_.resize(sd_.partitions.size());
  VMT_TRY(decide_tenant_labels());
  printer_ = std::make_unique<SeriesPrinter>(prom_, tenant_labels_, tenancy_, out_);
  for (auto& c : cursors_) VMT_TRY(advance(c.get()));
  for (const auto& c : cursors_) total_blocks_ += c->reader->part_header().blocks_count;

  while (!heap_.empty()) {
    PartCursor* c = heap_.top();
    heap_.pop();
    ++blocks_read_;
    const auto& h = c->raw.header;
    const bool wanted = !(o_.tenant && (h.tsid.account_id != o_.tenant->account_id || h.tsid.project_id != o_.tenant->project_id)) &&
                        !(h.max_timestamp < o_.start_ms || h.min_timestamp > o_.end_ms);
    Kind k = Kind::skip;
    if (wanted) { VMT_ASSIGN_OR_RETURN(k, kind_of(c->partition, h.tsid.metric_id)); }
    if (k == Kind::unnamed) {
      unnamed_ids_.insert(h.tsid.metric_id);
      ++unnamed_blocks_;
    }
    if (k == Kind::print) {
      VMT_TRY(append_block(c));
      progress_.update(std::to_string(blocks_read_) + " of " + std::to_string(total_blocks_) + " blocks read",
                       total_blocks_ ? double(blocks_read_) / double(total_blocks_) : -1);
    }
    VMT_TRY(advance(c));
  }
  VMT_TRY(finish_series());
  for (auto& s : held_) VMT_TRY(printer_->add(std::move(*s)));
  VMT_TRY(printer_->finish(stats_));
  progress_.done();
  VMT_TRY(out_.flush());
  if (!unnamed_ids_.empty()) {
    // The server hides such series (and marks them deleted on first access); for us it is a data
    // problem worth an exit code, after everything else was written.
    return corruption(std::to_string(unnamed_blocks_) + " blocks of " + std::to_string(unnamed_ids_.size()) +
                      " MetricIDs have no MetricID->MetricName item in indexdb and were skipped (vmstorage hides them too)");
  }
  return out_.flush();
}

}  // namespace export_detail

Status inspect_export(const std::string& dir, const ExportOptions& o, Output& out, ExportStats* stats) {
  export_detail::ExportRun run(o, out, stats);
  return run.run(dir);
}

}  // namespace vmt::ops
