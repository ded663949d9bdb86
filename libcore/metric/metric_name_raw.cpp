// Raw metric names: MarshalMetricNameRaw (vminsert) and MetricName.UnmarshalRaw (vmstorage).
// Spec: metricname-tsid.md §2.
#include "metric/metric_name.h"

#include <algorithm>
#include <cstring>

namespace vmt::metric {

size_t apply_raw_limits(std::vector<Label>& labels, const RawLimits& limits, RawStats* stats) {
  size_t n = labels.size();
  if (n > limits.max_labels) {
    n = limits.max_labels;
    if (stats) ++stats->metrics_with_dropped_labels;
  }
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
  }
  return n;
}

void encode_raw(Bytes& out, uint32_t account_id, uint32_t project_id, std::vector<Label>& labels,
                const RawLimits& limits, RawStats* stats) {
  // First the limits, in place, as Go applies them while it sizes the output.
  const size_t n = apply_raw_limits(labels, limits, stats);
  size_t size = 8;
  for (size_t i = 0; i < n; ++i) {
    if (!labels[i].value.empty()) size += 4 + labels[i].name.size() + labels[i].value.size();
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
  MetricName mn;
  VMT_TRY(walk_raw(src, &mn.account_id, &mn.project_id, [&](ByteView name, ByteView value) {
    if (name.empty()) {
      mn.metric_group.assign(value);  // the last empty-named label wins
    } else {
      mn.add_tag(name, value);        // "__name__" appends to metric_group (AddTagBytes)
    }
  }));
  return mn;
}

// As decode_raw: an empty name replaces the group, "__name__" appends to it (AddTagBytes), any
// other name is a tag.
void RawCanonicalizer::add(ByteView name, ByteView value) {
  if (name.empty()) {
    group_.assign(value);
  } else if (name == "__name__") {
    group_.append(value);
  } else {
    tags_.push_back(Entry{tag_sort_key(name), name, value});
  }
}

void RawCanonicalizer::finish(uint32_t account_id, uint32_t project_id, Tenancy t, Bytes& out) {
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
}

Status RawCanonicalizer::append(ByteView raw, Tenancy t, Bytes& out) {
  uint32_t account_id = 0, project_id = 0;
  tags_.clear();
  group_.clear();
  VMT_TRY(walk_raw(raw, &account_id, &project_id, [&](ByteView name, ByteView value) { add(name, value); }));
  finish(account_id, project_id, t, out);
  return Status::ok();
}

void RawCanonicalizer::append_labels(uint32_t account_id, uint32_t project_id, std::span<const Label> labels,
                                     Tenancy t, Bytes& out) {
  tags_.clear();
  group_.clear();
  // The records encode_raw writes of them: those with a value, in order.
  for (const Label& l : labels) {
    if (!l.value.empty()) add(l.name, l.value);
  }
  finish(account_id, project_id, t, out);
}

}  // namespace vmt::metric
