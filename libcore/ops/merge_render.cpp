// tsdb-merge output: one line (plus input lines in text) per planned or finished step, and the
// summary. Formats are documented in man/tsdb-merge.1, OUTPUT FORMAT.
#include <cstdio>

#include "ops/merge.h"
#include "ops/render.h"

namespace vmt::ops {

namespace {

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", s);
  return buf;
}

std::string fmt_rate(double rows, double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fM", seconds > 0 ? rows / seconds / 1e6 : 0.0);
  return buf;
}

// An index table's parts hold items, a partition's rows: the JSON says which.
const char* count_key(const MergeStep& s) { return s.output_kind == "indexdb" ? "items" : "rows"; }

nlohmann::ordered_json inputs_json(const MergeStep& s) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& in : s.inputs) {
    nlohmann::ordered_json j;
    j["name"] = in.name;
    j["kind"] = in.kind;
    j[count_key(s)] = in.rows;
    j["bytes"] = in.bytes;
    if (s.output_kind != "indexdb") j["min_dedup_interval_ms"] = in.min_dedup_interval_ms;
    a.push_back(std::move(j));
  }
  return a;
}

uint64_t input_rows(const MergeStep& s) {
  uint64_t n = 0;
  for (const auto& in : s.inputs) n += in.rows;
  return n;
}

}  // namespace

void render_step(Bytes& out, const MergeStep& s, bool json, bool dry_run) {
  const bool merge = s.action == "merge" || s.action == "rewrite";
  if (json) {
    nlohmann::ordered_json j;
    j["type"] = dry_run ? "plan" : s.action;
    if (dry_run) j["action"] = s.action;
    j["table"] = s.table;
    j["reason"] = s.reason;
    j["inputs"] = inputs_json(s);
    if (dry_run) {
      j["output"] = merge ? nlohmann::ordered_json(s.output_kind) : nlohmann::ordered_json(nullptr);
      j["estimated_bytes"] = s.estimated_bytes;
      if (s.action == "rewrite") {
        j[std::string("would_drop_") + count_key(s)] = s.would_drop;
        if (s.output_kind != "indexdb") j["would_drop_bytes"] = s.would_drop_bytes;
      }
    } else {
      if (s.output_name.empty()) {
        j["output"] = nullptr;
      } else {
        nlohmann::ordered_json o;
        o["name"] = s.output_name;
        o["kind"] = s.output_kind;
        o[count_key(s)] = s.output_rows;
        o["blocks"] = s.output_blocks;
        o["bytes"] = s.output_bytes;
        j["output"] = std::move(o);
      }
      j[std::string(count_key(s)) + "_in"] = input_rows(s);
      j[std::string(count_key(s)) + "_out"] = s.output_rows;
      j["dropped_dedup"] = s.stats.rows_dedup;
      j["dropped_retention"] = s.stats.rows_deleted_retention + s.rows_dropped_retention;
      j["dropped_deleted"] = s.stats.rows_deleted_series;
      j["dropped_retention_filter"] = s.stats.rows_retention_filter;
      j["dropped_downsampled"] = s.stats.rows_downsampled;
      j["blocks_copied"] = s.stats.blocks_copied;
      j["blocks_out_of_order"] = s.stats.blocks_min_backwards;
      j["seconds"] = s.seconds;
    }
    append_json_line(out, j);
    return;
  }
  uint64_t bytes = 0;
  for (const auto& in : s.inputs) bytes += in.bytes;
  const std::string unit = s.output_kind == "indexdb" ? " items, " : " rows, ";
  out += s.table + ": " + s.action + " (" + s.reason + ") " + std::to_string(s.inputs.size()) + " parts, " +
         std::to_string(input_rows(s)) + unit + std::to_string(bytes) + " bytes";
  if (dry_run) {
    if (merge) out += " -> " + s.output_kind + " part, estimated " + std::to_string(s.estimated_bytes) + " bytes";
    if (s.action == "rewrite") {
      out += " (dropping " + std::to_string(s.would_drop) + unit.substr(0, unit.size() - 2) + (s.output_kind == "indexdb" ? " of deleted series" : " of deleted series or by rules");
      if (s.output_kind != "indexdb") out += ", " + std::to_string(s.would_drop_bytes) + " bytes of blocks";
      out += ")";
    }
  } else if (merge) {
    if (s.output_name.empty()) {
      out += s.output_kind == "indexdb" ? " -> nothing left (every item dropped)" : " -> nothing left (every row dropped)";
    } else {
      out += " -> " + s.output_kind + " part " + s.output_name + ": " + std::to_string(s.output_rows) + unit +
             std::to_string(s.output_blocks) + " blocks, " + std::to_string(s.output_bytes) + " bytes";
    }
    const uint64_t ret = s.stats.rows_deleted_retention;
    if (s.stats.rows_dedup || ret || s.stats.rows_deleted_series || s.stats.rows_retention_filter ||
        s.stats.rows_downsampled) {
      out += " (dropped: " + std::to_string(s.stats.rows_dedup) + " by dedup, " + std::to_string(ret) +
             " by retention, " + std::to_string(s.stats.rows_deleted_series) + " of deleted series";
      if (s.stats.rows_retention_filter || s.stats.rows_downsampled) {
        out += ", " + std::to_string(s.stats.rows_retention_filter) + " by retention filters, " +
               std::to_string(s.stats.rows_downsampled) + " by downsampling";
      }
      out += ")";
    }
    if (s.stats.blocks_min_backwards) {
      out += " (" + std::to_string(s.stats.blocks_min_backwards) +
             " blocks start before their series' previous block, as the server's merge writes them)";
    }
    out += " in " + fmt_seconds(s.seconds) + " s";
  } else {
    out += " in " + fmt_seconds(s.seconds) + " s";
  }
  out += "\n";
  if (dry_run) {
    for (const auto& in : s.inputs) {
      out += "  " + in.kind + " " + in.name + " " + std::to_string(in.rows) + unit + std::to_string(in.bytes) +
             " bytes\n";
    }
  }
}

