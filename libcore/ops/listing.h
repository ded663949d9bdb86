// The one renderer of tsdb-inspect's listings (parts, metaindex, blocks, index, dates, verify):
// each record is built once as a Row, with its JSON fields and its text cells side by side, and a
// Listing prints the rows either as JSON lines (--json) or as one padded text table (or plain
// lines). The query subcommands print the server's API formats instead (inspect_query.cpp). The
// JSON rules live here: 64-bit identifiers as strings (json_id), invalid UTF-8 replaced (append_json_line),
// fields in the order added.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "ops/args.h"
#include "ops/render.h"
#include "ops/tool.h"

namespace vmt::ops {

class Row {
 public:
  // A number in both outputs: JSON number, decimal text cell.
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>>>
  Row& num(const char* key, T v) {
    json_[key] = v;
    cells_.push_back(std::to_string(v));
    return *this;
  }
  // A string in both outputs.
  Row& str(const char* key, const std::string& v) {
    json_[key] = v;
    cells_.push_back(v);
    return *this;
  }
  // A timestamp in ms: a JSON number; in text two cells, the number and its UTC time.
  Row& timestamp(const char* key, int64_t ms) {
    num(key, ms);
    return cell(format_time_ms(ms));
  }
  // A 64-bit identifier (MetricID, MetricGroupID): a string in JSON (jq's doubles would round it).
  Row& id(const char* key, uint64_t v) {
    json_[key] = json_id(v);
    cells_.push_back(std::to_string(v));
    return *this;
  }
  // One field whose two forms differ: the JSON value, and the text cell.
  Row& both(const char* key, nlohmann::ordered_json v, std::string cell) {
    json_[key] = std::move(v);
    cells_.push_back(std::move(cell));
    return *this;
  }
  // A field of one output only.
  Row& json(const char* key, nlohmann::ordered_json v) {
    json_[key] = std::move(v);
    return *this;
  }
  Row& cell(std::string c) {
    cells_.push_back(std::move(c));
    return *this;
  }

  const nlohmann::ordered_json& json_object() const { return json_; }
  const std::vector<std::string>& cells() const { return cells_; }

 private:
  nlohmann::ordered_json json_ = nlohmann::ordered_json::object();
  std::vector<std::string> cells_;
};

class Listing {
 public:
  // `columns`: the text table's header (unused with json). with_details: every row comes with a
  // detail table (add(r, detail)), and the text ends after the last one.
  Listing(Output& out, bool json, std::vector<std::string> columns, bool with_details = false)
      : out_(out), json_(json), with_details_(with_details), columns_(columns), table_(std::move(columns)) {}
  // Text as lines instead of a table: each row's cells joined by one space, printed as it comes
  // (listings too long or too irregular for columns: index items, verify's findings).
  struct Lines {};
  Listing(Output& out, bool json, Lines) : out_(out), json_(json), lines_(true), table_({}) {}

  // JSON: the row's fields as one line, when it has any. Text: its cells as a table row, when it
  // has any (rows of one output only are left out of the other).
  Status add(const Row& r);
  // The same, and in text the table so far, then `detail` (a block's rows or items), then a new
  // table under the same header: a record with its own sub-listing.
  Status add(const Row& r, const Table& detail);
  // Text: renders the table, even empty, unless with_details (a listing ends with it; a header
  // line may precede this call).
  Status finish();
  bool json() const { return json_; }

 private:
  Output& out_;
  const bool json_;
  const bool with_details_ = false;
  const bool lines_ = false;
  const std::vector<std::string> columns_;
  Table table_;
};

}  // namespace vmt::ops
