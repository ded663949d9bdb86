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

// A byte string for text output: printable ASCII/UTF-8 as is, other bytes as \xNN.
std::string printable(ByteView s);

}  // namespace vmt::ops
