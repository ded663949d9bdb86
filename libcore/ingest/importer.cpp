#include "ingest/importer.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <unordered_set>

#include "base/fs.h"
#include "encoding/decimal.h"
#include "ingest/commit.h"
#include "ingest/data_part_builder.h"
#include "ingest/early_parts.h"
#include "ingest/existing_index.h"
#include "ingest/index_builder.h"
#include "ingest/line_pipeline.h"
#include "ingest/part_tier.h"
#include "ingest/partition_rows.h"
#include "ingest/series_registry.h"
#include "ingest/target_dir.h"
#include "ingest/tsid_settlement.h"
#include "layout/storage_dir.h"

namespace vmt::ingest {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t wall_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

struct Partition {
  Month month;
  std::string name;
  PartitionRows rows;
  PartitionStats stats;
  bool prepared = false;  // ensure_partition and stale temp cleanup done
  bool flushed_early = false;  // parts were written early: every part of it is merged before the commit
};

class Importer {
 public:
  Importer(const ImportOptions& opt, ImportStats* st) : opt_(opt), st_(st), reg_(opt.tenancy) {}
  ~Importer() { cleanup_on_failure(); }

  Status run();

 private:
  // The stages of run(), in order.
  void set_acceptance_window();
  Status check_inputs() const;
  Status read_input();
  Status start_source(LinePipeline& lines, PromBlockSource& blocks);
  Status check_bad_lines() const;
  Status write_and_commit();
  void tally_partitions();

  Status consume(ParsedBlock& b);
  Partition& partition_for(int64_t ts);
  Status resolve_pending();
  // early: written over --mem-limit, to be merged with the partition's other parts before the commit.
  Status flush_partition(Partition& p, bool early = false);
  Status merge_early_parts(Partition& p);
  Status maybe_flush_early();
  struct IndexJob {
    IndexWork work;
    IndexPartOptions opt;
    NewIndexPart part;
    IndexPartResult result;
    Status status;
  };
  // Decides which items to write (per-day checks against curr, or against each partition's index)
  // and names the parts: main thread.
  Status plan_index(std::vector<IndexJob>* jobs);
  IndexJob& add_index_job(std::vector<IndexJob>* jobs, IndexWork work, const std::string& table);
  // The index a series whose first sample is on `date` is looked up in (IndexForDate).
  Result<ExistingIndex*> index_for(uint32_t date);
  // Where a series not indexed on its first day is looked up by name (resolve_any_day).
  Result<ExistingIndex*> any_day_index();
  Status open_existing();
  uint64_t buffered_bytes() const;
  void cleanup_on_failure();
  bool stopped() const { return opt_.stop && opt_.stop->load(std::memory_order_relaxed); }
  static constexpr const char* kInterrupted = "interrupted (SIGINT or SIGTERM) before the commit: nothing was written";

