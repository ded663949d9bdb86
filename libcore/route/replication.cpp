// Replica placement. Spec: routing.md §5.
#include "route/replication.h"

namespace vmt::route {

ReplicaSet replica_nodes(size_t sn_idx, size_t replication_factor, const std::vector<uint8_t>& ready) {
  const size_t n = ready.size();
  ReplicaSet rs;
  if (n == 0) return rs;
  size_t replicas = replication_factor < 1 ? 1 : replication_factor;
  if (replicas > n) replicas = n;
  std::vector<uint8_t> used(n, 0);
  for (size_t k = 0; k < replicas; ++k) {
    size_t idx = sn_idx + k;
    bool placed = false;
    for (size_t attempts = 0; attempts < n; ++attempts) {
      idx %= n;
      size_t cand = idx++;
      if (used[cand] || !ready[cand]) continue;
      used[cand] = 1;
      rs.nodes.push_back(cand);
      placed = true;
      break;
    }
    if (!placed) ++rs.missing_copies;
  }
  return rs;
}

}  // namespace vmt::route
