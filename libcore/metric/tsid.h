// TSID: the 32-byte [cluster] series id that keys data blocks and index items.
//
// Spec: metricname-tsid.md §5, data-part.md §4. All fields big-endian, no zig-zag:
//   off  0  AccountID      u32
//   off  4  ProjectID      u32
//   off  8  MetricGroupID  u64   xxhash64(metric name)
//   off 16  JobID          u32   low32(xxhash64(value of the 1st canonical tag))
//   off 20  InstanceID     u32   low32(xxhash64(value of the 2nd canonical tag))
//   off 24  MetricID       u64   unique per vmstorage, across tenants
// Order (TSID.Less) is field by field as unsigned integers, which equals memcmp order of the
// marshaled form: data blocks are sorted by it.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"

namespace vmt::metric {

struct TSID {
  static constexpr size_t kSize = 32;

  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t metric_group_id = 0;
  uint32_t job_id = 0;
  uint32_t instance_id = 0;
  uint64_t metric_id = 0;

  // Writes the 32 bytes at p (the caller owns kSize bytes there): the counterpart of load().
  void store(char* p) const {
    store_u32(p, account_id);
    store_u32(p + 4, project_id);
    store_u64(p + 8, metric_group_id);
    store_u32(p + 16, job_id);
    store_u32(p + 20, instance_id);
    store_u64(p + 24, metric_id);
  }
  void encode(Bytes& out) const {
    char p[kSize];
    store(p);
    out.append(p, kSize);
  }
  // Decodes from exactly-sized raw bytes (p has >= 32 bytes; caller checked).
  static TSID load(const char* p) {
    TSID t;
    t.account_id = load_u32(p);
    t.project_id = load_u32(p + 4);
    t.metric_group_id = load_u64(p + 8);
    t.job_id = load_u32(p + 16);
    t.instance_id = load_u32(p + 20);
    t.metric_id = load_u64(p + 24);
    return t;
  }
  static Result<TSID> decode(ByteReader& in) {
    VMT_ASSIGN_OR_RETURN(ByteView b, in.take(kSize, "TSID"));
    return load(b.data());
  }

  auto key() const { return std::tie(account_id, project_id, metric_group_id, job_id, instance_id, metric_id); }
  bool operator<(const TSID& o) const { return key() < o.key(); }
  bool operator==(const TSID& o) const { return key() == o.key(); }
  bool operator!=(const TSID& o) const { return !(*this == o); }
  bool operator<=(const TSID& o) const { return !(o < *this); }

  std::string to_string() const;  // "acc:proj/mg=../job=../inst=../mid=.." for dumps and errors
};

}  // namespace vmt::metric
