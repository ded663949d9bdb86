// run_import: the stages in order; the data parts, the memory limit, the commit.
#include "ingest/importer_stages.h"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "base/fs.h"
#include "ingest/commit.h"
#include "ingest/data_part_builder.h"
#include "ingest/early_parts.h"
#include "ingest/part_tier.h"
#include "metric/tsid_gen.h"

namespace vmt::ingest {

namespace detail {

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
  np.interim = p.flushed_early;
  np.name = np.interim ? dir_.new_interim_part_name({small, big}) : dir_.new_part_name({small, big});
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
  seconds_data_ += seconds_since(t0);
  return Status::ok();
}

Status Importer::merge_early_parts(Partition& p) {
  const auto t0 = Clock::now();
  uint64_t merges = 0;
  VMT_TRY(merge_parts_written_early(dir_, p.name, opt_.dedup_interval_ms, threads_, &new_parts_, &temp_dirs_, &merges));
  st_->early_merges += merges;
  seconds_data_ += seconds_since(t0);
  return Status::ok();
}

Status Importer::spill_series() {
  VMT_TRY(resolve_pending());
  // The buffers hold the registry's ids: every row is written now, and their memory given back
  // for the index runs below.
  for (auto& [k, p] : partitions_) VMT_TRY(flush_partition(p, true));
  PartitionRows::trim_pool();
  if (spill_.dir().empty()) {
    // In a partition's data/small/ (prepared above), under the temporary prefix: the server
    // deletes such a directory at open, and the next import too.
    std::string small;
    for (auto& [k, p] : partitions_) {
      if (p.prepared) small = dir_.small_dir(p.name);
    }
    if (small.empty()) return Status::ok();  // no row accepted yet: nothing to spill
    spill_.open(fs::join(small, std::string(TargetDir::kTempPrefix) + "spill"), opt_.tenancy, threads_);
    temp_dirs_.push_back(spill_.dir());
  }
  ++st_->series_spills;
  // The generation's index items, as the final part will have them, into a part per table.
  std::map<std::string, IndexWork> works;
  VMT_TRY(plan_index_works(&works));
  // The last spill's merges are done long before this one's in practice; one at a time keeps
  // their open files and buffers bounded.
  VMT_TRY(wait_spill_merges());
  const auto t_index = Clock::now();
  std::vector<IndexRunsMerge> merges;
  for (auto& [table, work] : works) {
    // One part per spill and table, whatever the runs that made it: the final merge reads a
    // handful of parts (open files, read buffers), not every run.
    EarlierIndexPart part;
    part.dir = fs::join(spill_.dir(), "index-" + std::to_string(st_->series_spills) + "-" + fs::base_name(table));
    IndexPartOptions o = index_options();
    // The registry is at its share (half the limit) while its items are made: they get an eighth
    // (a stream needs up to twice its budget for the moment of its sort, index_stream.cpp).
    o.memory_budget = std::max<uint64_t>(opt_.mem_limit_bytes / 8, 1 << 20);
    o.runs_dir = part.dir + ".runs";
    o.temporary = true;
    IndexPartResult res;
    IndexRunsMerge merge;
    VMT_TRY(start_index_part(reg_, std::move(work), o, part.dir, &res, &merge));
    if (merge.pending()) merges.push_back(std::move(merge));
    part.items_generated = res.items_generated;
    spilled_index_[table].push_back(part);
  }
  st_->seconds_index += seconds_since(t_index);
  // The runs need only their files now: they are merged into the spill's parts on a thread of
  // their own while the next series are read. At 1M series the merge was 1.8 s a spill with
  // the parser threads waiting.
  if (!merges.empty()) {
    spill_merges_ = std::thread([this, merges = std::move(merges)] {
      for (const IndexRunsMerge& m : merges) {
        IndexPartResult res;
        spill_merge_status_ = merge_index_runs(m, &res);
        if (!spill_merge_status_.is_ok()) break;
      }
    });
  }
  VMT_TRY(spill_.write(reg_));
  // Every series so far is settled, each counted once where it was settled.
  series_spilled_ = st_->series_new + st_->series_curr + st_->series_prev;
  // The series of the last row goes on: a new series after it inherits from its TSID
  // (Series::inherit_from). It is read back from the run just written, as any returning series.
  const Bytes carried = prev_series_ == UINT32_MAX ? Bytes() : Bytes(reg_.canonical(prev_series_));
  const uint32_t carried_date = prev_series_ == UINT32_MAX ? 0 : reg_.at(prev_series_).first_date;
  reg_.clear();
  // Every id the series text index holds named a series of the registry just cleared.
  if (text_index_ != nullptr) text_index_->next_generation();
  // The registry's tables were on the heap: give their pages back now, not at the allocator's pace.
  ::malloc_trim(0);
  if (!carried.empty()) {
    VMT_ASSIGN_OR_RETURN(const int64_t id, spill_.find(reg_, carried, metric::xxhash64(carried), carried_date));
    if (id < 0) return corruption("internal: series spill: the last series is not in the run just written");
    prev_series_ = uint32_t(id);
  }
  resolved_ = reg_.size();
  return Status::ok();
}

Status Importer::maybe_flush_early() {
  if (reg_.memory_bytes() > series_budget()) return spill_series();
  const uint64_t rows = buffered_bytes();
  // Exposition text: the parser threads' series text index may hold this much of the limit, and
  // the buffers and series get the rest (at least half of it). Blocks and JSON lines use no cache.
  const bool text = opt_.prometheus_dir.empty() && !opt_.json_lines;
  const uint64_t caches = text ? cache_bytes() : 0;
  const uint64_t limit = opt_.mem_limit_bytes > 2 * caches ? opt_.mem_limit_bytes - caches : opt_.mem_limit_bytes / 2;
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

Status Importer::wait_spill_merges() {
  if (!spill_merges_.joinable()) return Status::ok();
  // Only the wait counts as index time: the merge beside the input is not on the import's path,
  // and the stages of the time: line add up to its wall time.
  const auto t = Clock::now();
  spill_merges_.join();
  st_->seconds_index += seconds_since(t);
  Status st = std::move(spill_merge_status_);
  spill_merge_status_ = Status::ok();
  return st;
}

void Importer::cleanup_on_failure() {
  // The spill's merge writes under the temporary directories removed here.
  if (spill_merges_.joinable()) spill_merges_.join();
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
  st_->seconds = seconds_since(t_start_);
  return Status::ok();
}

// The data parts (here) and index parts (on their own thread) of every partition, then the commit.
Status Importer::write_and_commit() {
  VMT_TRY(resolve_pending());
  // With spills, the registry holds only the last generation: each series was counted once where
  // it was settled (a returning one is not settled again).
  if (st_->series_spills > 0) st_->series = st_->series_new + st_->series_curr + st_->series_prev;
  // The index parts are written on their own thread while the data parts are written here:
  // both only read the registry, and every name was handed out by plan_index.
  std::vector<IndexJob> jobs;
  VMT_TRY(plan_index(&jobs));
  VMT_TRY(wait_spill_merges());  // the final index parts read the spills' parts
  std::thread index_thread;
  std::atomic<bool> index_done{jobs.empty()};
  if (!jobs.empty()) {
    index_thread = std::thread([&] {
      const auto t_index = Clock::now();
      for (auto& job : jobs) {
        job.status = write_index_part(reg_, std::move(job.work), job.opt, job.part.temp_dir, &job.result);
        if (!job.status.is_ok()) break;
      }
      st_->seconds_index += seconds_since(t_index);
      index_done.store(true, std::memory_order_release);
    });
  }
  Status data_status;
  size_t left = partitions_.size();
  for (auto& [k, p] : partitions_) {
    if (stopped()) {
      data_status = io_error(kInterrupted);
      break;
    }
    data_status = flush_partition(p);
    // The buffer's memory is free for good now: let the merge and the index thread have it. Not
    // when nothing is left to use it (the last partition, no early parts to merge, the index
    // written): dropping the pages then only cost the serial end of the import (at 2k series,
    // 6 ms of 0.3 s in madvise).
    if (--left > 0 || p.flushed_early || !index_done.load(std::memory_order_acquire)) PartitionRows::trim_pool();
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
  if (!spill_.dir().empty()) VMT_TRY(fs::remove_all(spill_.dir()));
  st_->interrupted_in_commit = stopped();
  st_->seconds_commit = seconds_since(t_commit);
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

}  // namespace detail

Status run_import(const ImportOptions& opt, ImportStats* stats) {
  *stats = ImportStats();
  detail::Importer imp(opt, stats);
  return imp.run();
}

}  // namespace vmt::ingest
