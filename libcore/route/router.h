// The tsdb-route pipeline: Prometheus text in, one output per vmstorage node out (or a report).
//
// Spec: routing.md (placement.h, routing_key.h, wire.h), prometheus-text.md (parsing, bad lines).
//
//   inputs (files or "-", plain/gzip/zstd by content: prom/line_reader.h), read one after another
//     -> blocks of whole lines (about 1 MiB), each cut from the input, parsed and routed by one
//        of `threads` workers (prom/block_pipeline.h)
//     -> per node, in input order: rendered lines (prom_render.h) or wire packets (wire.h)
//     -> <out_dir>/node-<i>_<address>.{prom,wire}, written as *.tmp and renamed at the end
// Memory is bounded by the blocks in flight (2 per worker), whatever the input size; --stats also
// keeps one 64-bit hash per distinct series and node (series_set.h).
//
// Bad lines are skipped as vminsert does; each is reported as "FILE:LINE: reason" through
// hooks.warn (the first max_reported_bad_lines of them) and counted. With `strict` the first bad
// line ends the run with a corruption Status naming it, and no output file is left behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/compress_writer.h"
#include "base/status.h"
#include "metric/metric_name.h"
#include "route/block_router.h"
#include "route/node_files.h"
#include "route/placement.h"
#include "route/routing_key.h"

namespace vmt::route {

struct RouteOptions {
  PlacementOptions placement;
  KeyOptions key;
  OutputFormat format = OutputFormat::prom;
  std::string out_dir;                  // empty: write nothing (the --stats report)
  // A non-empty out_dir is refused (files of an earlier run would be imported along with this
  // run's); with clear_out_dir our own node-* files there are removed first (--force).
  bool clear_out_dir = false;
  Compression compress = Compression::kNone;   // --compress: node files written as .gz / .zst
  bool count_series = false;            // distinct series per node (--stats)
  bool strict = false;                  // stop at the first bad line
  unsigned threads = 0;                 // workers (each reads its blocks too); 0 = one per CPU
  int64_t default_timestamp_ms = 0;     // wire: for rows without a timestamp (0 = now)
  size_t max_reported_bad_lines = 100;  // further bad lines are only counted
};

struct NodeReport {
  std::string addr;
  bool available = true;
  std::string file;          // output path, empty without out_dir
  uint64_t rows = 0;         // rows (copies) written to this node
  uint64_t rerouted_in = 0;  // of them, rows rerouted here from an unavailable node
  uint64_t series = 0;       // distinct series (count_series only)
  uint64_t bytes = 0;        // bytes written to the file
};

struct RouteReport {
  std::vector<std::string> inputs;
  std::vector<NodeReport> nodes;
  uint64_t rows = 0;                         // samples parsed and routed (before replication)
  uint64_t bad_lines = 0;                    // skipped: unparsable, or not writable as text
  uint64_t rerouted_rows = 0;                // rows whose hashed node was unavailable
  uint64_t incompletely_replicated_rows = 0; // rows with fewer copies than the replication factor
  uint64_t series = 0;                       // distinct series over all nodes (count_series only)
  bool series_counted = false;
  uint64_t input_bytes = 0;                  // bytes read (compressed size for gz/zst)
  metric::RawStats raw_stats;                // label-limit counters of MarshalMetricNameRaw
  OutputFormat format = OutputFormat::prom;
  std::string out_dir;
};

struct RouteHooks {
  std::function<void(const std::string&)> warn;                            // one bad line
  std::function<void(uint64_t rows, uint64_t input_bytes)> progress;      // after each block
};

Result<RouteReport> route_inputs(const RouteOptions& opt, const std::vector<std::string>& inputs,
                                 const RouteHooks& hooks);

}  // namespace vmt::route
