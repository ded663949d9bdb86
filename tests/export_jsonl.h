// Test helpers for the server's /api/v1/export files in the fixtures: the "metric" object vmselect
// prints for a MetricName, and each series' timestamps keyed by that object.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/json_string.h"
#include "metric/metric_name.h"

namespace vmt::test {

// {"__name__":"...","k":"v",...} as metricNameObject prints it (labels in stored order).
inline std::string export_metric_object(const metric::MetricName& mn) {
  Bytes out = "{";
  bool first = true;
  for (const auto& [k, v] : mn.labels_for_export()) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, k);
    out.push_back(':');
    append_json_string(out, v);
  }
  return out + "}";
}

using ExportTimestamps = std::map<std::string, std::vector<int64_t>>;  // metric object -> timestamps

// Reads an export file: one {"metric":{...},"values":[...],"timestamps":[...]} per line.
inline ExportTimestamps read_export_timestamps(const std::string& path) {
  auto text = fs::read_file(path, 64 << 20);
  REQUIRE(text.is_ok());
  ExportTimestamps out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    std::string line = text->substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    const std::string head = "{\"metric\":";
    REQUIRE(line.compare(0, head.size(), head) == 0);
    size_t end = line.find("},\"values\":");
    REQUIRE(end != std::string::npos);
    std::string metric = line.substr(head.size(), end + 1 - head.size());
    size_t ts = line.find("\"timestamps\":[");
    REQUIRE(ts != std::string::npos);
    std::vector<int64_t> stamps;
    for (size_t p = ts + 14; p < line.size() && line[p] != ']';) {
      size_t q = line.find_first_of(",]", p);
      stamps.push_back(std::stoll(line.substr(p, q - p)));
      p = line[q] == ',' ? q + 1 : q;
    }
    out[metric] = stamps;
  }
  return out;
}

}  // namespace vmt::test
