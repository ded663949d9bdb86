#include "ingest/raw_name.h"

namespace vmt::ingest {

RawNameBuilder::RawNameBuilder(uint32_t account_id, uint32_t project_id, std::vector<ExtraLabel> extra,
                               metric::RawLimits limits)
    : account_id_(account_id), project_id_(project_id), extra_(std::move(extra)), limits_(limits) {}

void RawNameBuilder::append(Bytes& out, const prom::Row& row, metric::RawStats* stats) {
  labels_.clear();
  // InsertCtx.AddLabel drops empty values BEFORE MarshalMetricNameRaw counts positions, so the
  // 30-label limit counts only labels that have a value.
  if (!row.metric.empty()) labels_.push_back({ByteView(), row.metric});
  for (const auto& t : row.tags) {
    if (!t.value.empty()) labels_.push_back(t);
  }
  for (const auto& e : extra_) {
    if (!e.value.empty()) labels_.push_back({e.name, e.value});
  }
  metric::encode_raw(out, account_id_, project_id_, labels_, limits_, stats);
}

}  // namespace vmt::ingest
