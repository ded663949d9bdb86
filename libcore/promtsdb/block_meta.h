// BlockMeta: a block's meta.json.
//
// Spec: tsdb/block.go (BlockMeta) in the Prometheus repository; Thanos adds a "thanos" object.
//   {"ulid": "...", "minTime": ms, "maxTime": ms, "stats": {"numSamples": n, "numSeries": n, ...},
//    "compaction": {"level": n, "sources": [...]}, "version": 1,
//    "thanos": {"downsample": {"resolution": ms}, ...}}
// The block holds samples with minTime <= t < maxTime. Thanos downsampled blocks (resolution > 0)
// hold aggregate chunks, not raw samples.
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::promtsdb {

struct BlockMeta {
  std::string ulid;
  int64_t min_time = 0, max_time = 0;  // [min_time, max_time)
  uint64_t num_samples = 0, num_series = 0, num_chunks = 0;
  int version = 0;
  int64_t downsample_resolution = 0;   // Thanos; 0 = raw data
};

// Parses the text of a meta.json; `name` is used in errors.
Result<BlockMeta> parse_block_meta(ByteView text, const std::string& name);
Result<BlockMeta> read_block_meta(const std::string& path);

}  // namespace vmt::promtsdb
