// Renderers of a RouteReport (router.h): the --stats report as text or JSON, and the summary the
// tool prints on stderr after writing files.
//
// Skew = max / mean of a per-node count over the available nodes (1.0 = perfectly even; with N
// nodes at most N). An --unavailable node takes nothing and is left out of the mean.
//
// JSON (one object, keys in this order):
//   inputs[]   nodes[] {index, addr, available, rows, series?, rerouted_in}
//   rows  series?  bad_lines  rerouted_rows  incompletely_replicated_rows
//   skew {rows, series?}   labels {metrics_with_dropped_labels, too_long_label_names,
//   too_long_label_values}         ("?" = only when series were counted)
#pragma once

#include <string>

#include "base/coding.h"
#include "route/router.h"

namespace vmt::route {

double skew(const RouteReport& r, bool series);

void render_stats_text(const RouteReport& r, Bytes& out);
void render_stats_json(const RouteReport& r, Bytes& out);  // ends with '\n'
// Lines without the program prefix, one per '\n'.
void render_summary(const RouteReport& r, Bytes& out);

}  // namespace vmt::route
