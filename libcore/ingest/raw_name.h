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
// vmstorage canonicalises the raw name (MetricName.UnmarshalRaw, sortTags, Marshal) to find the
// series; append_canonical does the same on the parser threads (block_parser.h,
// prom_block_source.h), and the canonical name is the key of the importer's series registry
// (series_registry.h). No allocation per row once the buffers have grown.
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
  metric::Tenancy tenancy = metric::Tenancy::kCluster;  // the layout of the canonical names
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
  // Appends the canonical name (tenancy t) that vmstorage makes of the raw name of `row`. False as
  // append, and when the raw name does not decode: with --max-label-value-len above 65535 a longer
  // value wraps its u16 length (metricname-tsid.md §2.2), and vmstorage skips such a row.
  bool append_canonical(Bytes& out, const prom::Row& row, metric::Tenancy t, metric::RawStats* stats,
                        std::string* error = nullptr);

 private:
  // The labels of `row` that go into its raw name, in order, into labels_ (limits not applied
  // yet), and its tenant; false as append.
  bool collect(const prom::Row& row, uint32_t* account_id, uint32_t* project_id, std::string* error);
  uint32_t account_id_, project_id_;
  std::vector<ExtraLabel> extra_;
  metric::RawLimits limits_;
  bool multitenant_ = false;
  std::vector<metric::Label> labels_;  // reused
  Bytes raw_;                          // reused by append_canonical
  metric::RawCanonicalizer canon_;
};

}  // namespace vmt::ingest
