// tsdb-inspect export: a series assembled from its blocks (decoded, cut to [start, end], joined
// with the other MetricIDs of its name) and printed in vmselect's sample order.
#include <pthread.h>

#include "encoding/decimal.h"
#include "ops/export_run.h"
#include "ops/format.h"
#include "storage/block.h"

namespace vmt::ops::export_detail {

SeriesPrinter::SeriesPrinter(bool prom, bool tenant_labels, metric::Tenancy tenancy, Output& out)
    : prom_(prom), tenant_labels_(tenant_labels), tenancy_(tenancy), out_(out) {
  for (auto& w : workers_) w.thread = std::thread([this, &w] { loop(w); });
}

SeriesPrinter::~SeriesPrinter() { stop(); }

// Waits for every batch handed over, then ends the threads.
void SeriesPrinter::stop() {
  {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return written_ == handed_ || !error_.is_ok(); });
    done_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) {
    if (w.thread.joinable()) w.thread.join();
  }
}

Status SeriesPrinter::add(Series&& s) {
  if (s.timestamps.empty()) return Status::ok();
  filling_samples_ += s.timestamps.size();
  filling_.push_back(std::move(s));
  return filling_samples_ < kBatchSamples ? Status::ok() : hand_off();
}

Series SeriesPrinter::spare() {
  std::lock_guard lk(mu_);
  if (spares_.empty()) return Series();
  Series s = std::move(spares_.back());
  spares_.pop_back();
  return s;
}

// The filling batch to the next worker in turn, once that one's last batch is written.
Status SeriesPrinter::hand_off() {
  Worker& w = workers_[handed_ % kThreads];
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return !w.busy || !error_.is_ok(); });
  if (!error_.is_ok()) return error_;
  std::swap(filling_, w.batch);
  filling_.clear();
  filling_samples_ = 0;
  w.seq = handed_++;
  w.busy = true;
  lk.unlock();
  cv_.notify_all();
  return Status::ok();
}

void SeriesPrinter::loop(Worker& w) {
  pthread_setname_np(pthread_self(), "export-print");  // for top -H and perf --comm
  for (;;) {
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return w.busy || done_; });
      if (!w.busy) return;
    }
    w.text.clear();
    Status st;
    for (auto& s : w.batch) {
      if (st.is_ok()) st = print(w, s);
      s.timestamps.clear();
      s.mantissas.clear();
      s.blocks.clear();
    }
    {
      std::lock_guard lk(mu_);
      for (auto& s : w.batch) spares_.push_back(std::move(s));
    }
    w.batch.clear();
    {
      // Its turn to write: every earlier batch is out (or a write failed, and nothing more is).
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return written_ == w.seq || !error_.is_ok(); });
    }
    // Alone in writing until written_ moves on.
    if (st.is_ok() && error_.is_ok()) st = out_.write(w.text);
    {
      std::lock_guard lk(mu_);
      if (!st.is_ok() && error_.is_ok()) error_ = std::move(st);
      ++written_;
      w.busy = false;
    }
    cv_.notify_all();
  }
}

Status SeriesPrinter::finish(ExportStats* stats) {
  if (!filling_.empty()) VMT_TRY(hand_off());
  stop();
  if (stats) {
    for (const auto& w : workers_) {
      stats->series += w.series;
      stats->samples += w.samples;
    }
  }
  return error_;
}

Status SeriesPrinter::print(Worker& w, Series& s) {
  // Blocks arrive in search order already (TSID, MinTimestamp, part): merge_sort_blocks as is.
  w.spans.clear();
  for (const auto& b : s.blocks) w.spans.push_back(b.span);
  w.order.clear();
  merge_sort_blocks(s.timestamps, w.spans, &w.order);
  // The values as floats, block by block (on this thread, not the reading one): jsonl as vmselect
  // converts them (decimal::to_float, AppendDecimalToFloat's per-value rule), prom as floats that
  // read back (tsdb-import) to the very mantissas stored.
  w.values.resize(s.mantissas.size());
  for (const auto& b : s.blocks) {
    for (size_t i = b.span.begin; i < b.span.end; ++i) {
      w.values[i] = prom_ ? decimal::float_for_decimal(s.mantissas[i], b.scale) : decimal::to_float(s.mantissas[i], b.scale);
    }
  }
  // The tenant of a cluster name is its first 8 bytes (AccountID, ProjectID), checked by decoding.
  auto tenant = [&](size_t at) { return std::to_string(load_u32(s.canonical.data() + at)); };
  if (prom_) {
    VMT_TRY(metric::MetricName::decode_canonical_into(s.canonical, tenancy_, w.name));
    if (tenant_labels_) {
      w.name.tags.push_back(metric::Tag{"vm_account_id", tenant(0)});
      w.name.tags.push_back(metric::Tag{"vm_project_id", tenant(4)});
    }
    append_prom_series(w.text, w.name, w.values, s.timestamps, w.order);
  } else {
    w.labels.clear();
    VMT_TRY(append_labels_json(w.labels, s.canonical, tenancy_));
    if (tenant_labels_) {
      if (!w.labels.empty()) w.labels.push_back(',');
      w.labels += "\"vm_account_id\":\"" + tenant(0) + "\",\"vm_project_id\":\"" + tenant(4) + "\"";
    }
    append_export_series(w.text, w.labels, w.values, s.timestamps, w.order);
  }
  w.series++;
  w.samples += w.order.size();
  return Status::ok();
}

// The series of cur_tsid_ is complete: printed, or (a shared name) added to its held series.
Status ExportRun::finish_series() {
  if (!have_cur_) return Status::ok();
  have_cur_ = false;
  if (!shared_ids_.count(cur_tsid_.metric_id)) {
    Status st = printer_->add(std::move(cur_));
    cur_ = printer_->spare();
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
    h.mantissas.insert(h.mantissas.end(), cur_.mantissas.begin(), cur_.mantissas.end());
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
    cur_.canonical.assign(n->second.canonical);
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
  size_t before = s.timestamps.size();
  s.mantissas.insert(s.mantissas.end(), mantissas_.begin(), mantissas_.end());
  s.timestamps.insert(s.timestamps.end(), ts_.begin(), ts_.end());
  if (h.min_timestamp < o_.start_ms || h.max_timestamp > o_.end_ms) {
    // Cut the samples outside [start, end] from what was just appended.
    size_t w = before;
    for (size_t r = before; r < s.timestamps.size(); ++r) {
      if (s.timestamps[r] < o_.start_ms || s.timestamps[r] > o_.end_ms) continue;
      s.timestamps[w] = s.timestamps[r];
      s.mantissas[w] = s.mantissas[r];
      ++w;
    }
    s.timestamps.resize(w);
    s.mantissas.resize(w);
  }
  s.blocks.push_back(Series::Block{h.tsid, h.min_timestamp, BlockSpan{before, s.timestamps.size()}, h.scale});
  if (stats_) stats_->blocks++;
  return Status::ok();
}

}  // namespace vmt::ops::export_detail
