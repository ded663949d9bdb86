#include "storage/raw_rows.h"

#include <algorithm>

#include "encoding/decimal.h"

namespace vmt::storage {

Status marshal_raw_rows(std::vector<RawRow>& rows, PartWriter& w) {
  if (rows.empty()) return Status::ok();
  // rawRowsSort.Less: TSID field by field, then Timestamp (one pass; this is the sort's hot loop).
  auto less = [](const RawRow& a, const RawRow& b) {
    const metric::TSID& x = a.tsid;
    const metric::TSID& y = b.tsid;
    if (x.account_id != y.account_id) return x.account_id < y.account_id;
    if (x.project_id != y.project_id) return x.project_id < y.project_id;
    if (x.metric_group_id != y.metric_group_id) return x.metric_group_id < y.metric_group_id;
    if (x.job_id != y.job_id) return x.job_id < y.job_id;
    if (x.instance_id != y.instance_id) return x.instance_id < y.instance_id;
    if (x.metric_id != y.metric_id) return x.metric_id < y.metric_id;
    return a.timestamp < b.timestamp;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), less)) std::sort(rows.begin(), rows.end(), less);

  // Per-block scratch, reused for every block of this call.
  std::vector<int64_t> timestamps;
  std::vector<double> floats;
  std::vector<int64_t> mantissas;
  timestamps.reserve(kMaxRowsPerBlock);
  floats.reserve(kMaxRowsPerBlock);
  mantissas.reserve(kMaxRowsPerBlock);

  auto flush = [&](const RawRow& first) -> Status {
    mantissas.clear();
    const int16_t scale = decimal::append_float_to_decimal(mantissas, floats.data(), floats.size());
    return w.write_rows(first.tsid, timestamps.data(), mantissas.data(), timestamps.size(), scale,
                        first.precision_bits);
  };

  size_t first = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RawRow& r = rows[i];
    if (i > first && (r.tsid.metric_id != rows[first].tsid.metric_id || timestamps.size() >= kMaxRowsPerBlock)) {
      VMT_TRY(flush(rows[first]));
      timestamps.clear();
      floats.clear();
      first = i;
    }
    timestamps.push_back(r.timestamp);
    floats.push_back(r.value);
  }
  return flush(rows[first]);
}

}  // namespace vmt::storage
