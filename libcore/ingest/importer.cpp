#include "ingest/importer.h"

#include <unistd.h>

#include <algorithm>
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
};

class Importer {
 public:
  Importer(const ImportOptions& opt, ImportStats* st) : opt_(opt), st_(st), reg_(opt.tenancy) {}
  ~Importer() { cleanup_on_failure(); }

  Status run();

 private:
  Status consume(ParsedBlock& b);
  Partition& partition_for(int64_t ts);
  Status resolve_pending();
  Status flush_partition(Partition& p);
  Status merge_early_parts(Partition& p);
  Status maybe_flush_early();
  struct IndexJob {
    IndexWork work;
    IndexPartOptions opt;
    NewIndexPart part;
    IndexPartResult result;
    Status status;
  };
  // Decides which items to write (per-day checks against curr) and names the part: main thread.
  Status plan_index(std::optional<IndexJob>* job);
  uint64_t buffered_bytes() const;
  void cleanup_on_failure();

  const ImportOptions& opt_;
  ImportStats* st_;
  unsigned threads_ = 1;
  int64_t min_ts_ = 0, max_ts_ = 0;
  SeriesRegistry reg_;
  std::map<int64_t, Partition> partitions_;
  Partition* cur_ = nullptr;
  TargetDir dir_;
  ExistingIndex existing_;
  uint64_t metric_id_counter_ = 0;
  size_t resolved_ = 0;
  std::vector<NewDataPart> new_parts_;
  std::vector<std::string> temp_dirs_;  // removed unless committed
  bool committed_ = false;
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
  }
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
    if (decimal::is_stale_nan(r.value)) {
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
  VMT_TRY(settle_tsids(reg_, resolved_, existing_, &metric_id_counter_, &c));
  resolved_ = reg_.size();
  st_->series_new += c.created;
  st_->series_curr += c.curr;
  st_->series_prev += c.prev;
  if (st_->first_metric_id == 0) st_->first_metric_id = c.first_metric_id;
  if (c.last_metric_id) st_->last_metric_id = c.last_metric_id;
  return Status::ok();
}

Status Importer::flush_partition(Partition& p) {
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
  np.name = dir_.new_part_name({small, big});
  np.temp_dir = fs::join(small, std::string(TargetDir::kTempPrefix) + np.name);
  temp_dirs_.push_back(np.temp_dir);
  DataPartOptions o;
  o.dedup_interval_ms = opt_.dedup_interval_ms;
  o.precision_bits = opt_.precision_bits;
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
    VMT_TRY(flush_partition(*p));
  }
  return Status::ok();
}

Status Importer::plan_index(std::optional<IndexJob>* job) {
  IndexWork work;
  VMT_TRY(plan_index_work(reg_, existing_, &work));
  if (work.empty()) return Status::ok();

  job->emplace();
  IndexJob& j = **job;
  j.work = std::move(work);
  const std::string table = dir_.curr_table();
  j.part.table_dir = table;
  j.part.name = dir_.new_part_name({table});
  j.part.temp_dir = fs::join(table, std::string(TargetDir::kTempPrefix) + j.part.name);
  j.opt.memory_budget = std::max<uint64_t>(opt_.mem_limit_bytes / 2, 1 << 20);
  j.opt.threads = threads_;
  j.opt.runs_dir = j.part.temp_dir + ".runs";
  temp_dirs_.push_back(j.part.temp_dir);
  temp_dirs_.push_back(j.opt.runs_dir);
  return Status::ok();
}

void Importer::cleanup_on_failure() {
  if (committed_) return;
  for (const auto& d : temp_dirs_) (void)fs::remove_all(d);
}

