// check_part: everything a writer must know about a data part before it carries the part's blocks
// into a new part. A merge copies blocks it does not need to re-encode byte for byte and then
// deletes the source, so a block it cannot decode, or one whose TSID a flipped bit turned into
// another series', would become the only copy: damage made permanent. This is verify's check of
// one part, with the data<->index cross-reference for the series the part holds.
//
// Spec: data-part.md §6-§10 (all of PartReader's checks, part_reader.h, every block decoded),
// §9.3 (the totals in metadata.json), indexdb.md §4.3 (ns 2: MetricID -> TSID).
// Checked: every block header, every block's timestamps and values decoded with all checks
// (exact Min/MaxTimestamp, FirstValue), the totals, one TSID per MetricID within the part, and,
// where the index knows a MetricID, that its TSID is the one in the index.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"
#include "metric/tenancy.h"
#include "metric/tsid.h"

namespace vmt::storage {

// The index's TSID for a MetricID, or nullopt when the index has none.
using IndexTsidLookup = std::function<std::optional<metric::TSID>(uint64_t metric_id)>;

// Corruption naming the file, block and field of the first damage found. `index_tsid` may be
// empty (no cross-reference).
Status check_part(const std::string& dir, metric::Tenancy tenancy, const std::string& display,
                  const IndexTsidLookup& index_tsid);

}  // namespace vmt::storage
