// Legacy (before v1.90.0) part names and min_dedup_interval files: the fallback of
// PartHeader::read_dir when a part has no metadata.json.
//
// Spec: data-part.md §2 (legacy names), §9.2; storage-layout.md §8.1.
//   <RowsCount>_<BlocksCount>_<MinTs>_<MaxTs>_<16 hex>     exactly 5 '_'-separated fields
//   MinTs, MaxTs: Go layout "20060102150405.000", UTC, milliseconds
//   min_dedup_interval: a Go duration string ("1m0s", "30s", "0s"); absent = 0
// The header must pass PartHeader::validate, as for metadata.json. vmstorage v1.93.7 only reads
// these; nothing here writes them.
#pragma once

#include <cstdint>

#include "base/coding.h"
#include "base/status.h"
#include "storage/part_header.h"

namespace vmt::storage {

// The header from a legacy name (MinDedupInterval 0), validated.
Result<PartHeader> parse_legacy_part_name(ByteView part_name);
// "20060102150405.000" (UTC) -> Unix milliseconds.
Result<int64_t> parse_legacy_timestamp(ByteView s);
// A min_dedup_interval file ("1m0s", "1h2m3.5s", "500ms", "0s", "1d") -> milliseconds.
Result<int64_t> parse_duration_ms(ByteView s);

}  // namespace vmt::storage
