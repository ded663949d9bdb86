// The --stats report and the end-of-run summary of tsdb-route.
#include "route/route_stats.h"

#include <algorithm>
#include <cstdio>

namespace vmt::route {

namespace {

void json_string(Bytes& out, const std::string& s) {
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      out.append(b);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

std::string fixed(double v, int prec) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

std::string pct(uint64_t part, uint64_t total) {
  return total == 0 ? "-" : fixed(100.0 * double(part) / double(total), 2) + "%";
}

}  // namespace

double skew(const RouteReport& r, bool series) {
  uint64_t max = 0, sum = 0, n = 0;
  for (const auto& nd : r.nodes) {
    if (!nd.available) continue;
    uint64_t v = series ? nd.series : nd.rows;
    max = std::max(max, v);
    sum += v;
    ++n;
  }
  if (n == 0 || sum == 0) return 0;
  return double(max) * double(n) / double(sum);
}

void render_stats_text(const RouteReport& r, Bytes& out) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head = {"node", "address", "rows", "rows%"};
  if (r.series_counted) {
    head.push_back("series");
    head.push_back("series%");
  }
  head.push_back("rerouted_in");
  rows.push_back(head);
  uint64_t copies = 0, series_sum = 0;
  for (const auto& nd : r.nodes) {
    copies += nd.rows;
    series_sum += nd.series;
  }
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& nd = r.nodes[i];
    std::vector<std::string> row = {std::to_string(i), nd.addr + (nd.available ? "" : " (unavailable)"),
                                    std::to_string(nd.rows), pct(nd.rows, copies)};
    if (r.series_counted) {
      row.push_back(std::to_string(nd.series));
      row.push_back(pct(nd.series, series_sum));
    }
    row.push_back(std::to_string(nd.rerouted_in));
    rows.push_back(row);
  }
  std::vector<std::string> total = {"total", "", std::to_string(copies), ""};
  if (r.series_counted) {
    total.push_back(std::to_string(series_sum));
    total.push_back("");
  }
  total.push_back(std::to_string(r.rerouted_rows));
  rows.push_back(total);

  std::vector<size_t> width(head.size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      bool left = c == 1;
      std::string cell = row[c];
      std::string pad(width[c] - cell.size(), ' ');
      line += left ? cell + pad : pad + cell;
      if (c + 1 < row.size()) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.append(line);
    out.push_back('\n');
  }
  out.append("rows " + std::to_string(r.rows) + " (copies " + std::to_string(copies) + ")");
  if (r.series_counted) out.append(", series " + std::to_string(r.series));
  out.append(", bad lines " + std::to_string(r.bad_lines) + ", rerouted " + std::to_string(r.rerouted_rows) +
             ", incompletely replicated " + std::to_string(r.incompletely_replicated_rows) + "\n");
  out.append("skew (max/mean over available nodes): rows " + fixed(skew(r, false), 3));
  if (r.series_counted) out.append(", series " + fixed(skew(r, true), 3));
  out.push_back('\n');
}

void render_stats_json(const RouteReport& r, Bytes& out) {
  auto num = [&](const char* k, uint64_t v, bool comma = true) {
    out.append("\"").append(k).append("\":").append(std::to_string(v));
    if (comma) out.push_back(',');
  };
  out.append("{\"inputs\":[");
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    if (i) out.push_back(',');
    json_string(out, r.inputs[i]);
  }
  out.append("],\"nodes\":[");
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& nd = r.nodes[i];
    if (i) out.push_back(',');
    out.append("{\"index\":" + std::to_string(i) + ",\"addr\":");
    json_string(out, nd.addr);
    out.append(nd.available ? ",\"available\":true," : ",\"available\":false,");
    num("rows", nd.rows);
    if (r.series_counted) num("series", nd.series);
    num("rerouted_in", nd.rerouted_in, false);
    out.push_back('}');
  }
  out.append("],");
  num("rows", r.rows);
  if (r.series_counted) num("series", r.series);
  num("bad_lines", r.bad_lines);
  num("rerouted_rows", r.rerouted_rows);
  num("incompletely_replicated_rows", r.incompletely_replicated_rows);
  out.append("\"skew\":{\"rows\":" + fixed(skew(r, false), 6));
  if (r.series_counted) out.append(",\"series\":" + fixed(skew(r, true), 6));
  out.append("},\"labels\":{");
  num("metrics_with_dropped_labels", r.raw_stats.metrics_with_dropped_labels);
  num("too_long_label_names", r.raw_stats.too_long_label_names);
  num("too_long_label_values", r.raw_stats.too_long_label_values, false);
  out.append("}}\n");
}

void render_summary(const RouteReport& r, Bytes& out) {
  out.append(std::to_string(r.rows) + " rows from " + std::to_string(r.inputs.size()) +
             (r.inputs.size() == 1 ? " input" : " inputs") + ", " + std::to_string(r.bad_lines) +
             " bad lines skipped, " + std::to_string(r.rerouted_rows) + " rerouted\n");
  for (size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& nd = r.nodes[i];
    out.append("node " + std::to_string(i) + " " + nd.addr + (nd.available ? "" : " (unavailable)") + ": " +
               std::to_string(nd.rows) + " rows");
    if (!nd.file.empty()) out.append(" -> " + nd.file);
    out.push_back('\n');
  }
  const auto& s = r.raw_stats;
  if (s.metrics_with_dropped_labels + s.too_long_label_names + s.too_long_label_values > 0) {
    out.append("label limits: " + std::to_string(s.metrics_with_dropped_labels) + " rows lost labels past the count limit, " +
               std::to_string(s.too_long_label_names) + " names and " + std::to_string(s.too_long_label_values) +
               " values truncated\n");
  }
  if (r.incompletely_replicated_rows > 0) {
    out.append(std::to_string(r.incompletely_replicated_rows) +
               " rows have fewer copies than --replication-factor (too few available nodes)\n");
  }
}

}  // namespace vmt::route
