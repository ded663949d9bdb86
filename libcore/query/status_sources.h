// The pieces of the cardinality report (tsdb_status.h) that its passes share: one MetricID of
// one directory, and one index table and tenant with the MetricIDs in scope. Internal to query/.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>

#include "metric/tenancy.h"
#include "query/index_search.h"

namespace vmt::query::status {

// One MetricID of one directory: what series identity is made of across nodes.
struct NodeId {
  uint64_t id;
  uint32_t node;
  bool operator<(const NodeId& o) const { return id != o.id ? id < o.id : node < o.node; }
  bool operator==(const NodeId& o) const { return id == o.id && node == o.node; }
};
struct NodeIdHash {
  size_t operator()(const NodeId& k) const { return size_t(k.id * 0x9E3779B97F4A7C15ull) ^ k.node; }
};

// One index table and tenant of one directory, with the MetricIDs in scope (null: all).
struct Source {
  uint32_t node;
  size_t table;
  metric::Tenant tenant;
  std::shared_ptr<const IdSet> scope;
};

inline bool in_scope(const Source& s, const StorageSearch::Table& tab, uint64_t id) {
  if (s.scope && !s.scope->contains(id)) return false;
  return !tab.is_deleted(id);
}

// A repeated MetricID -> the first MetricID of its series.
using RepeatMap = std::unordered_map<NodeId, NodeId, NodeIdHash>;

}  // namespace vmt::query::status
