// Routing key and MetricNameRaw of a row. Spec: routing.md §2.
#include "route/routing_key.h"

#include "metric/tsid_gen.h"
#include "route/label_sort.h"

namespace vmt::route {

void KeyBuilder::build(const prom::Row& row) {
  labels_.clear();
  // AddLabel: the metric name first, then the line's tags, then the extra labels; empty values
  // never enter the list.
  labels_.push_back({opt_.order == LabelOrder::sorted ? ByteView("__name__") : ByteView(), row.metric});
  for (const auto& t : row.tags) {
    if (!t.value.empty()) labels_.push_back(t);
  }
  for (const auto& [name, value] : opt_.extra_labels) {
    if (!value.empty()) labels_.push_back({name, value});
  }
  finish();
}

void KeyBuilder::build_from_labels(const std::vector<metric::Label>& labels) {
  labels_.clear();
  for (const auto& l : labels) {
    if (!l.value.empty()) labels_.push_back(l);
  }
  finish();
}

void KeyBuilder::finish() {
  if (opt_.order == LabelOrder::sorted) sort_by_name_stable(labels_);
  if (opt_.sort_labels) go_sort_labels(labels_);
  over_limits_ = false;
  if (opt_.drop_over_limits) {
    over_limits_ = labels_.size() > opt_.limits.max_labels;
    for (size_t i = 0; !over_limits_ && i < labels_.size(); ++i) {
      over_limits_ = labels_[i].name.size() > metric::RawLimits::kMaxLabelNameLen ||
                     labels_[i].value.size() > opt_.limits.max_value_len;
    }
    if (over_limits_) {  // dropped before MarshalMetricNameRaw: nothing cut, nothing counted
      raw_.clear();
      key_is_raw_ = true;
      as_parsed_ = false;
      key_hash_ = 0;
      return;
    }
  }

  const uint64_t limited_before = raw_stats_.metrics_with_dropped_labels + raw_stats_.too_long_label_names +
                                  raw_stats_.too_long_label_values;
  raw_.clear();
  metric::encode_raw(raw_, opt_.account_id, opt_.project_id, labels_, opt_.limits, &raw_stats_);
  as_parsed_ = opt_.extra_labels.empty() && opt_.order == LabelOrder::as_is && !opt_.sort_labels &&
               raw_stats_.metrics_with_dropped_labels + raw_stats_.too_long_label_names +
                       raw_stats_.too_long_label_values == limited_before;

  // key == raw unless a label was dropped by the count limit or a value was cut to nothing.
  key_is_raw_ = labels_.size() <= opt_.limits.max_labels;
  for (size_t i = 0; key_is_raw_ && i < labels_.size(); ++i) key_is_raw_ = !labels_[i].value.empty();
  if (!key_is_raw_) {
    // GetStorageNodeIdx over every label of the (mutated) list, no limit, no skipping.
    key_.clear();
    put_u32(key_, opt_.account_id);
    put_u32(key_, opt_.project_id);
    for (const auto& l : labels_) {
      put_u16(key_, static_cast<uint16_t>(l.name.size()));  // marshalBytesFast: no length guard
      key_.append(l.name);
      put_u16(key_, static_cast<uint16_t>(l.value.size()));
      key_.append(l.value);
    }
  }
  key_hash_ = metric::xxhash64(key());
}

}  // namespace vmt::route
