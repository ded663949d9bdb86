// The routing key of a row: the exact bytes vminsert hashes to pick a node, and MetricNameRaw.
//
// Spec: routing.md §1-§2, prometheus-text.md §10.1, metricname-tsid.md §2.2.
// Go: app/vminsert/prometheusimport/request_handler.go, app/vminsert/netstorage/insert_ctx.go
// (WriteDataPoint, GetStorageNodeIdx), lib/storage/metric_name.go (MarshalMetricNameRaw).
//
//   labels = ("", metric), row tags in line order, extra labels      empty values skipped (AddLabel)
//            (metric named "__name__" instead when the order is remote write's: LabelOrder::sorted)
//   LabelOrder::sorted   stable sort by name: the order Prometheus remote write sends (label_sort.h)
//   sort_labels          vminsert -sortLabels: Go sort.Sort by name
//   raw  = MarshalMetricNameRaw(acc, proj, labels)   mutates labels IN PLACE: names cut to 256 bytes,
//          values to max_value_len, "__name__" renamed ""; positions >= max_labels are dropped
//   key  = u32 acc | u32 proj | (u16 len, name, u16 len, value) for EVERY label, mutated ones as
//          mutated, the dropped ones in full and unmodified, empty values as zero-length
//   h    = xxhash64(key)
// In the normal case (no label dropped by the count limit, no value emptied) key == raw and only
// raw is built; the key is built separately otherwise.
//
// Buffers are reused across rows: build() does not allocate in steady state.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "metric/extra_label.h"
#include "metric/metric_name.h"
#include "prom/parser.h"

namespace vmt::route {

enum class LabelOrder : uint8_t {
  as_is,   // the order of the input line (Prometheus text import, vmagent's default)
  sorted,  // by name with the metric as "__name__" (Prometheus remote write, vmagent -sortLabels)
};

struct KeyOptions {
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  // Appended after the line's labels, in order (extra_label query args). Empty values are skipped.
  std::vector<metric::ExtraLabel> extra_labels;
  LabelOrder order = LabelOrder::as_is;
  bool sort_labels = false;     // -sortLabels
  metric::RawLimits limits;     // -maxLabelsPerTimeseries, -maxLabelValueLen
  // vminsert v1.136+ (lib/timeserieslimits): a series over a limit is dropped whole instead of
  // having labels cut (v1.93.7's MarshalMetricNameRaw).
  bool drop_over_limits = false;
};


class KeyBuilder {
 public:
  explicit KeyBuilder(KeyOptions opt) : opt_(std::move(opt)) {}

  // Builds labels, raw name and key of one parsed row. Views stay valid while the row's line and
  // scratch do and until the next build().
  void build(const prom::Row& row);
  // The same from a ready label list (metric first, as ("", metric) or ("__name__", metric)).
  void build_from_labels(const std::vector<metric::Label>& labels);

  ByteView raw() const { return raw_; }
  ByteView key() const { return key_is_raw_ ? ByteView(raw_) : ByteView(key_); }
  uint64_t key_hash() const { return key_hash_; }
  // Labels in hashed order, after the in-place mutation (all of them, also the dropped ones).
  const std::vector<metric::Label>& labels() const { return labels_; }
  // How many leading labels reached MetricNameRaw (the others were dropped by the count limit).
  size_t kept_labels() const { return labels_.size() < opt_.limits.max_labels ? labels_.size() : opt_.limits.max_labels; }
  const metric::RawStats& raw_stats() const { return raw_stats_; }
  // With drop_over_limits: the row's series exceeds a limit and vminsert drops it.
  bool over_limits() const { return over_limits_; }
  // True when the hashed labels are exactly what parsing the row's line again gives: no extra
  // labels, no reordering, nothing cut or dropped by the limits. The line itself can then stand
  // for the row (prom_render.h is needed otherwise).
  bool as_parsed() const { return as_parsed_; }
  const KeyOptions& options() const { return opt_; }

 private:
  void finish();

  KeyOptions opt_;
  std::vector<metric::Label> labels_;
  Bytes raw_;
  Bytes key_;
  bool key_is_raw_ = true;
  bool as_parsed_ = true;
  bool over_limits_ = false;
  uint64_t key_hash_ = 0;
  metric::RawStats raw_stats_;
};

}  // namespace vmt::route
