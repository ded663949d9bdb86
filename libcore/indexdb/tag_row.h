// Tag rows: the inverted index, namespaces 1 (global) and 6 (per day).
//
// Spec: indexdb.md §2, §4.1, §8; mergeset.md §11.
//   ns 1:  01 · acc u32 · proj u32 ·             esc(KEY) esc(VALUE) MetricID u64 BE +
//   ns 6:  06 · acc u32 · proj u32 · date u64 ·  esc(KEY) esc(VALUE) MetricID u64 BE +
// (acc and proj in the cluster only: metric/tenancy.h; single-node rows read as tenant 0:0.)
// KEY kinds: empty (the metric name row), FF (Graphite reverse name, VALUE reversed), FE-prefixed
// composite "FE varint(len(name)) name tagKey" (escaped as a whole), or a plain tag key.
// The MetricID tail is a positive multiple of 8 bytes; ingestion writes one ID per row, merges
// combine up to 64 (+63) into one row, sorted and de-duplicated.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "metric/tenancy.h"

namespace vmt::indexdb {

constexpr uint8_t kNsTagToMetricIDs = 1;
constexpr uint8_t kNsDateTagToMetricIDs = 6;

struct TagRow {
  uint8_t ns = kNsTagToMetricIDs;
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t date = 0;  // ns 6 only
  Bytes key;          // unescaped
  Bytes value;        // unescaped
  std::vector<uint64_t> metric_ids;

  // Everything before the MetricIDs: ns acc proj [date] esc(key) esc(value).
  void encode_prefix(Bytes& out, metric::Tenancy t) const;
  void encode(Bytes& out, metric::Tenancy t) const;
  // Parses a whole ns 1 or ns 6 item; the tail must be a non-empty multiple of 8 bytes.
  static Result<TagRow> decode(ByteView item, metric::Tenancy t);
  // Length of the prefix (through the value's terminator) of an ns 1/6 item, for comparing the
  // prefixes of neighbouring rows without copying; fails like decode().
  static Result<size_t> prefix_len(ByteView item, metric::Tenancy t);
};

// How the KEY of a tag row reads: "__name__", "reverse(__name__)", "composite(<name>, <key>)" or the
// key itself (non-UTF-8 bytes are printed as-is).
struct KeyKind {
  enum Kind { kMetricName, kReverseMetricName, kComposite, kTag } kind = kTag;
  Bytes metric_group;  // kComposite: the name part
  Bytes tag_key;       // kComposite and kTag
};
KeyKind classify_key(ByteView key);
std::string describe_key(ByteView key);

// Builds the composite key FE · varint(len(name)) · name · tagKey (unescaped form).
void composite_key(Bytes& out, ByteView metric_group, ByteView tag_key);

}  // namespace vmt::indexdb
