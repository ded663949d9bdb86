#include "ingest/raw_name.h"

namespace vmt::ingest {

RawNameBuilder::RawNameBuilder(uint32_t account_id, uint32_t project_id, std::vector<ExtraLabel> extra,
                               metric::RawLimits limits)
    : account_id_(account_id), project_id_(project_id), extra_(std::move(extra)), limits_(limits) {}

namespace {

bool parse_u32(ByteView s, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = uint32_t(v);
  return true;
}

}  // namespace

bool RawNameBuilder::append(Bytes& out, const prom::Row& row, metric::RawStats* stats, std::string* error) {
  labels_.clear();
  uint32_t acc = account_id_, proj = project_id_;
  if (multitenant_) {
    acc = proj = 0;
    for (const auto& t : row.tags) {
      const bool a = t.name == ByteView("vm_account_id"), p = t.name == ByteView("vm_project_id");
      if ((a || p) && !parse_u32(t.value, a ? &acc : &proj)) {
        if (error) *error = "cannot parse " + std::string(t.name) + "=\"" + std::string(t.value) + "\" as a uint32 tenant ID";
        return false;
      }
    }
  }
  // InsertCtx.AddLabel drops empty values BEFORE MarshalMetricNameRaw counts positions, so the
  // 30-label limit counts only labels that have a value.
  if (!row.metric.empty()) labels_.push_back({ByteView(), row.metric});
  for (const auto& t : row.tags) {
    if (t.value.empty()) continue;
    if (multitenant_ && (t.name == ByteView("vm_account_id") || t.name == ByteView("vm_project_id"))) continue;
    labels_.push_back(t);
  }
  for (const auto& e : extra_) {
    if (!e.value.empty()) labels_.push_back({e.name, e.value});
  }
  metric::encode_raw(out, acc, proj, labels_, limits_, stats);
  return true;
}

bool RawNameBuilder::append_canonical(Bytes& out, const prom::Row& row, metric::Tenancy t, metric::RawStats* stats,
                                      std::string* error) {
  raw_.clear();
  if (!append(raw_, row, stats, error)) return false;
  if (Status s = canon_.append(raw_, t, out); !s.is_ok()) {
    if (error) *error = "the raw metric name does not decode: " + s.message();
    return false;
  }
  return true;
}

}  // namespace vmt::ingest
