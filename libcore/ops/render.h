// Small rendering helpers shared by the inspect operations: JSON lines (nlohmann::json, invalid
// UTF-8 replaced rather than thrown on) and padded text tables.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/coding.h"

namespace vmt::ops {

// One JSON object per line.
void append_json_line(Bytes& out, const nlohmann::ordered_json& j);

// 64-bit identifiers (MetricID, MetricGroupID) go into JSON as decimal strings: jq and every
// JavaScript-style reader round numbers above 2^53 to doubles, which merges distinct IDs.
inline std::string json_id(uint64_t id) { return std::to_string(id); }
inline nlohmann::ordered_json json_ids(const std::vector<uint64_t>& ids) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (uint64_t id : ids) a.push_back(json_id(id));
  return a;
}

// A text table: columns padded to their widest cell, two spaces apart.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void render(Bytes& out) const;
  size_t rows() const { return rows_.size() - 1; }

 private:
  std::vector<std::vector<std::string>> rows_;
};

// A byte string for text output: printable ASCII and valid UTF-8 as is, control bytes and bytes
// that are not valid UTF-8 as \xNN, a backslash doubled.
std::string printable(ByteView s);
// The same, cut after about max_bytes of output with "... (N bytes)": for messages that quote
// input, so that a binary file or a huge line cannot flood a terminal. Messages hold escapes of
// their own, so their backslashes are kept single.
std::string printable_capped(ByteView s, size_t max_bytes, bool double_backslash = false);

}  // namespace vmt::ops
