// Placement of a row's copies. Spec: routing.md §1, §3, §5, §6.2.
#include "route/placement.h"

#include "metric/tsid_gen.h"
#include "route/node_hash.h"

namespace vmt::route {

Placement::Placement(ConsistentHash ch, std::vector<uint8_t> ready, size_t rf)
    : ch_(std::move(ch)), ready_(std::move(ready)) {
  not_ready_.resize(ready_.size());
  for (size_t i = 0; i < ready_.size(); ++i) not_ready_[i] = ready_[i] ? 0 : 1;
  replicas_.reserve(ready_.size());
  for (size_t i = 0; i < ready_.size(); ++i) replicas_.push_back(replica_nodes(i, rf, ready_));
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
  return Placement(ConsistentHash(opt.nodes, hash_seed(opt.multilevel)), std::move(ready), opt.replication_factor);
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