  const ImportOptions& opt_;
  ImportStats* st_;
  unsigned threads_ = 1;
  int64_t min_ts_ = 0, max_ts_ = 0;
  SeriesRegistry reg_;
  std::map<int64_t, Partition> partitions_;
  Partition* cur_ = nullptr;
  TargetDir dir_;
  ExistingIndex existing_;  // generations: curr and prev; per-partition: the MetricIDs of every table
  // Per-partition layout: each partition's index, opened when first asked for, with the legacy
  // curr and prev deleted MetricIDs added.
  std::map<std::string, std::unique_ptr<ExistingIndex>> partition_index_;
  std::unique_ptr<ExistingIndex> any_day_;  // per-partition: every table, opened at the first need
  std::unordered_set<uint64_t> legacy_deleted_;
  uint64_t metric_id_counter_ = 0;
  size_t resolved_ = 0;
  std::vector<NewDataPart> new_parts_;
  std::vector<std::string> temp_dirs_;  // removed unless committed
  bool committed_ = false;
  Clock::time_point t_start_;
  double seconds_data_ = 0;
  std::string display_name_;
  size_t current_file_ = SIZE_MAX;
  uint32_t prev_series_ = UINT32_MAX;  // the series of the last accepted row of this input file
};

Partition& Importer::partition_for(int64_t ts) {
  Month m = month_of(ts);
  auto [it, inserted] = partitions_.try_emplace(m.index);
  if (inserted) {
    it->second.month = m;
    it->second.name = m.name();
    it->second.stats.name = it->second.name;
  }
  return it->second;
}

uint64_t Importer::buffered_bytes() const {
  uint64_t n = 0;
  for (const auto& [k, p] : partitions_) n += p.rows.memory_bytes();
  return n;
}

Status Importer::consume(ParsedBlock& b) {
  if (b.file != current_file_) {
    current_file_ = b.file;
    prev_series_ = UINT32_MAX;  // each input file is one request, one Storage.add call per batch
  }
  st_->lines += b.lines;
  st_->skipped_lines += b.skipped;
  st_->labels.metrics_with_dropped_labels += b.raw_stats.metrics_with_dropped_labels;
  st_->labels.too_long_label_names += b.raw_stats.too_long_label_names;
  st_->labels.too_long_label_values += b.raw_stats.too_long_label_values;
  // Report bad lines in order; with --strict the first one ends the import.
  for (const auto& l : b.bad) {
    ++st_->bad_lines;
    if (opt_.on_bad_line) opt_.on_bad_line(display_name_, l.line, l.message);
    if (opt_.strict) {
      return corruption("--strict: stopped at the first bad line (" + display_name_ + ":" + std::to_string(l.line) +
                        "); nothing was written");
    }
    if (opt_.max_bad_percent < 0 && st_->bad_lines > opt_.max_bad_lines) {
      return corruption("more than --max-bad-lines " + std::to_string(opt_.max_bad_lines) + " bad lines (" + display_name_ +
                        ":" + std::to_string(l.line) + " was one too many); nothing was written");
    }
  }
  uint32_t run_key_off = UINT32_MAX, run_sid = 0;
  for (const ParsedRow& r : b.rows) {
    ++st_->samples_parsed;
    // Storage.add: NaN other than the staleness marker is dropped; so are rows outside the window.
    if (std::isnan(r.value) && !decimal::is_stale_nan(r.value)) {
      ++st_->dropped_nan;
      continue;
    }
    if (r.timestamp < min_ts_) {
      ++st_->dropped_too_old;
      continue;
    }
    if (r.timestamp > max_ts_) {
      ++st_->dropped_too_new;
      continue;
    }
    const ByteView key(b.keys.data() + r.key_off, r.key_len);
    const uint32_t date = uint32_t(uint64_t(r.timestamp) / uint64_t(kMsPerDay));
    uint32_t sid;
    if (r.key_off == run_key_off) {
      // The same raw name as the row before in this block (a JSON line, a Prometheus series):
      // the same series, found already.
      sid = run_sid;
    } else if (decimal::is_stale_nan(r.value)) {
      // A stale marker never creates a series (metricname-tsid.md §5.3 step 4).
      int64_t found = reg_.find(key, r.hash);
      if (found < 0) {
        ++st_->dropped_nan;
        continue;
      }
      sid = uint32_t(found);
    } else {
      bool created = false;
      VMT_ASSIGN_OR_RETURN(sid, reg_.find_or_add(key, r.hash, date, &created));
      if (created) reg_.at(sid).inherit_from = prev_series_;
    }
    run_key_off = r.key_off;
    run_sid = sid;
    prev_series_ = sid;
    reg_.note_date(sid, date);
    if (cur_ == nullptr || r.timestamp < cur_->month.min_ts || r.timestamp > cur_->month.max_ts) {
      cur_ = &partition_for(r.timestamp);
    }
    ++cur_->stats.samples;
    ++st_->samples_accepted;
    if (!opt_.dry_run) cur_->rows.append(sid, r.timestamp, r.value);
  }
  return Status::ok();
}

Status Importer::resolve_pending() {
  SettlementCounts c;
  VMT_ASSIGN_OR_RETURN(ExistingIndex * any_day, any_day_index());
  VMT_TRY(settle_tsids(reg_, resolved_, [this](uint32_t date) { return index_for(date); }, any_day,
                       &metric_id_counter_, &c));
  st_->series_other_day += c.other_day;
  resolved_ = reg_.size();
  st_->series_new += c.created;
  st_->series_curr += c.curr;
  st_->series_prev += c.prev;
  if (st_->first_metric_id == 0) st_->first_metric_id = c.first_metric_id;
  if (c.last_metric_id) st_->last_metric_id = c.last_metric_id;
  return Status::ok();
}

Status Importer::flush_partition(Partition& p, bool early) {
  if (p.rows.empty()) return Status::ok();
  const auto t0 = Clock::now();
  const std::string small = dir_.small_dir(p.name), big = dir_.big_dir(p.name);
  if (!p.prepared) {
    VMT_TRY(dir_.ensure_partition(p.name));
    VMT_TRY(dir_.remove_stale_temp(small));
    p.prepared = true;
  }
  NewDataPart np;
  np.partition = p.name;
  // Parts that will be merged before the commit take interim names, so that the names of the parts
  // that stay are the same whatever --mem-limit made early.
  p.flushed_early = p.flushed_early || early;
  np.name = p.flushed_early ? dir_.new_interim_part_name({small, big}) : dir_.new_part_name({small, big});
  np.temp_dir = fs::join(small, std::string(TargetDir::kTempPrefix) + np.name);
  temp_dirs_.push_back(np.temp_dir);
  DataPartOptions o;
  o.dedup_interval_ms = opt_.dedup_interval_ms;
  o.precision_bits = opt_.precision_bits;
  o.exact_values = opt_.json_lines || opt_.exact_values;  // json_line.h: a printed value comes back as the same float
  o.threads = threads_;
  o.tenancy = opt_.tenancy;
  DataPartResult res;
  VMT_TRY(write_data_part(p.rows, reg_, o, np.temp_dir, nullptr, &res));
  VMT_TRY(fs::fsync_path(small));
  np.big = res.size_bytes > max_small_part_size(small);
  np.size_bytes = res.size_bytes;
  np.rows = res.header.rows_count;
  np.min_timestamp = res.header.min_timestamp;
  new_parts_.push_back(np);
  p.rows.clear();
  seconds_data_ += since(t0);
  return Status::ok();
}

Status Importer::merge_early_parts(Partition& p) {
  const auto t0 = Clock::now();
  uint64_t merges = 0;
  VMT_TRY(merge_parts_written_early(dir_, p.name, opt_.dedup_interval_ms, threads_, &new_parts_, &temp_dirs_, &merges));
  st_->early_merges += merges;
  seconds_data_ += since(t0);
  return Status::ok();
}

Status Importer::maybe_flush_early() {
  const uint64_t rows = buffered_bytes();
  const uint64_t limit = opt_.mem_limit_bytes;
  if (rows + reg_.memory_bytes() <= limit || rows < limit / 8) return Status::ok();
  ++st_->early_flushes;
  VMT_TRY(resolve_pending());
  // Largest buffers first, until the buffers use at most half the limit.
  std::vector<Partition*> order;
  for (auto& [k, p] : partitions_) order.push_back(&p);
  std::sort(order.begin(), order.end(), [](Partition* a, Partition* b) { return a->rows.size() > b->rows.size(); });
  uint64_t left = rows;
  for (Partition* p : order) {
    if (left + reg_.memory_bytes() <= limit / 2 || p->rows.empty()) break;
    left -= p->rows.memory_bytes();
    VMT_TRY(flush_partition(*p, true));
  }
  return Status::ok();
}

Result<ExistingIndex*> Importer::any_day_index() {
  if (!opt_.per_partition_index) return &existing_;
  // Per-partition layout: a name is looked up in every partition index and the legacy generations.
  if (!any_day_) {
    any_day_ = std::make_unique<ExistingIndex>();
    std::vector<std::string> tables;
    VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(opt_.dir));
    for (const auto* t : sd.searched_tables()) tables.push_back(t->path);
    VMT_TRY(any_day_->open_union(tables, opt_.tenancy));
    any_day_->add_deleted(legacy_deleted_);
  }
  return any_day_.get();
}

