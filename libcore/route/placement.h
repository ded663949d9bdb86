// Placement: every node that receives a copy of a row, as vminsert decides it.
//
// Spec: routing.md §1 (GetStorageNodeIdx), §3 (rendezvous), §5 (replication), §6.2 (rerouting).
//
//   1. idx = 0 with one node (no hashing), else getNodeIdx(hash(routing key), {}).
//   2. idx not ready (--unavailable) and N > 1: push() reroutes row by row,
//        idx = getNodeIdx(xxhash64(MetricNameRaw), exclude = every not-ready node).
//      h' = xxhash64(MetricNameRaw) equals the key hash except when the label-count limit dropped
//      labels (routing_key.h), so a rerouted row lands where it would if the down node were
//      removed from the list.
//   3. copies: replica_nodes(idx, replicationFactor, ready).
//
// Not modelled: vminsert blocks when every node is down (or the only one is): the constructor
// refuses that; and the buffer-level fallback of §5 (a node that fails between push and send
// hands its whole buffer to the next node in list order), which depends on timing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "route/consistent_hash.h"
#include "route/replication.h"

namespace vmt::route {

struct PlacementOptions {
  std::vector<std::string> nodes;         // -storageNode, flag order (validated)
  bool multilevel = false;                // hashSeed 0xABCDEF0123456789
  size_t replication_factor = 1;          // -replicationFactor
  std::vector<std::string> unavailable;   // addresses from `nodes` that are not ready
  // vminsert v1.136+ sorts the -storageNode addresses (netstorage.Init): the primary address is
  // the same (the hash is over addresses), the replicas are its successors in sorted order.
  bool sorted_ring = false;
};

class Placement {
 public:
  static Result<Placement> make(const PlacementOptions& opt);

  size_t size() const { return ch_.size(); }
  const ConsistentHash& hash() const { return ch_; }
  bool ready(size_t i) const { return ready_[i] != 0; }

  // The node that vminsert hashes a row to, before any rerouting (GetStorageNodeIdx).
  size_t primary(uint64_t key_hash) const { return ch_.size() == 1 ? 0 : ch_.node_idx(key_hash); }
  // The node whose buffer takes the row: primary, or its reroute target. raw is MetricNameRaw.
  size_t owner(uint64_t key_hash, ByteView raw, bool* rerouted) const;
  // Every node that gets a copy of a row owned by `owner`, copy 0 (= owner) first.
  const ReplicaSet& copies(size_t owner) const { return replicas_[owner]; }

 private:
  Placement(ConsistentHash ch, std::vector<uint8_t> ready, size_t rf, const std::vector<size_t>& ring);

  ConsistentHash ch_;
  std::vector<uint8_t> ready_;
  std::vector<uint8_t> not_ready_;
  std::vector<ReplicaSet> replicas_;  // per owner node (owners are always ready)
};

}  // namespace vmt::route
