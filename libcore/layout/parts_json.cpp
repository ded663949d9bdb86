#include "layout/parts_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "mergeset/table.h"

namespace vmt::layout {

namespace {

constexpr uint64_t kMaxPartsJsonSize = 64 << 20;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Go's json.Marshal of []string: strings are escaped the Go way; part names are plain ASCII, and
// nlohmann's dump escapes the same characters for ASCII input.
void append_string_list(Bytes& out, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  out.push_back('[');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out.push_back(',');
    out += nlohmann::json(names[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out.push_back(']');
}

Status decode_string_list(const nlohmann::json& j, const char* field, std::vector<std::string>* out) {
  out->clear();
  if (j.is_null()) return Status::ok();
  if (!j.is_array()) return corruption(std::string(field) + " must be a JSON array of strings");
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string()) {
      return corruption(std::string(field) + "[" + std::to_string(i) + "] must be a string");
    }
    std::string name = j[i].get<std::string>();
    if (!mergeset::is_valid_part_name(name)) {
      return corruption(std::string(field) + "[" + std::to_string(i) + "]: invalid part name \"" + name + "\"");
    }
    out->push_back(std::move(name));
  }
  return Status::ok();
}

// The one place nlohmann/json exceptions are caught for parts.json.
Result<nlohmann::json> parse_json(ByteView text) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return corruption(std::string("invalid JSON: ") + e.what());
  }
}

}  // namespace

Bytes DataPartsJson::encode() const {
  Bytes out = "{\"Small\":";
  append_string_list(out, small);
  out += ",\"Big\":";
  append_string_list(out, big);
  out += "}";
  return out;
}

Result<DataPartsJson> DataPartsJson::decode(ByteView json) {
  VMT_ASSIGN_OR_RETURN(nlohmann::json j, parse_json(json));
  if (j.is_null()) return DataPartsJson{};
  if (!j.is_object()) return corruption("parts.json must be a JSON object {\"Small\":[...],\"Big\":[...]}");
  DataPartsJson out;
  // Go matches struct fields case-insensitively; the last matching key wins.
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string k = lower(it.key());
    if (k == "small") VMT_TRY(decode_string_list(it.value(), "Small", &out.small));
    if (k == "big") VMT_TRY(decode_string_list(it.value(), "Big", &out.big));
  }
  return out;
}

// A table's parts.json is mergeset's own file: one implementation, in mergeset/table.
Bytes TablePartsJson::encode() const { return mergeset::encode_parts_json(parts); }

Result<TablePartsJson> TablePartsJson::decode(ByteView json) {
  TablePartsJson out;
  VMT_ASSIGN_OR_RETURN(out.parts, mergeset::decode_parts_json(json));
  return out;
}

Result<DataPartsJson> read_data_parts_json(const std::string& path) {
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, kMaxPartsJsonSize));
  return DataPartsJson::decode(text).with_context(path);
}

Result<TablePartsJson> read_table_parts_json(const std::string& path) {
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, kMaxPartsJsonSize));
  return TablePartsJson::decode(text).with_context(path);
}

Status write_data_parts_json(const std::string& path, const DataPartsJson& p) {
  return fs::write_file_atomic(path, p.encode());
}

}  // namespace vmt::layout