Result<ExistingIndex*> Importer::index_for(uint32_t date) {
  if (!opt_.per_partition_index) return &existing_;
  const std::string p = layout::partition_name_for(int64_t(date) * kMsPerDay);
  auto& slot = partition_index_[p];
  if (!slot) {
    slot = std::make_unique<ExistingIndex>();
    const std::string table = dir_.index_table(p);
    VMT_TRY(slot->open({}, fs::is_dir(table) ? table : "", "", opt_.tenancy));
    slot->add_deleted(legacy_deleted_);
  }
  return slot.get();
}

Status Importer::open_existing() {
  if (!opt_.per_partition_index) {
    VMT_TRY(dir_.remove_stale_temp(dir_.curr_table()));
    return existing_.open(dir_.tables(), dir_.curr_table(), dir_.prev_table(), opt_.tenancy);
  }
  // Every table for the largest MetricID; the legacy curr and prev (as the server opens them) for
  // the deleted MetricIDs that apply to every partition.
  VMT_TRY(existing_.open(dir_.tables(), "", "", opt_.tenancy));
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(opt_.dir));
  for (const auto* g : sd.searched_generations()) {
    ExistingIndex legacy;
    VMT_TRY(legacy.open({}, g->path, "", opt_.tenancy));
    legacy_deleted_.insert(legacy.deleted().begin(), legacy.deleted().end());
  }
  return Status::ok();
}

