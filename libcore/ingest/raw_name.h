// RawNameBuilder: a parsed exposition row -> the MetricNameRaw vminsert sends to vmstorage.
//
// Spec: prometheus-text.md §2 and §10.1 (the label list), §9.1 (extra_label), metricname-tsid.md
// §2.2 (MarshalMetricNameRaw and vminsert's limits). Go: app/vminsert/prometheusimport
// (insertRows), app/vminsert/netstorage/insert_ctx.go (AddLabel), lib/storage/metric_name.go.
//   labels = ("", metric) ++ row tags in line order ++ extra labels in argument order,
//            a label with an empty value skipped (InsertCtx.AddLabel),
//   then MarshalMetricNameRaw: positions >= 30 dropped, names cut to 256 bytes, values to 16384,
//            "__name__" renamed to the empty name:
//   raw = acc u32 BE · proj u32 BE · ( u16 BE len · name · u16 BE len · value )*
// The raw name is the key of the series registry (series_registry.h), as it is the key of
// vmstorage's tsid cache. Used by line_pipeline.cpp on the parser threads; no allocation per row
// once the label vector has grown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "metric/extra_label.h"
#include "metric/metric_name.h"
#include "prom/parser.h"

namespace vmt::ingest {

using metric::ExtraLabel;
using metric::parse_extra_label;

// How every row source names its rows' series: the tenant (cluster), --extra-label pairs, and
// vminsert's label limits. One value, handed from the importer to whichever source reads.
struct RowNaming {
  uint32_t account_id = 0, project_id = 0;
  std::vector<ExtraLabel> extra_labels;
  metric::RawLimits limits;
};

class RawNameBuilder {
 public:
  RawNameBuilder(uint32_t account_id, uint32_t project_id, std::vector<ExtraLabel> extra,
                 metric::RawLimits limits = {});

  // /insert/multitenant/ (the server's multitenant write endpoints): each row's tenant comes from
  // its vm_account_id and vm_project_id labels, which leave the series (a missing one is 0), not
  // from the constructor's.
  void set_multitenant(bool on) { multitenant_ = on; }
  // Appends the raw name of `row` to out. False, with nothing appended and *error set, when a
  // tenant label (multitenant only) is not a uint32.
  bool append(Bytes& out, const prom::Row& row, metric::RawStats* stats, std::string* error = nullptr);

 private:
  uint32_t account_id_, project_id_;
  std::vector<ExtraLabel> extra_;
  metric::RawLimits limits_;
  bool multitenant_ = false;
  std::vector<metric::Label> labels_;  // reused
};

}  // namespace vmt::ingest
