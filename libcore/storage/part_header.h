// PartHeader: the summary of a data part kept in its metadata.json.
//
// Spec: data-part.md §9 (and storage-layout.md §4.1). Written last by part_writer.cpp
// (write_file_sync, §15.A step 4), read at open by part_reader.cpp.
//
//   {"RowsCount":6,"BlocksCount":2,"MinTimestamp":1700000000000,"MaxTimestamp":1700000030000,"MinDedupInterval":0}
//
// Go json.Marshal of a struct without tags: these names, this order, compact, no trailing
// newline. Reading follows Go encoding/json: keys match case-insensitively (with Go's K/ſ
// folding), unknown keys are ignored, null and missing keys keep the reset values
// (MinTimestamp = INT64_MAX, MaxTimestamp = INT64_MIN, counts 0), the last duplicate wins, any
// other JSON type or a non-integer number for a known key is an error.
//
//   RowsCount         uint64   Σ RowsCount of the block headers          [>= 1]
//   BlocksCount       uint64   number of block headers                   [1 .. RowsCount]
//   MinTimestamp      int64    min block MinTimestamp, ms                [<= MaxTimestamp]
//   MaxTimestamp      int64    max block MaxTimestamp, ms
//   MinDedupInterval  int64    dedup interval (ms) the part was written with; 0 = none
//
// Legacy parts (before v1.90.0, §9.2) have no metadata.json: read_dir falls back to the directory
// name and the min_dedup_interval file (legacy_part_name.h).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "base/coding.h"
#include "base/status.h"
#include "storage/block_header.h"

namespace vmt::storage {

struct PartHeader {
  uint64_t rows_count = 0;
  uint64_t blocks_count = 0;
  int64_t min_timestamp = std::numeric_limits<int64_t>::max();
  int64_t max_timestamp = std::numeric_limits<int64_t>::min();
  int64_t min_dedup_interval = 0;   // milliseconds

  // updatePartHeader (§9.3): account for one written block.
  void update(const BlockHeader& bh);

  void encode_json(Bytes& out) const;   // appends the metadata.json text
  std::string to_json() const;
  // Go json.Unmarshal into a reset header, then validate().
  static Result<PartHeader> decode_json(ByteView json);
  Status validate() const;

  // Reads <part_dir>/metadata.json, or the legacy fallback when it is absent. Errors start with
  // "<display>/metadata.json: " (display defaults to part_dir).
  static Result<PartHeader> read_dir(const std::string& part_dir, const std::string& display = "");
  // Writes <part_dir>/metadata.json with create + write + fsync + close (not atomic, §9.1).
  Status write_dir(const std::string& part_dir) const;

  bool operator==(const PartHeader& o) const = default;
};

}  // namespace vmt::storage