Status Importer::run() {
  const auto t_start = Clock::now();
  threads_ = opt_.threads ? opt_.threads : std::max(1u, std::thread::hardware_concurrency());
  st_->dry_run = opt_.dry_run;

  // The acceptance window of Storage.add (storage-layout.md §5): now in whole seconds.
  const int64_t now_ms = opt_.now_ms ? opt_.now_ms : int64_t(std::time(nullptr)) * 1000;
  int64_t ret = opt_.retention_ms;
  if (ret <= 0 || ret > kMaxRetentionMs) ret = kMaxRetentionMs;
  min_ts_ = std::max<int64_t>(0, now_ms - ret);
  max_ts_ = now_ms > INT64_MAX - 2 * kMsPerDay ? INT64_MAX : now_ms + 2 * kMsPerDay;
  st_->min_timestamp_allowed = min_ts_;
  st_->max_timestamp_allowed = max_ts_;

  // Unreadable inputs are reported before DIR is created or locked.
  for (const auto& in : opt_.inputs) {
    if (in != "-" && ::access(in.c_str(), R_OK) != 0) {
      return io_error("cannot open " + in + ": " + std::strerror(errno));
    }
  }
  if (!opt_.dry_run) {
    VMT_TRY(dir_.open(opt_.dir, opt_.part_name_seed, opt_.tenancy));
    VMT_TRY(dir_.remove_stale_temp(dir_.curr_table()));
    VMT_TRY(existing_.open(dir_.tables(), dir_.curr_table(), dir_.prev_table(), opt_.tenancy));
    metric_id_counter_ = std::max(opt_.metric_id_base ? opt_.metric_id_base : wall_ns(), existing_.max_metric_id());
  }

  PipelineOptions po;
  po.inputs = opt_.inputs;
  po.parsers = threads_;
  po.account_id = opt_.account_id;
  po.project_id = opt_.project_id;
  po.extra_labels = opt_.extra_labels;
  po.default_timestamp_ms = opt_.default_timestamp_ms > 0
                                ? opt_.default_timestamp_ms
                                : int64_t(wall_ns() / 1000000);  // taken once: reproducible within a run
  LinePipeline pipe;
  pipe.start(po);
  st_->files = po.inputs.empty() ? 1 : po.inputs.size();
  std::vector<uint64_t> file_bytes(st_->files, 0);
  ImportProgress progress;
  while (ParsedBlock* b = pipe.next()) {
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
  if (Status s = pipe.status(); !s.is_ok()) {
    // A broken input is a data problem (exit 1), an unreadable one an I/O problem (exit 3).
    return s.code() == Code::io_error ? s : corruption(s.message() + "; nothing was written");
  }
  for (uint64_t x : file_bytes) st_->input_bytes += x;
  st_->series = reg_.size();
  st_->seconds_input = since(t_start) - seconds_data_;

  if (!opt_.dry_run) {
    VMT_TRY(resolve_pending());
    // The indexdb part is written on its own thread while the data parts are written here: both
    // only read the registry, and every name was handed out by plan_index.
    std::optional<IndexJob> job;
    VMT_TRY(plan_index(&job));
    std::thread index_thread;
    if (job) {
      index_thread = std::thread([&] {
        const auto t_index = Clock::now();
        job->status = write_index_part(reg_, std::move(job->work), job->opt, job->part.temp_dir, &job->result);
        st_->seconds_index = since(t_index);
      });
    }
    Status data_status;
    for (auto& [k, p] : partitions_) {
      data_status = flush_partition(p);
      if (data_status.is_ok()) data_status = merge_early_parts(p);
      if (!data_status.is_ok()) break;
    }
    if (index_thread.joinable()) index_thread.join();
    VMT_TRY(data_status);
    st_->seconds_data = seconds_data_;
    std::optional<NewIndexPart> index;
    if (job) {
      VMT_TRY(job->status);
      st_->index_table = fs::base_name(job->part.table_dir);
      st_->index_items = job->result.items;
      st_->index_blocks = job->result.blocks;
      st_->index_bytes = job->result.size_bytes;
      st_->index_runs = job->result.runs;
      st_->index_parts = 1;
      index = job->part;
    }
    const auto t_commit = Clock::now();
    VMT_TRY(commit_import(dir_, index, new_parts_));
    committed_ = true;
    st_->seconds_commit = since(t_commit);
  }
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
  st_->seconds = since(t_start);
  return Status::ok();
}

}  // namespace

Status run_import(const ImportOptions& opt, ImportStats* stats) {
  *stats = ImportStats();
  Importer imp(opt, stats);
  return imp.run();
}

}  // namespace vmt::ingest
