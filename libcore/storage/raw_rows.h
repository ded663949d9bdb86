// RawRow and marshal_raw_rows: ingested samples become the blocks of a part.
//
// Spec: data-part.md §10 (rawRowsMarshaler.marshalToInmemoryPart). The rows are sorted by (TSID,
// Timestamp), grouped into blocks of consecutive rows with the first row's MetricID, at most 8192
// rows each, their floats turned into mantissas with one Scale per block (encoding.md §9.4), the
// PrecisionBits of the block's first row, then encoded and written (part_writer.h).
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "metric/tsid.h"
#include "storage/part_writer.h"

namespace vmt::storage {

struct RawRow {
  metric::TSID tsid;
  int64_t timestamp = 0;     // ms
  double value = 0;
  uint8_t precision_bits = 64;
};

// Sorts `rows` in place (not stable, as in VM: rows with equal TSID and timestamp end up in any
// order) and writes their blocks to `w`, which the caller opened (level kCompressLevelFromRows
// for VM's in-memory parts) and closes. Dedup is not applied here.
Status marshal_raw_rows(std::vector<RawRow>& rows, PartWriter& w);

}  // namespace vmt::storage