Importer::IndexJob& Importer::add_index_job(std::vector<IndexJob>* jobs, IndexWork work, const std::string& table) {
  IndexJob& j = jobs->emplace_back();
  j.work = std::move(work);
  j.part.table_dir = table;
  j.part.name = dir_.new_part_name({table});
  j.part.temp_dir = fs::join(table, std::string(TargetDir::kTempPrefix) + j.part.name);
  j.opt.memory_budget = std::max<uint64_t>(opt_.mem_limit_bytes / 2, 1 << 20);
  j.opt.threads = threads_;
  j.opt.runs_dir = j.part.temp_dir + ".runs";
  temp_dirs_.push_back(j.part.temp_dir);
  temp_dirs_.push_back(j.opt.runs_dir);
  return j;
}

Status Importer::plan_index(std::vector<IndexJob>* jobs) {
  if (opt_.per_partition_index) {
    std::map<std::string, IndexWork> works;
    VMT_TRY(plan_partition_index_work(reg_, [this](uint32_t date) { return index_for(date); }, &works));
    for (auto& [partition, work] : works) {
      VMT_TRY(dir_.ensure_partition(partition));
      VMT_TRY(dir_.remove_stale_temp(dir_.index_table(partition)));
      add_index_job(jobs, std::move(work), dir_.index_table(partition));
    }
    return Status::ok();
  }
  IndexWork work;
  VMT_TRY(plan_index_work(reg_, existing_, &work));
  if (work.empty()) return Status::ok();
  add_index_job(jobs, std::move(work), dir_.curr_table());
  return Status::ok();
}

void Importer::cleanup_on_failure() {
  if (committed_) return;
  for (const auto& d : temp_dirs_) (void)fs::remove_all(d);
}

// The acceptance window of Storage.add (storage-layout.md §5): now in whole seconds.
void Importer::set_acceptance_window() {
  const int64_t now_ms = opt_.now_ms ? opt_.now_ms : int64_t(std::time(nullptr)) * 1000;
  int64_t ret = opt_.retention_ms;
  if (ret <= 0 || ret > kMaxRetentionMs) ret = kMaxRetentionMs;
  min_ts_ = std::max<int64_t>(0, now_ms - ret);
  max_ts_ = now_ms > INT64_MAX - 2 * kMsPerDay ? INT64_MAX : now_ms + 2 * kMsPerDay;
  st_->min_timestamp_allowed = min_ts_;
  st_->max_timestamp_allowed = max_ts_;
}

// Unreadable inputs are reported before DIR is created or locked.
Status Importer::check_inputs() const {
  for (const auto& in : opt_.inputs) {
    if (in != "-" && ::access(in.c_str(), R_OK) != 0) {
      // One rule in every tool: an input that does not exist is a usage error (exit 2); one that
      // exists but cannot be read is the environment's (exit 3).
      if (errno == ENOENT) return invalid_argument("input " + in + " does not exist");
      return io_error("cannot open " + in + ": " + std::strerror(errno));
    }
  }
  return Status::ok();
}

