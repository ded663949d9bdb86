// tsdb-inspect export: a series assembled from its blocks (decoded, cut to [start, end], joined
// with the other MetricIDs of its name) and printed in vmselect's sample order.
#include "encoding/decimal.h"
#include "ops/export_run.h"
#include "ops/format.h"
#include "storage/block.h"

namespace vmt::ops::export_detail {

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

}  // namespace vmt::ops::export_detail
