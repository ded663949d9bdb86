// PartHeader: a mergeset part's metadata.json.
//
// Spec: mergeset.md §4, storage-layout.md §4.2. Written by part_writer.cpp as the LAST file of a
// part; read by part_reader.cpp at open. Go writes compact JSON, keys in this order, hex in lower
// case, no trailing newline:
//   {"ItemsCount":<u64>,"BlocksCount":<u64>,"FirstItem":"<hex>","LastItem":"<hex>"}
// FirstItem/LastItem are the complete first and last items of the part.
//
// Reading follows Go encoding/json (go_json.h): keys case-insensitive, last duplicate wins, unknown
// keys ignored; ItemsCount/BlocksCount take non-negative integers only (null leaves 0); the hex
// fields must be JSON strings (null is an error, as in Go's hexString.UnmarshalJSON), either case,
// even length. A missing key leaves its zero value. Known gap: Go hex-decodes the raw JSON text,
// so a \u escape inside a hex string fails there but is unescaped (and may pass) here.
//
// Invariants (validate, as ReadMetadata): ItemsCount >= 1, 1 <= BlocksCount <= ItemsCount.
// Exactness of the counts and items against the blocks is part_reader.cpp's full-scan check.
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::mergeset {

constexpr uint64_t kMaxMetadataJsonSize = 1 << 20;  // two 64 KiB items in hex fit with room

struct PartHeader {
  uint64_t items_count = 0;
  uint64_t blocks_count = 0;
  Bytes first_item;
  Bytes last_item;

  Bytes to_json() const;                          // byte-identical to Go's json.Marshal
  static Result<PartHeader> from_json(ByteView text);  // parses and validates
  Status validate() const;

  bool operator==(const PartHeader& o) const = default;
};

// <part_dir>/metadata.json: read (size-capped) and parse; errors carry the path.
Result<PartHeader> read_part_header(const std::string& part_dir);

}  // namespace vmt::mergeset
