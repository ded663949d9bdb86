// generateTSID: the TSID of a NEW series from its canonical MetricName.
//
// Spec: metricname-tsid.md §5.2. Go: lib/storage/index_db.go@v1.93.7-cluster (generateTSID).
//   AccountID, ProjectID  copied from the name
//   MetricGroupID         xxhash64(metric_group)            (raw, unescaped bytes; XXH64 seed 0)
//   JobID                 low32(xxhash64(tags[0].value))    0 without tags
//   InstanceID            low32(xxhash64(tags[1].value))    0 with fewer than 2 tags
//   MetricID              given by the caller (unique per vmstorage, > every MetricID in indexdb)
// The name must already be canonical (MetricName::sort_tags): tags[0] and tags[1] are whatever
// sorts first, job-like and instance-like keys only when present. Only values are hashed.
#pragma once

#include <cstdint>

#include "base/coding.h"
#include "metric/metric_name.h"
#include "metric/tsid.h"

namespace vmt::metric {

uint64_t xxhash64(ByteView b);  // xxhash.Sum64 (cespare/xxhash v2): XXH64 with seed 0

TSID generate_tsid(const MetricName& canonical_sorted, uint64_t metric_id);

// The same TSID read straight from a canonical name's bytes (MetricName::encode of sorted tags):
// only the tenant, the metric group and the first two tags are decoded, the rest of the name is
// not read. *tags is how many tags the name has, counted up to 2. The import settles a TSID per
// new series this way: a million names' full decode was a fifth of each spill's serial time.
// `scratch` holds escaped strings' unescaped bytes (reused between calls).
Result<TSID> generate_tsid_canonical(ByteView canonical, Tenancy t, uint64_t metric_id, size_t* tags, Bytes& scratch);

}  // namespace vmt::metric
