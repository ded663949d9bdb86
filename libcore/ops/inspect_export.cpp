// tsdb-inspect export: the samples of a data directory joined with their metric names, printed as
// vmselect's /api/v1/export does (jsonl) or as Prometheus exposition (prom).
//
// Spec: indexdb.md §4.3-§4.4 and §6 (names come from ns 3 in curr then prev; deleted MetricIDs are
// hidden; a MetricID without a name is hidden, as the server hides it); doc/flavours.md §2-§3 (from
// v1.133 names come from the partition indexes and the legacy curr and prev; a partition's own
// deleted MetricIDs hide its blocks only), data-part.md (blocks),
// encoding.md §9.5 (decimal -> float). Like vmselect, samples of all MetricIDs that share one
// canonical MetricName are merged into one line, sorted by timestamp, nothing deduplicated.
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <queue>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "encoding/decimal.h"
#include "metric/metric_name.h"
#include "ops/export_merge.h"
#include "ops/format.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "storage/block.h"
#include "storage/part_reader.h"

namespace vmt::ops {

namespace {

struct Series {
  metric::MetricName name;
  std::vector<int64_t> timestamps;
  std::vector<double> values;
  // Each block's samples, in the order the blocks were read; sorted into search order (TSID, then
  // MinTimestamp) before merge_sort_blocks.
  struct Block {
    metric::TSID tsid;
    int64_t min_timestamp;
    BlockSpan span;
  };
  std::vector<Block> blocks;
};

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

}  // namespace

namespace {

// One open part in the merge: its reader and its current block.
struct PartCursor {
  std::unique_ptr<storage::PartReader> reader;
  std::string path;
  size_t partition = 0;  // index into the storage's partitions
  size_t seq = 0;        // read order (partition order, then parts.json order): ties of equal keys
  storage::RawBlock raw;
};

// The heap's order: the search order of vmselect's blocks (TSID, then MinTimestamp), ties by part.
struct CursorAfter {
  bool operator()(const PartCursor* a, const PartCursor* b) const {
    const auto &x = a->raw.header, &y = b->raw.header;
    if (x.tsid != y.tsid) return y.tsid < x.tsid;
    if (x.min_timestamp != y.min_timestamp) return y.min_timestamp < x.min_timestamp;
    return b->seq < a->seq;
  }
};

// Raises the soft limit of open files to the hard one: every part stays open for the merge (3 files
// each), as the server keeps them open.
void raise_open_files_limit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Streaming: every listed part of every partition is read at once, its blocks merged in TSID order
// (a heap of parts, as vmselect searches them), and a series is printed as soon as its last block has
// been read. Memory is one block per part and one series, whatever the directory's size. The only
// series held to the end are the rare names with several MetricIDs (the server merges their samples
// into one line; their TSIDs need not be adjacent).
class ExportRun {
 public:
  ExportRun(const ExportOptions& o, Output& out, ExportStats* stats)
      : o_(o), out_(out), stats_(stats), prom_(o.format == "prom"), progress_("tsdb-inspect export") {}

  Status run(const std::string& dir);

 private:
  // What a MetricID's blocks are in one partition: a series to print, or left out.
  enum class Kind : uint8_t { print, skip, unnamed };

  void find_shared_names();
  Status open_parts();
  Status decide_tenant_labels();
  Result<Kind> kind_of(size_t partition, uint64_t metric_id);
  Status advance(PartCursor* c);
  Status append_block(PartCursor* c);
  Status finish_series();
  Status render(Series& s);

