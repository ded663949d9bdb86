// Placement of a row's copies. Spec: routing.md §1, §3, §5, §6.2.
#include "route/placement.h"

#include <algorithm>

#include "metric/tsid_gen.h"
#include "route/node_hash.h"

namespace vmt::route {

// `ring`: the node indexes (flag order) in the order vminsert keeps them; replicas follow it.
Placement::Placement(ConsistentHash ch, std::vector<uint8_t> ready, size_t rf, const std::vector<size_t>& ring)
    : ch_(std::move(ch)), ready_(std::move(ready)) {
  const size_t n = ready_.size();
  not_ready_.resize(n);
  for (size_t i = 0; i < n; ++i) not_ready_[i] = ready_[i] ? 0 : 1;
  std::vector<uint8_t> ring_ready(n);
  std::vector<size_t> pos(n);
  for (size_t p = 0; p < n; ++p) {
    ring_ready[p] = ready_[ring[p]];
    pos[ring[p]] = p;
  }
  replicas_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    ReplicaSet rs = replica_nodes(pos[i], rf, ring_ready);
    for (size_t& node : rs.nodes) node = ring[node];
    replicas_.push_back(std::move(rs));
  }
}

Result<Placement> Placement::make(const PlacementOptions& opt) {
  const size_t n = opt.nodes.size();
  if (n == 0) return invalid_argument("no storage nodes");
  if (opt.replication_factor < 1) {
    return invalid_argument("--replication-factor must be >= 1; got " + std::to_string(opt.replication_factor));
  }
  std::vector<uint8_t> ready(n, 1);
  for (const auto& u : opt.unavailable) {
    size_t i = 0;
    while (i < n && opt.nodes[i] != u) ++i;
    if (i == n) {
      return invalid_argument("--unavailable \"" + u + "\" is not one of the --storage-node addresses");
    }
    ready[i] = 0;
  }
  size_t n_ready = 0;
  for (uint8_t r : ready) n_ready += r;
  if (n_ready == 0) {
    return invalid_argument(n == 1 ? "the only storage node is unavailable: vminsert would block until it is back"
                                   : "every storage node is unavailable: vminsert would block until one is back");
  }
  std::vector<size_t> ring(n);
  for (size_t i = 0; i < n; ++i) ring[i] = i;
  if (opt.sorted_ring) {
    std::stable_sort(ring.begin(), ring.end(), [&](size_t a, size_t b) { return opt.nodes[a] < opt.nodes[b]; });
  }
  return Placement(ConsistentHash(opt.nodes, hash_seed(opt.multilevel)), std::move(ready), opt.replication_factor, ring);
}

size_t Placement::owner(uint64_t key_hash, ByteView raw, bool* rerouted) const {
  size_t idx = primary(key_hash);
  *rerouted = false;
  if (ready_[idx]) return idx;
  // rerouteRowsToReadyStorageNodes: rehash the encoded row's MetricNameRaw, skip not-ready nodes.
  *rerouted = true;
  return ch_.node_idx(metric::xxhash64(raw), not_ready_);
}

}  // namespace vmt::route
