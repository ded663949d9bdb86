// Raw metric names: MarshalMetricNameRaw (vminsert) and MetricName.UnmarshalRaw (vmstorage).
// Spec: metricname-tsid.md §2.
#include "metric/metric_name.h"

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

}  // namespace vmt::metric
