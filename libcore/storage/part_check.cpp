#include "storage/part_check.h"

namespace vmt::storage {

std::string CheckedPartSource::where() const {
  return r_->display() + ": block " + std::to_string(r_->position().block);
}

Status CheckedPartSource::check_tsid(const metric::TSID& t) {
  auto [it, added] = seen_.try_emplace(t.metric_id, t);
  if (!added) {
    if (it->second == t) return Status::ok();
    return corruption(where() + ": MetricID " + std::to_string(t.metric_id) + " appears with two TSIDs: " +
                      it->second.to_string() + " and " + t.to_string());
  }
  if (index_tsid_) {
    if (auto want = index_tsid_(t.metric_id); want && *want != t) {
      return corruption(where() + ": TSID " + t.to_string() + " differs from the index's TSID for MetricID " +
                        std::to_string(t.metric_id) + ", " + want->to_string() +
                        ": the block would be served as another series");
    }
  }
  return Status::ok();
}

Status CheckedPartSource::next_raw(RawBlock& out, bool* eof) {
  Status st = r_->next_raw(out, eof);
  if (st.is_ok()) st = *eof ? r_->verify_totals() : check_tsid(out.header.tsid);
  if (!st.is_ok() && st.code() != Code::io_error) damaged = true;
  return st;
}

}  // namespace vmt::storage
