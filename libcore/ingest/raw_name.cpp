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

bool RawNameBuilder::collect(const prom::Row& row, uint32_t* account_id, uint32_t* project_id, std::string* error) {
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
  *account_id = acc;
  *project_id = proj;
  return true;
}

bool RawNameBuilder::append(Bytes& out, const prom::Row& row, metric::RawStats* stats, std::string* error) {
  uint32_t acc = 0, proj = 0;
  if (!collect(row, &acc, &proj, error)) return false;
  metric::encode_raw(out, acc, proj, labels_, limits_, stats);
  return true;
}

bool RawNameBuilder::append_canonical(Bytes& out, const prom::Row& row, metric::Tenancy t, metric::RawStats* stats,
                                      std::string* error) {
  if (limits_.max_value_len > 0xffff) {
    // A value may wrap its u16 length in the raw name: the name vmstorage makes is what the raw
    // bytes decode to, if anything.
    raw_.clear();
    if (!append(raw_, row, stats, error)) return false;
    if (Status s = canon_.append(raw_, t, out); !s.is_ok()) {
      if (error) *error = "the raw metric name does not decode: " + s.message();
      return false;
    }
    return true;
  }
  // The raw name's records, straight from the labels: a fifth of a parser thread's time went to
  // writing the raw bytes and reading them back.
  uint32_t acc = 0, proj = 0;
  if (!collect(row, &acc, &proj, error)) return false;
  const size_t n = metric::apply_raw_limits(labels_, limits_, stats);
  canon_.append_labels(acc, proj, std::span<const metric::Label>(labels_.data(), n), t, out);
  return true;
}

}  // namespace vmt::ingest
