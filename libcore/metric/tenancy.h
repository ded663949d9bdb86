// Tenancy: whether a storage's series identities carry a tenant (cluster) or not (single-node).
//
// It is the one difference between the cluster and single-node formats below the directory level
// (lib/storage/{tsid,metric_name,index_db}.go at v1.93.7 against v1.93.7-cluster, unchanged up to
// v1.148): the cluster prefixes AccountID u32 BE · ProjectID u32 BE to
//   - the TSID (32 bytes; single-node 24), so data block headers are 89/81 bytes and metaindex
//     rows 64/56;
//   - the canonical MetricName (MetricName.Marshal);
//   - index items of namespaces 1, 2, 3, 5, 6 (right after the namespace byte);
//   - the raw MetricName vminsert sends (single-node has no vminsert).
// Every codec that lays out one of these takes a Tenancy; nothing else branches on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vmt::metric {

enum class Tenancy : uint8_t { kCluster, kSingle };

// Bytes of AccountID and ProjectID in a prefix: 8 for the cluster, 0 for single-node.
constexpr size_t tenant_bytes(Tenancy t) { return t == Tenancy::kCluster ? 8 : 0; }

// "cluster" / "single-node", for reports.
constexpr const char* tenancy_name(Tenancy t) { return t == Tenancy::kCluster ? "cluster" : "single-node"; }

// A tenant of the cluster: AccountID and ProjectID ("A:P" in vminsert's and vmselect's URLs).
// Single-node storage reads as tenant 0:0.
struct Tenant {
  uint32_t account_id = 0;
  uint32_t project_id = 0;
  bool operator==(const Tenant& o) const { return account_id == o.account_id && project_id == o.project_id; }
  bool operator!=(const Tenant& o) const { return !(*this == o); }
  bool operator<(const Tenant& o) const {
    return account_id != o.account_id ? account_id < o.account_id : project_id < o.project_id;
  }
  std::string to_string() const { return std::to_string(account_id) + ":" + std::to_string(project_id); }
};

}  // namespace vmt::metric
