#include "storage/part_check.h"

#include <algorithm>
#include <chrono>

namespace vmt::storage {

std::string CheckedPartSource::where() const {
  return r_->display() + ": block " + std::to_string(r_->position().block);
}

IndexTsids::IndexTsids(std::vector<std::pair<uint64_t, metric::TSID>> entries) : entries_(std::move(entries)) {
  // One table's items come in MetricID order already (per tenant); several need the sort, stable
  // so that the first TSID of a MetricID listed twice is the one kept.
  auto by_id = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(entries_.begin(), entries_.end(), by_id)) std::stable_sort(entries_.begin(), entries_.end(), by_id);
  entries_.erase(std::unique(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                 entries_.end());
  by_tsid_.reserve(entries_.size());
  for (const auto& e : entries_) by_tsid_.push_back(e.second);
  std::sort(by_tsid_.begin(), by_tsid_.end());
}

size_t IndexTsids::seek(const metric::TSID& t, size_t* cursor) const {
  size_t c = *cursor;
  const size_t n = by_tsid_.size();
  if (c < n && by_tsid_[c] < t) {
    // Gallop: the next TSID of a part is usually a few entries on, sometimes far (a part holding
    // few of the index's series).
    size_t step = 1;
    while (c + step < n && by_tsid_[c + step] < t) step *= 2;
    auto it = std::lower_bound(by_tsid_.begin() + ptrdiff_t(c + step / 2), by_tsid_.begin() + ptrdiff_t(std::min(c + step, n)), t);
    c = size_t(it - by_tsid_.begin());
  }
  *cursor = c;
  return c < n && by_tsid_[c] == t ? c : npos;
}

namespace {

Status two_tsids(const std::string& part, uint64_t metric_id) {
  return corruption(part + ": MetricID " + std::to_string(metric_id) + " appears with two TSIDs");
}

}  // namespace

Status CheckedPartSource::check_tsid(const metric::TSID& t) {
  if (have_prev_ && t == prev_) return Status::ok();
  have_prev_ = true;
  prev_ = t;
  if (!resolved_) {
    if (pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      waiting_.emplace_back(t, r_->position().block);
      return Status::ok();
    }
    VMT_TRY(resolve());
  }
  return check_against_index(t, r_->position().block);
}

Status CheckedPartSource::resolve() {
  resolved_ = true;
  const Result<IndexTsidLookup>& r = pending_.get();
  if (!r.is_ok()) {
    index_error_ = true;
    return r.status();
  }
  index_tsid_ = *r;
  seen_.assign(index_tsid_ ? index_tsid_->size() : 0, 0);
  for (const auto& [t, block] : waiting_) VMT_TRY(check_against_index(t, block));
  waiting_.clear();
  waiting_.shrink_to_fit();
  return Status::ok();
}

Status CheckedPartSource::check_against_index(const metric::TSID& t, uint64_t block) {
  size_t rank = IndexTsids::npos;
  if (index_tsid_) {
    rank = index_tsid_->seek(t, &cursor_);
    if (rank == IndexTsids::npos) {
      // Not at the cursor: the index does not know the MetricID, knows another TSID for it, or
      // the blocks went back in TSID order.
      if (const size_t pos = index_tsid_->find(t.metric_id); pos != IndexTsids::npos) {
        if (index_tsid_->tsid(pos) != t) {
          return corruption(r_->display() + ": block " + std::to_string(block) + ": TSID " + t.to_string() +
                            " differs from the index's TSID for MetricID " + std::to_string(t.metric_id) + ", " +
                            index_tsid_->tsid(pos).to_string() + ": the block would be served as another series");
        }
        rank = index_tsid_->rank_of(t);
      }
    }
  }
  if (rank == IndexTsids::npos) {
    run_metric_ids_.push_back(t.metric_id);
    return Status::ok();
  }
  if (seen_[rank]) return two_tsids(r_->display(), t.metric_id);
  seen_[rank] = 1;
  return Status::ok();
}

Status CheckedPartSource::check_unique_metric_ids() {
  std::sort(run_metric_ids_.begin(), run_metric_ids_.end());
  auto dup = std::adjacent_find(run_metric_ids_.begin(), run_metric_ids_.end());
  if (dup == run_metric_ids_.end()) return Status::ok();
  return two_tsids(r_->display(), *dup);
}

Status CheckedPartSource::next_raw(RawBlock& out, bool* eof) {
  Status st = r_->next_raw(out, eof);
  if (st.is_ok() && *eof) {
    st = r_->verify_totals();
    if (st.is_ok() && !resolved_) st = resolve();
    if (st.is_ok()) st = check_unique_metric_ids();
  } else if (st.is_ok()) {
    st = check_tsid(out.header.tsid);
  }
  if (!st.is_ok() && st.code() != Code::io_error && !index_error_) damaged = true;
  return st;
}

}  // namespace vmt::storage