  const ExportOptions& o_;
  Output& out_;
  ExportStats* stats_;
  const bool prom_;
  layout::StorageDir sd_;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  NameIndex names_;
  std::unordered_set<uint64_t> shared_ids_;  // MetricIDs whose name other MetricIDs share
  std::vector<std::unique_ptr<PartCursor>> cursors_;
  std::priority_queue<PartCursor*, std::vector<PartCursor*>, CursorAfter> heap_;
  // Several tenants in one stream: each series says whose it is (vm_account_id, vm_project_id).
  bool tenant_labels_ = false;
  std::vector<std::unordered_map<uint64_t, Kind>> kinds_;  // per partition
  uint64_t total_blocks_ = 0, blocks_read_ = 0;           // for the progress line
  uint64_t unnamed_blocks_ = 0;
  std::unordered_set<uint64_t> unnamed_ids_;
  // The series being read (cur_tsid_), and the shared names' series, printed last in first-seen order.
  Series cur_;
  bool have_cur_ = false;
  metric::TSID cur_tsid_;
  std::vector<std::unique_ptr<Series>> held_;
  std::unordered_map<std::string, Series*> held_by_name_;
  // Scratch reused across blocks and series.
  std::vector<int64_t> ts_, mantissas_;
  std::vector<size_t> order_;
  std::vector<BlockSpan> spans_;
  Progress progress_;
};

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
  auto& m = kinds_[pi];
  if (auto it = m.find(mid); it != m.end()) return it->second;
  Kind k = Kind::print;
  auto n = names_.by_metric_id.find(mid);
  if (names_.is_deleted(mid, sd_.partitions[pi].name)) {
    k = Kind::skip;
  } else if (n == names_.by_metric_id.end()) {
    k = Kind::unnamed;
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

Status ExportRun::render(Series& s) {
  if (s.timestamps.empty()) return Status::ok();
  if (tenant_labels_) {
    s.name.tags.push_back(metric::Tag{"vm_account_id", std::to_string(s.name.account_id)});
    s.name.tags.push_back(metric::Tag{"vm_project_id", std::to_string(s.name.project_id)});
  }
  // Blocks arrive in search order already (TSID, MinTimestamp, part): merge_sort_blocks as is.
  spans_.clear();
  for (const auto& b : s.blocks) spans_.push_back(b.span);
  order_.clear();
  merge_sort_blocks(s.timestamps, spans_, &order_);
  if (prom_) {
    append_prom_series(out_.buf(), s.name, s.values, s.timestamps, order_);
  } else {
    append_export_series(out_.buf(), s.name, s.values, s.timestamps, order_);
  }
  if (stats_) {
    stats_->series++;
    stats_->samples += order_.size();
  }
  return out_.maybe_flush();
}

// The series of cur_tsid_ is complete: printed, or (a shared name) added to its held series.
Status ExportRun::finish_series() {
  if (!have_cur_) return Status::ok();
  have_cur_ = false;
  if (!shared_ids_.count(cur_tsid_.metric_id)) {
    Status st = render(cur_);
    cur_ = Series();
    return st;
  }
  // Append to the held series of the same name (blocks stay in search order: TSIDs ascend).
  const std::string& canon = names_.by_metric_id.at(cur_tsid_.metric_id).canonical;
  auto [it, inserted] = held_by_name_.try_emplace(canon, nullptr);
  if (inserted) {
    held_.push_back(std::make_unique<Series>(std::move(cur_)));
    it->second = held_.back().get();
  } else {
    Series& h = *it->second;
    const size_t base = h.timestamps.size();
    h.timestamps.insert(h.timestamps.end(), cur_.timestamps.begin(), cur_.timestamps.end());
    h.values.insert(h.values.end(), cur_.values.begin(), cur_.values.end());
    for (auto b : cur_.blocks) {
      b.span.begin += base;
      b.span.end += base;
      h.blocks.push_back(b);
    }
  }
  cur_ = Series();
  return Status::ok();
}

// The cursor's block (of a series to print) decoded onto the current series, cut to [start, end].
Status ExportRun::append_block(PartCursor* c) {
  const auto& h = c->raw.header;
  if (!have_cur_ || h.tsid != cur_tsid_) {
    VMT_TRY(finish_series());
    cur_tsid_ = h.tsid;
    have_cur_ = true;
    auto n = names_.by_metric_id.find(h.tsid.metric_id);
    VMT_ASSIGN_OR_RETURN(cur_.name, metric::MetricName::decode_canonical(n->second.canonical, tenancy_));
  }
  storage::PartReader& pr = *c->reader;
  // Errors name the data file and offset: the block header itself already passed every check.
  auto where = [&](const char* file, uint64_t off) {
    return pr.display() + "/" + file + ": offset " + std::to_string(off) + ": block " +
           std::to_string(pr.position().block) + " (" + h.tsid.to_string() + ")";
  };
  // Every type checked (non-decreasing, exactly [MinTimestamp, MaxTimestamp]): the server would
  // serve a damaged block's rows in their decoded order, which no sort of ours reproduces, so
  // such a block is refused here and reported by verify (issue 11 item 5).
  Status st = storage::decode_timestamps(h, c->raw.timestamps_data, ts_, /*check_all_types=*/true);
  if (!st.is_ok()) return st.with_context(where("timestamps.bin", h.timestamps_block_offset));
  st = storage::decode_values(h, c->raw.values_data, mantissas_);
  if (!st.is_ok()) return st.with_context(where("values.bin", h.values_block_offset));
  Series& s = cur_;
  size_t before = s.values.size();
  if (prom_) {
    // Values that read back (tsdb-import) to the very mantissas stored here; jsonl prints
    // what vmselect prints instead, byte for byte.
    for (int64_t m : mantissas_) s.values.push_back(decimal::float_for_decimal(m, h.scale));
  } else {
    decimal::append_decimal_to_float(s.values, mantissas_.data(), mantissas_.size(), h.scale);
  }
  s.timestamps.insert(s.timestamps.end(), ts_.begin(), ts_.end());
  if (h.min_timestamp < o_.start_ms || h.max_timestamp > o_.end_ms) {
    // Cut the samples outside [start, end] from what was just appended.
    size_t w = before;
    for (size_t r = before; r < s.timestamps.size(); ++r) {
      if (s.timestamps[r] < o_.start_ms || s.timestamps[r] > o_.end_ms) continue;
      s.timestamps[w] = s.timestamps[r];
      s.values[w] = s.values[r];
      ++w;
    }
    s.timestamps.resize(w);
    s.values.resize(w);
  }
  s.blocks.push_back(Series::Block{h.tsid, h.min_timestamp, BlockSpan{before, s.timestamps.size()}});
  if (stats_) stats_->blocks++;
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
  for (auto& s : held_) VMT_TRY(render(*s));
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

}  // namespace

Status inspect_export(const std::string& dir, const ExportOptions& o, Output& out, ExportStats* stats) {
  ExportRun run(o, out, stats);
  return run.run(dir);
}

}  // namespace vmt::ops