void render_delete(Bytes& out, const DeleteReport& d, bool json, bool dry_run) {
  if (json) {
    nlohmann::ordered_json j;
    j["type"] = "delete";
    j["dry_run"] = dry_run;
    j["selectors"] = d.selectors;
    j["metric_ids"] = d.series;
    j["already_deleted"] = d.already_deleted;
    nlohmann::ordered_json t = nlohmann::ordered_json::array();
    for (const auto& [table, n] : d.tables) t.push_back({{"table", table}, {"metric_ids", n}});
    j["tables"] = std::move(t);
    j["cache_reset"] = d.cache_reset;
    append_json_line(out, j);
    return;
  }
  std::string sels;
  for (const auto& s : d.selectors) sels += (sels.empty() ? "" : " or ") + s;
  out += std::string("delete: ") + std::to_string(d.series) + " MetricIDs (series) " + (dry_run ? "would be " : "") +
         "marked deleted (" + sels + ")";
  if (d.already_deleted) out += ", " + std::to_string(d.already_deleted) + " matched were deleted before";
  std::string tables;
  for (const auto& [table, n] : d.tables) tables += (tables.empty() ? "" : ", ") + table + " " + std::to_string(n);
  if (!tables.empty()) out += "; in " + tables;
  if (d.cache_reset) out += "; cache/reset_cache_on_startup written";
  out += "\n";
}

void render_rules(Bytes& out, const std::vector<std::pair<std::string, uint64_t>>& filters,
                  const std::vector<std::pair<std::string, uint64_t>>& groups, bool json) {
  for (const auto& [text, n] : filters) {
    if (json) {
      append_json_line(out, nlohmann::ordered_json{{"type", "retention_filter"}, {"filter", text}, {"metric_ids", n}});
    } else {
      out += "retention filter " + text + ": " + std::to_string(n) + " MetricIDs (series)\n";
    }
  }
  for (const auto& [text, n] : groups) {
    if (json) {
      append_json_line(out, nlohmann::ordered_json{{"type", "downsample"}, {"filter", text}, {"metric_ids", n}});
    } else {
      out += "downsample " + text + ": " + std::to_string(n) + " MetricIDs (series)\n";
    }
  }
}

void render_summary(Bytes& out, const MergeSummary& s, bool json) {
  if (json) {
    nlohmann::ordered_json j;
    j["type"] = "summary";
    j["tables"] = s.tables;
    j["merges"] = s.merges;
    j["drops"] = s.drops;
    j["parts_in"] = s.parts_in;
    j["parts_out"] = s.parts_out;
    j["rows_in"] = s.rows_in;
    j["rows_out"] = s.rows_out;
    j["items_in"] = s.items_in;
    j["items_out"] = s.items_out;
    j["dropped_dedup"] = s.dropped_dedup;
    j["dropped_retention"] = s.dropped_retention;
    j["dropped_deleted"] = s.dropped_deleted;
    j["dropped_retention_filter"] = s.dropped_retention_filter;
    j["dropped_downsampled"] = s.dropped_downsampled;
    j["bytes_before"] = s.bytes_before;
    j["bytes_after"] = s.bytes_after;
    j["skipped"] = s.skipped;
    j["seconds"] = s.seconds;
    j["rows_per_second"] = s.seconds > 0 ? double(s.rows_in) / s.seconds : 0.0;
    append_json_line(out, j);
    return;
  }
  out += "summary: " + std::to_string(s.merges) + " merges, " + std::to_string(s.drops) + " drops in " +
         std::to_string(s.tables) + " partitions/tables; parts " + std::to_string(s.parts_in) + " -> " +
         std::to_string(s.parts_out) + "; rows " + std::to_string(s.rows_in) + " -> " + std::to_string(s.rows_out) +
         " (dropped: " + std::to_string(s.dropped_dedup) + " by dedup, " + std::to_string(s.dropped_retention) +
         " by retention, " + std::to_string(s.dropped_deleted) + " of deleted series" +
         (s.dropped_retention_filter || s.dropped_downsampled
              ? ", " + std::to_string(s.dropped_retention_filter) + " by retention filters, " +
                    std::to_string(s.dropped_downsampled) + " by downsampling"
              : std::string()) +
         "); " +
         (s.items_in ? "indexdb items " + std::to_string(s.items_in) + " -> " + std::to_string(s.items_out) + "; "
                     : std::string()) +
         "bytes " +
         std::to_string(s.bytes_before) + " -> " + std::to_string(s.bytes_after) + "; " + fmt_seconds(s.seconds) +
         " s, " + fmt_rate(double(s.rows_in), s.seconds) + " rows/s";
  if (s.skipped) out += "; " + std::to_string(s.skipped) + " force merges skipped (disk space)";
  out += "\n";
}

}  // namespace vmt::ops
