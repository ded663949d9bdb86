// mergeTagToMetricIDsRows: the prepareBlock callback indexdb installs on its mergeset tables.
//
// Spec: mergeset.md §11, indexdb.md §8. Within one output block, adjacent ns 1 (then ns 6) rows with
// the same prefix (ns acc proj [date] esc(key) esc(value)) are combined into one row whose
// MetricIDs are sorted and de-duplicated; a combined row is flushed once it holds >= 64 IDs; rows
// that already hold >= 64 IDs, the block's first and last items, and every other namespace pass
// through unchanged. If the result is not sorted (duplicate IDs across rows can cause that), the
// original items are kept. The first and last items never change, so block order is preserved.
#pragma once

#include "base/status.h"
#include "mergeset/items.h"
#include "metric/tenancy.h"

namespace vmt::indexdb {

constexpr size_t kMaxMetricIDsPerRow = 64;

// Rewrites `in` into `out` (cleared first). A tag row that does not parse is corruption (the
// server panics there); then `out` is left as a copy of `in`.
Status merge_tag_to_metric_ids_rows(const mergeset::Items& in, mergeset::Items& out, metric::Tenancy t);

}  // namespace vmt::indexdb
