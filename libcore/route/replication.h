// Which nodes get the copies of a buffer with -replicationFactor > 1.
//
// Spec: routing.md §5. Go: app/vminsert/netstorage/netstorage.go (sendBufToReplicasNonblocking).
//
//   replicas = clamp(replicationFactor, 1, N)
//   for copy k in 0..replicas-1:
//     start at node (snIdx + k) mod N and walk forward (+1 mod N), at most N attempts, skipping
//     nodes that already hold a copy and nodes that are not ready; the copy goes to the first
//     remaining node. No such node: copy 0 is retried forever by vminsert (it never leaves),
//     a later copy is dropped (vm_rpc_rows_incompletely_replicated_total).
//
// Copies are placed by LIST POSITION, not by hash. snIdx is the node whose buffer it is: the hashed
// node, or the node a row was rerouted to (placement.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmt::route {

struct ReplicaSet {
  std::vector<size_t> nodes;   // copy 0 first; fewer than the replication factor when incomplete
  size_t missing_copies = 0;   // copies that could not be placed (rows incompletely replicated)
};

// ready[i] != 0 when node i can take data; ready.size() is N. sn_idx < N.
ReplicaSet replica_nodes(size_t sn_idx, size_t replication_factor, const std::vector<uint8_t>& ready);

}  // namespace vmt::route