Status Importer::run() {
  t_start_ = Clock::now();
  threads_ = opt_.threads ? opt_.threads : std::max(1u, std::thread::hardware_concurrency());
  st_->dry_run = opt_.dry_run;
  set_acceptance_window();
  VMT_TRY(check_inputs());
  VMT_TRY(read_input());
  if (!opt_.dry_run) VMT_TRY(write_and_commit());
  tally_partitions();
  st_->seconds = since(t_start_);
  return Status::ok();
}

// Starts the input's producer threads: Prometheus blocks, or lines of text or JSON.
Status Importer::start_source(LinePipeline& lines, PromBlockSource& blocks) {
  const RowNaming naming{opt_.account_id, opt_.project_id, opt_.extra_labels, opt_.limits};
  if (!opt_.prometheus_dir.empty()) {
    PromSourceOptions so;
    so.path = opt_.prometheus_dir;
    so.start_ms = opt_.start_ms;
    so.end_ms = opt_.end_ms;
    so.match = opt_.match;
    so.naming = naming;
    VMT_TRY(blocks.start(so));
    st_->files = blocks.opened().blocks;
  } else {
    PipelineOptions po;
    po.inputs = opt_.inputs;
    po.parsers = threads_;
    po.naming = naming;
    po.json_lines = opt_.json_lines;
    po.multitenant = opt_.multitenant;
    po.default_timestamp_ms = opt_.default_timestamp_ms > 0
                                  ? opt_.default_timestamp_ms
                                  : int64_t(wall_ns() / 1000000);  // taken once: reproducible within a run
    lines.start(po);
    st_->files = po.inputs.empty() ? 1 : po.inputs.size();
  }
  return Status::ok();
}

// More bad lines than --max-bad-lines allows: the input is probably not what --format says.
Status Importer::check_bad_lines() const {
  if (opt_.max_bad_percent < 0 || st_->bad_lines <= opt_.max_bad_lines ||
      double(st_->bad_lines) * 100 <= opt_.max_bad_percent * double(st_->lines)) {
    return Status::ok();
  }
  char share[32];
  std::snprintf(share, sizeof share, "%.2f%%", 100.0 * double(st_->bad_lines) / double(std::max<uint64_t>(st_->lines, 1)));
  return corruption(std::to_string(st_->bad_lines) + " of " + std::to_string(st_->lines) + " lines were bad (" + share +
                    ", more than --max-bad-lines allows): is this the right --format? nothing was written");
}

// Every row of the input into the partitions' buffers (parts flushed early over --mem-limit), from
// text or JSON lines (LinePipeline) or from Prometheus blocks (PromBlockSource).
Status Importer::read_input() {
  const bool from_prom = !opt_.prometheus_dir.empty();
  st_->from_prometheus = from_prom;
  LinePipeline lines;
  PromBlockSource blocks;
  RowSource& pipe = from_prom ? static_cast<RowSource&>(blocks) : lines;
  VMT_TRY(start_source(lines, blocks));
  std::vector<uint64_t> file_bytes(std::max<uint64_t>(st_->files, 1), 0);
  ImportProgress progress;
  if (from_prom) progress.samples_total = blocks.opened().announced_samples;
  if (!opt_.dry_run) {
    VMT_TRY(dir_.open(opt_.dir, opt_.part_name_seed, opt_.tenancy, opt_.per_partition_index));
    VMT_TRY(open_existing());
    metric_id_counter_ = std::max(opt_.metric_id_base ? opt_.metric_id_base : wall_ns(), existing_.max_metric_id());
  }

  while (ParsedBlock* b = pipe.next()) {
    if (stopped()) {
      pipe.release(b);
      pipe.stop();
      return io_error(kInterrupted);
    }
    display_name_ = pipe.display_name(b->file);
    file_bytes[b->file] = std::max(file_bytes[b->file], b->input_bytes);
    Status s = consume(*b);
    pipe.release(b);
    if (!s.is_ok()) {
      pipe.stop();
      return s;
    }
    if (!opt_.dry_run) {
      s = maybe_flush_early();
      if (!s.is_ok()) {
        pipe.stop();
        return s;
      }
    }
    if (opt_.on_progress) {
      progress.input_bytes = 0;
      for (uint64_t x : file_bytes) progress.input_bytes += x;
      progress.lines = st_->lines;
      progress.samples = st_->samples_accepted;
      progress.series = reg_.size();
      opt_.on_progress(progress);
    }
  }
  pipe.stop();
  if (from_prom) st_->prom = blocks.stats();
  if (Status s = pipe.status(); !s.is_ok()) {
    // A broken input is a data problem (exit 1), an unreadable one an I/O problem (exit 3).
    return s.code() == Code::io_error ? s : corruption(s.message() + "; nothing was written");
  }
  for (uint64_t x : file_bytes) st_->input_bytes += x;
  VMT_TRY(check_bad_lines());
  st_->series = reg_.size();
  st_->seconds_input = since(t_start_) - seconds_data_;
  return Status::ok();
}

