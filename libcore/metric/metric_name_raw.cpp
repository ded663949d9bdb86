// Raw metric names: MarshalMetricNameRaw (vminsert) and MetricName.UnmarshalRaw (vmstorage).
// Spec: metricname-tsid.md §2.
#include "metric/metric_name.h"

#include <algorithm>
#include <cstring>

namespace vmt::metric {

void encode_raw(Bytes& out, uint32_t account_id, uint32_t project_id, std::vector<Label>& labels,
                const RawLimits& limits, RawStats* stats) {
  // First pass: apply the limits in place and size the output, as Go does.
  size_t n = labels.size();
  if (n > limits.max_labels) {
    n = limits.max_labels;
    if (stats) ++stats->metrics_with_dropped_labels;
  }
  size_t size = 8;
  for (size_t i = 0; i < n; ++i) {
    Label& l = labels[i];
    if (l.name.size() > RawLimits::kMaxLabelNameLen) {
      l.name = l.name.substr(0, RawLimits::kMaxLabelNameLen);
      if (stats) ++stats->too_long_label_names;
    }
    if (l.value.size() > limits.max_value_len) {
      l.value = l.value.substr(0, limits.max_value_len);
      if (stats) ++stats->too_long_label_values;
    }
    if (l.value.empty()) continue;  // checked before the rename: an empty "__name__" keeps its name
    if (l.name == "__name__") l.name = ByteView();
    size += 4 + l.name.size() + l.value.size();
  }
  // One resize and plain stores: this runs for every row routed or imported.
  const size_t base = out.size();
  out.resize(base + size);
  char* p = out.data() + base;
  store_u32(p, account_id);
  store_u32(p + 4, project_id);
  p += 8;
  for (size_t i = 0; i < n; ++i) {
    const Label& l = labels[i];
    if (l.value.empty()) continue;
    // marshalBytesFast: uint16(len) with no guard (§2.2 hazard for values > 65535 bytes).
    // (An empty name, the metric name's, may have no data pointer: memcpy must not see it.)
    store_u16(p, static_cast<uint16_t>(l.name.size()));
    if (!l.name.empty()) std::memcpy(p + 2, l.name.data(), l.name.size());
    p += 2 + l.name.size();
    store_u16(p, static_cast<uint16_t>(l.value.size()));
    std::memcpy(p + 2, l.value.data(), l.value.size());  // never empty here
    p += 2 + l.value.size();
  }
}

Result<MetricName> MetricName::decode_raw(ByteView src) {
  ByteReader in(src);
  MetricName mn;
  VMT_ASSIGN_OR_RETURN(mn.account_id, in.u32("AccountID"));
  VMT_ASSIGN_OR_RETURN(mn.project_id, in.u32("ProjectID"));
  for (size_t record = 0; !in.empty(); ++record) {
    // The context expressions are evaluated only on error.
    VMT_ASSIGN_OR_RETURN_CTX(uint16_t name_len, in.u16("label name length"),
                             "label #" + std::to_string(record));
    VMT_ASSIGN_OR_RETURN_CTX(ByteView name, in.take(name_len, "label name"),
                             "label #" + std::to_string(record));
    VMT_ASSIGN_OR_RETURN_CTX(uint16_t value_len, in.u16("label value length"),
                             "label #" + std::to_string(record));
    VMT_ASSIGN_OR_RETURN_CTX(ByteView value, in.take(value_len, "label value"),
                             "label #" + std::to_string(record));
    if (name.empty()) {
      mn.metric_group.assign(value);  // the last empty-named label wins
    } else {
      mn.add_tag(name, value);        // "__name__" appends to metric_group (AddTagBytes)
    }
  }
  return mn;
}

Status RawCanonicalizer::append(ByteView raw, Tenancy t, Bytes& out) {
  if (raw.size() < 8) return corruption("raw metric name: " + std::to_string(raw.size()) + " bytes, shorter than its tenant");
  const uint32_t account_id = load_u32(raw.data()), project_id = load_u32(raw.data() + 4);
  tags_.clear();
  group_.clear();
  // The records as decode_raw reads them: an empty name replaces the group, "__name__" appends
  // to it (AddTagBytes), any other name is a tag.
  for (size_t pos = 8, record = 0; pos < raw.size(); ++record) {
    ByteView field[2];
    for (ByteView& f : field) {
      if (raw.size() - pos < 2) return corruption("label #" + std::to_string(record) + ": truncated length at offset " + std::to_string(pos));
      const size_t len = load_u16(raw.data() + pos);
      pos += 2;
      if (raw.size() - pos < len) return corruption("label #" + std::to_string(record) + ": " + std::to_string(len) + "-byte field past the end at offset " + std::to_string(pos));
      f = raw.substr(pos, len);
      pos += len;
    }
    if (field[0].empty()) {
      group_.assign(field[1]);
    } else if (field[0] == "__name__") {
      group_.append(field[1]);
    } else {
      tags_.push_back(Entry{tag_sort_key(field[0]), field[0], field[1]});
    }
  }
  // sortTags: stable by sort key, then a key equal to the last kept one replaces it.
  auto by_key = [](const Entry& a, const Entry& b) { return a.sort_key < b.sort_key; };
  if (tags_.size() <= 64) {
    for (size_t i = 1; i < tags_.size(); ++i) {
      const Entry e = tags_[i];
      size_t j = i;
      for (; j > 0 && by_key(e, tags_[j - 1]); --j) tags_[j] = tags_[j - 1];
      tags_[j] = e;
    }
  } else {
    std::stable_sort(tags_.begin(), tags_.end(), by_key);
  }
  size_t kept = 0;
  for (const Entry& e : tags_) {
    if (kept > 0 && tags_[kept - 1].key == e.key) {
      tags_[kept - 1] = e;
    } else {
      tags_[kept++] = e;
    }
  }
  if (t == Tenancy::kCluster) {
    put_u32(out, account_id);
    put_u32(out, project_id);
  }
  escape_append(out, group_);
  for (size_t i = 0; i < kept; ++i) {
    escape_append(out, tags_[i].key);
    escape_append(out, tags_[i].value);
  }
  return Status::ok();
}

}  // namespace vmt::metric
