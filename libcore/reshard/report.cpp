#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "reshard/reshard.h"

namespace vmt::reshard {

void render_summary(const ReshardReport& r, const std::string& out_dir, std::string& out) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", r.seconds);
  out += std::to_string(r.source_series) + " series read, " + std::to_string(r.rows) + " rows in " +
         std::to_string(r.blocks) + " blocks from " + std::to_string(r.sources) + " " + r.flavour + " nodes (" +
         std::to_string(r.source_parts) + " parts) in " + secs + "s; " +
         (r.dedup_interval_ms > 0 ? "blocks merged with dedup interval " + std::to_string(r.dedup_interval_ms) + "ms, "
                                  : std::string("blocks copied unchanged, ")) +
         std::to_string(r.renumbered_blocks) + " with a new TSID\n";
  if (r.dedup_interval_ms > 0) {
    out += std::to_string(r.rows_dedup) + " samples dropped by the dedup interval (replicas and samples closer than it)\n";
  }
  if (r.skipped_series) out += std::to_string(r.skipped_series) + " series left out by --match\n";
  if (r.merged_series) {
    out += std::to_string(r.merged_series) + " series held by several source nodes merged into one on their new node\n";
    if (r.dedup_interval_ms <= 0) {
      out += "their copies' samples are all kept (replicas of -replicationFactor > 1 twice); --dedup-interval 1ms "
             "drops them as vmselect -dedup.minScrapeInterval=1ms does\n";
    }
  }
  if (r.renumbered_series) {
    out += std::to_string(r.renumbered_series) + " series given a new MetricID (it clashed with another series' on their new node)\n";
  }
  if (r.deleted_blocks) out += std::to_string(r.deleted_blocks) + " blocks of deleted series left behind\n";
  if (r.duplicate_blocks) out += std::to_string(r.duplicate_blocks) + " blocks dropped as exact copies of another source's\n";
  char times[160];
  std::snprintf(times, sizeof times, "time: load=%.3f plan=%.3f copy=%.3f index=%.3f commit=%.3f\n", r.seconds_load,
                r.seconds_plan, r.seconds_copy, r.seconds_index, r.seconds_commit);
  out += times;
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& n = r.nodes[i];
    out += "node " + std::to_string(i) + " " + n.addr + ": " + std::to_string(n.series) + " series, " +
           std::to_string(n.rows) + " rows, " + std::to_string(n.parts) + " parts -> " + fs::join(out_dir, n.dir) + "\n";
  }
}

void render_summary_json(const ReshardReport& r, const std::string& out_dir, std::string& out) {
  nlohmann::ordered_json j;
  j["flavour"] = r.flavour;
  j["sources"] = r.sources;
  j["source_parts"] = r.source_parts;
  j["series"] = r.source_series;
  j["skipped_series"] = r.skipped_series;
  j["merged_series"] = r.merged_series;
  j["renumbered_series"] = r.renumbered_series;
  j["blocks_read"] = r.blocks_read;
  j["blocks"] = r.blocks;
  j["rows"] = r.rows;
  j["renumbered_blocks"] = r.renumbered_blocks;
  j["deleted_blocks"] = r.deleted_blocks;
  j["duplicate_blocks"] = r.duplicate_blocks;
  j["dedup_interval_ms"] = r.dedup_interval_ms;
  j["rows_dedup"] = r.rows_dedup;
  j["seconds"] = r.seconds;
  j["seconds_load"] = r.seconds_load;
  j["seconds_plan"] = r.seconds_plan;
  j["seconds_copy"] = r.seconds_copy;
  j["seconds_index"] = r.seconds_index;
  j["seconds_commit"] = r.seconds_commit;
  auto& nodes = j["nodes"] = nlohmann::ordered_json::array();
  for (const auto& n : r.nodes) {
    nlohmann::ordered_json o;
    o["addr"] = n.addr;
    o["dir"] = fs::join(out_dir, n.dir);
    o["series"] = n.series;
    o["rows"] = n.rows;
    o["blocks"] = n.blocks;
    o["parts"] = n.parts;
    o["bytes"] = n.bytes;
    o["index_items"] = n.index_items;
    o["index_bytes"] = n.index_bytes;
    nodes.push_back(std::move(o));
  }
  out += j.dump() + "\n";
}

}  // namespace vmt::reshard
