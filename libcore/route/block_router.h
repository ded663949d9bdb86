// BlockRouter: routes one block of whole lines (a unit of work of router.cpp's workers).
//
// For each line: prom::parse_line; skip blank and comment lines; report a bad line; else build
// the routing key (routing_key.h), place the row (placement.h) and append it to the output of
// every node that gets a copy. A line whose series text was seen before in this worker takes its
// raw name and key from prom::SeriesTextCache, with only its value and timestamp parsed: a rendered line (prom_render.h) or a MetricRow inside this
// block's packet for that node (wire.h: a packet never exceeds 30 MiB; one ends with the block).
// Nothing here touches files or shared state, so blocks can be routed in any order and their
// outputs concatenated in input order.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "metric/metric_name.h"
#include "prom/parser.h"
#include "prom/series_text_cache.h"
#include "route/placement.h"
#include "route/routing_key.h"

namespace vmt::route {

enum class OutputFormat : uint8_t { prom, wire };

struct BlockConfig {
  const Placement* placement = nullptr;
  OutputFormat format = OutputFormat::prom;
  bool render = true;                // produce output bytes (false for --stats)
  bool collect_hashes = false;       // per-node key hashes, for series counting
  bool strict = false;               // stop at the first bad line
  size_t max_bad_messages = 100;     // per block
  int64_t default_timestamp_ms = 0;  // wire rows without a timestamp
};

struct BlockResult {
  std::vector<Bytes> out;                      // per node
  std::vector<uint64_t> rows;                  // per node
  std::vector<uint64_t> rerouted_in;           // per node
  std::vector<std::vector<uint64_t>> hashes;   // per node, when collect_hashes
  uint64_t parsed_rows = 0;
  uint64_t bad_lines = 0;
  uint64_t rerouted_rows = 0;
  uint64_t incompletely_replicated_rows = 0;
  std::vector<std::pair<uint64_t, std::string>> bad;  // line number, reason (capped)
  bool stopped = false;                        // strict and a bad line was found
  metric::RawStats raw_stats;

  void reset(size_t nodes);  // keeps the capacity of every buffer
};

class BlockRouter {
 public:
  BlockRouter(const BlockConfig& cfg, const KeyOptions& key) : cfg_(cfg), kb_(key) {}
  // block: lines joined by '\n' (no final '\n'); first_line: the number of its first line.
  void route(ByteView block, uint64_t first_line, BlockResult& res);

 private:
  void route_row(BlockResult& res, uint64_t line_no, ByteView line);
  // Places one row (its raw name and key hash) and appends it to every copy's output; false when
  // it cannot be rendered (reported).
  template <class ReportBad>
  bool place_row(BlockResult& res, ByteView line, ByteView raw, uint64_t key_hash, double value, int64_t timestamp,
                 bool as_parsed, ReportBad& report_bad);

  BlockConfig cfg_;
  KeyBuilder kb_;
  prom::SeriesTextCache cache_;  // series text -> raw name, key hash, label-limit counters
  prom::Row row_;
  prom::ParseScratch scratch_;
  std::vector<size_t> packet_at_;  // per node: offset of the open packet in res.out, or npos
};

}  // namespace vmt::route
