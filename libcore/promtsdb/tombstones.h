// Tombstones: the deleted time ranges of a block's series (the `tombstones` file).
//
// Spec: tsdb/tombstones/tombstones.go (Prometheus repository; the format document there still shows
// an older layout). The file is magic 0x0130BA30 (4, BE) · format 1 (1) · stones · CRC32C of the
// stones (4, BE), where each stone is series ref uvarint · mint varint · maxt varint: the samples of
// that series with mint <= t <= maxt are deleted. A block without the file has no tombstones.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::promtsdb {

constexpr uint32_t kTombstonesMagic = 0x0130BA30;

struct Interval {
  int64_t mint = 0, maxt = 0;  // inclusive
};

class Tombstones {
 public:
  // Reads `path`; a missing file is no tombstones.
  Status read(const std::string& path);
  // The deleted ranges of series `ref`, sorted and merged; nullptr when it has none.
  const std::vector<Interval>* find(uint64_t ref) const {
    auto it = stones_.find(ref);
    return it == stones_.end() ? nullptr : &it->second;
  }
  size_t series() const { return stones_.size(); }
  // Decodes the bytes of a tombstones file (tests and fuzzing); `name` is used in errors.
  Status parse(ByteView file, const std::string& name);

 private:
  std::unordered_map<uint64_t, std::vector<Interval>> stones_;
};

// True when `t` lies in one of the sorted, merged `ivs`.
bool deleted_in(const std::vector<Interval>& ivs, int64_t t);

}  // namespace vmt::promtsdb
