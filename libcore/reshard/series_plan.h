// SeriesPlan: where every series of the source nodes goes, and under which TSID.
//
// Spec: routing.md §1-§3, §5 (the node vminsert picks for a row, the replicas), metricname-tsid.md
// §4-§5 (canonical names, TSIDs: everything but the MetricID follows from the name).
//
// The routing key is built from the stored name: the metric first, then the tags sorted by name.
// The order the labels arrived in is not stored (MetricName sorts its tags), so this is the node
// vminsert picks for rows whose labels come sorted by name (Prometheus exposition of client
// libraries and exporters, remote write with --label-order sorted, or any order with
// --sort-labels, since vminsert -sortLabels sorts them itself). The limits of vminsert are not
// applied: a stored name is already what survived them.
//
// TSIDs: a series keeps its source TSID on every target (blocks are then copied with their headers
// unchanged), unless the target already holds that MetricID for another series (MetricIDs are
// unique per node, not per cluster) or the same series arrives from a second source node: then it
// takes the TSID the target already gave it, or a fresh MetricID above every source's. Sources are
// taken in command-line order and series in MetricID order, so the plan is deterministic.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "ingest/series_registry.h"
#include "query/selector.h"
#include "reshard/source_node.h"
#include "route/placement.h"
#include "route/routing_key.h"

namespace vmt::reshard {

struct PlanOptions {
  const route::Placement* placement = nullptr;
  route::LabelOrder order = route::LabelOrder::as_is;
  bool sort_labels = false;
  std::vector<query::Selector> match;  // empty: every series
};

struct SeriesPlan {
  // Per target: every series it gets (TSIDs settled, origin created), and its days from ns 5.
  std::vector<ingest::SeriesRegistry> targets;
  // Per target: target MetricID -> series id in targets[t].
  std::vector<std::unordered_map<uint64_t, uint32_t>> by_metric_id;
  // [source][target]: source MetricID -> series id in targets[t], for every series the target gets.
  std::vector<std::vector<std::unordered_map<uint64_t, uint32_t>>> ids;
  // [source][target]: some series changes its TSID on the way.
  std::vector<std::vector<bool>> renumbered;

  uint64_t source_series = 0;     // live series read, over all sources
  uint64_t skipped_series = 0;    // left out by --match
  uint64_t merged_series = 0;     // copies that joined a series another source brought first
  uint64_t renumbered_series = 0; // copies given a new MetricID (a clash on the target)
};

Status plan_series(const std::vector<SourceNode>& sources, const PlanOptions& opt, SeriesPlan* plan);

}  // namespace vmt::reshard
