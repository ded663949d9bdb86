// TSID: the series id that keys data blocks and index items: 32 bytes in the cluster, 24 in
// single-node, which has no tenant (metric/tenancy.h).
//
// Spec: metricname-tsid.md §5, data-part.md §4. All fields big-endian, no zig-zag:
//   off  0  AccountID      u32   [cluster only]
//   off  4  ProjectID      u32   [cluster only]
//   off  8  MetricGroupID  u64   xxhash64(metric name)             (single-node: off 0)
//   off 16  JobID          u32   low32(xxhash64(value of the 1st canonical tag))
//   off 20  InstanceID     u32   low32(xxhash64(value of the 2nd canonical tag))
//   off 24  MetricID       u64   unique per vmstorage, across tenants
// In memory a single-node TSID has AccountID = ProjectID = 0, so one order serves both.
// Order (TSID.Less) is field by field as unsigned integers, which equals memcmp order of the
// marshaled form: data blocks are sorted by it.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/status.h"
#include "metric/tenancy.h"

namespace vmt::metric {

struct TSID {
  static constexpr size_t kMaxSize = 32;
  // Marshaled size: 32 (cluster) or 24 (single-node).
  static constexpr size_t size(Tenancy t) { return 24 + tenant_bytes(t); }

  uint32_t account_id = 0;
  uint32_t project_id = 0;
  uint64_t metric_group_id = 0;
  uint32_t job_id = 0;
  uint32_t instance_id = 0;
  uint64_t metric_id = 0;

  // Writes size(t) bytes at p (the caller owns them): the counterpart of load().
  void store(char* p, Tenancy t) const {
    if (t == Tenancy::kCluster) {
      store_u32(p, account_id);
      store_u32(p + 4, project_id);
      p += 8;
    }
    store_u64(p, metric_group_id);
    store_u32(p + 8, job_id);
    store_u32(p + 12, instance_id);
    store_u64(p + 16, metric_id);
  }
  void encode(Bytes& out, Tenancy t) const {
    char p[kMaxSize];
    store(p, t);
    out.append(p, size(t));
  }
  // Decodes from exactly-sized raw bytes (p has >= size(t) bytes; caller checked).
  static TSID load(const char* p, Tenancy t) {
    TSID r;
    if (t == Tenancy::kCluster) {
      r.account_id = load_u32(p);
      r.project_id = load_u32(p + 4);
      p += 8;
    }
    r.metric_group_id = load_u64(p);
    r.job_id = load_u32(p + 8);
    r.instance_id = load_u32(p + 12);
    r.metric_id = load_u64(p + 16);
    return r;
  }
  static Result<TSID> decode(ByteReader& in, Tenancy t) {
    VMT_ASSIGN_OR_RETURN(ByteView b, in.take(size(t), "TSID"));
    return load(b.data(), t);
  }

  auto key() const { return std::tie(account_id, project_id, metric_group_id, job_id, instance_id, metric_id); }
  bool operator<(const TSID& o) const { return key() < o.key(); }
  bool operator==(const TSID& o) const { return key() == o.key(); }
  bool operator!=(const TSID& o) const { return !(*this == o); }
  bool operator<=(const TSID& o) const { return !(o < *this); }

  std::string to_string() const;  // "acc:proj/mg=../job=../inst=../mid=.." for dumps and errors
};

}  // namespace vmt::metric
