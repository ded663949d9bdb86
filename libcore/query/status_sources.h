// The pieces of the cardinality report (tsdb_status.h) that its passes share: one MetricID of
// one directory, one index table and tenant with the MetricIDs in scope, what the names and rows
// passes count. Internal to query/.
#pragma once

#include <cstdint>
#include <memory>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "metric/tenancy.h"
#include "layout/storage_dir.h"
#include "query/index_search.h"
#include "query/tsdb_status.h"

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

struct PairKey {
  std::string label, value;
  bool operator<(const PairKey& o) const { return label != o.label ? label < o.label : value < o.value; }
};

struct Names {  // the names pass
  uint64_t series = 0;
  std::map<std::string, uint64_t> by_tenant;
  std::vector<uint64_t> node_series, node_ids;
  std::unordered_map<NodeId, NodeId, NodeIdHash> repeat_of;  // a repeated MetricID -> the first one
  std::map<PairKey, uint64_t> repeated_pairs;               // to subtract from the rows' counts
  std::vector<uint64_t> shared_by_node;
  uint64_t on_several_nodes = 0;
  std::vector<SharedSeries> shared_examples;
};

struct Rows {  // the rows pass
  std::map<PairKey, uint64_t> pairs;
};

// The names pass (status_names.cpp): every name in scope hashed; the repeats of a series found,
// their labels counted to be subtracted from the rows' counts; series per tenant and node.
Status names_pass(const std::vector<const layout::StorageDir*>& dirs, const std::vector<Source>& sources,
                  const TimeRange& range, size_t max_examples, Names* out);

}  // namespace vmt::query::status
