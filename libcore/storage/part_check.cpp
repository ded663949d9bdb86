#include "storage/part_check.h"

#include <algorithm>

namespace vmt::storage {

std::string CheckedPartSource::where() const {
  return r_->display() + ": block " + std::to_string(r_->position().block);
}

Status CheckedPartSource::check_tsid(const metric::TSID& t) {
  if (have_prev_ && t == prev_) return Status::ok();
  have_prev_ = true;
  prev_ = t;
  run_metric_ids_.push_back(t.metric_id);
  if (index_tsid_) {
    if (auto want = index_tsid_(t.metric_id); want && *want != t) {
      return corruption(where() + ": TSID " + t.to_string() + " differs from the index's TSID for MetricID " +
                        std::to_string(t.metric_id) + ", " + want->to_string() +
                        ": the block would be served as another series");
    }
  }
  return Status::ok();
}

Status CheckedPartSource::check_unique_metric_ids() {
  std::sort(run_metric_ids_.begin(), run_metric_ids_.end());
  auto dup = std::adjacent_find(run_metric_ids_.begin(), run_metric_ids_.end());
  if (dup == run_metric_ids_.end()) return Status::ok();
  return corruption(r_->display() + ": MetricID " + std::to_string(*dup) + " appears with two TSIDs");
}

Status CheckedPartSource::next_raw(RawBlock& out, bool* eof) {
  Status st = r_->next_raw(out, eof);
  if (st.is_ok() && *eof) {
    st = r_->verify_totals();
    if (st.is_ok()) st = check_unique_metric_ids();
  } else if (st.is_ok()) {
    st = check_tsid(out.header.tsid);
  }
  if (!st.is_ok() && st.code() != Code::io_error) damaged = true;
  return st;
}

}  // namespace vmt::storage