// The data parts (here) and index parts (on their own thread) of every partition, then the commit.
Status Importer::write_and_commit() {
  VMT_TRY(resolve_pending());
  // The index parts are written on their own thread while the data parts are written here:
  // both only read the registry, and every name was handed out by plan_index.
  std::vector<IndexJob> jobs;
  VMT_TRY(plan_index(&jobs));
  std::thread index_thread;
  if (!jobs.empty()) {
    index_thread = std::thread([&] {
      const auto t_index = Clock::now();
      for (auto& job : jobs) {
        job.status = write_index_part(reg_, std::move(job.work), job.opt, job.part.temp_dir, &job.result);
        if (!job.status.is_ok()) break;
      }
      st_->seconds_index = since(t_index);
    });
  }
  Status data_status;
  for (auto& [k, p] : partitions_) {
    if (stopped()) {
      data_status = io_error(kInterrupted);
      break;
    }
    data_status = flush_partition(p);
    // The buffer's memory is free for good now: let the merge and the index thread have it.
    PartitionRows::trim_pool();
    if (data_status.is_ok()) data_status = merge_early_parts(p);
    if (!data_status.is_ok()) break;
  }
  if (index_thread.joinable()) index_thread.join();
  VMT_TRY(data_status);
  st_->seconds_data = seconds_data_;
  std::vector<NewIndexPart> index_parts;
  for (const auto& job : jobs) {
    VMT_TRY(job.status);
    const std::string table = fs::base_name(job.part.table_dir);
    if (st_->index_table.empty()) {
      st_->index_table = opt_.per_partition_index ? "data/indexdb/" + table : table;
    } else {
      st_->index_table += "," + table;
    }
    st_->index_items += job.result.items;
    st_->index_blocks += job.result.blocks;
    st_->index_bytes += job.result.size_bytes;
    st_->index_runs += job.result.runs;
    ++st_->index_parts;
    index_parts.push_back(job.part);
  }
  if (stopped()) return io_error(kInterrupted);
  const auto t_commit = Clock::now();
  VMT_TRY(commit_import(dir_, index_parts, new_parts_));
  committed_ = true;
  st_->interrupted_in_commit = stopped();
  st_->seconds_commit = since(t_commit);
  return Status::ok();
}

// What each partition got, for the summary.
void Importer::tally_partitions() {
  for (auto& [k, p] : partitions_) {
    for (const auto& np : new_parts_) {
      if (np.partition != p.name) continue;
      ++(np.big ? p.stats.big_parts : p.stats.small_parts);
      p.stats.bytes += np.size_bytes;
      p.stats.rows_written += np.rows;
      st_->rows_written += np.rows;
    }
    st_->partitions.push_back(p.stats);
  }
}

}  // namespace

Status run_import(const ImportOptions& opt, ImportStats* stats) {
  *stats = ImportStats();
  Importer imp(opt, stats);
  return imp.run();
}

}  // namespace vmt::ingest
