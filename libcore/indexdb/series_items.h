// The index items vmstorage writes for a series: the global group and the per-day group.
//
// Spec: indexdb.md §4.1 (row kinds a-d), §5 (what is written when), §9 (worked example), §10.
//   global  (once per generation):   ns 3, ns 2, ns 1 rows
//   per day (each UTC day with samples): ns 5, ns 7, ns 6 rows
// Tag rows per group, in this order: (a) the metric name (empty key), (b) the reverse name (key FF)
// only if the name contains '.', (c) one row per tag, (d) one composite row per tag. With T tags a
// group has 3 + g + 2T items. Every row carries exactly one MetricID, as ingestion writes them.
// The MetricName must already be in canonical order (MetricName::sort_tags).
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "metric/metric_name.h"
#include "mergeset/items.h"
#include "metric/tsid.h"

namespace vmt::indexdb {

// canonical_mn must be mn.encode_canonical(t); passed in so callers encode it once per series.
void append_global_items(mergeset::Items& out, metric::Tenancy t, const metric::TSID& tsid,
                         const metric::MetricName& mn, ByteView canonical_mn);
void append_per_day_items(mergeset::Items& out, metric::Tenancy t, uint64_t date, const metric::TSID& tsid,
                          const metric::MetricName& mn, ByteView canonical_mn);
// The per-day group's two items that are not tag rows: ns 5 (date -> MetricID) and ns 7 (date ·
// name -> TSID), as append_per_day_items writes them first.
void append_per_day_id_items(mergeset::Items& out, metric::Tenancy t, uint64_t date, const metric::TSID& tsid,
                             ByteView canonical_mn);

}  // namespace vmt::indexdb
