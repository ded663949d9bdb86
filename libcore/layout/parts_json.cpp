#include "layout/parts_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/go_json.h"
#include "mergeset/table.h"

namespace vmt::layout {

namespace {

constexpr uint64_t kMaxPartsJsonSize = 64 << 20;

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

Status decode_string_list(go_json::Value& v, const char* field, std::vector<std::string>* out) {
  if (v.kind != go_json::Kind::array) {
    return corruption(std::string(field) + ": cannot unmarshal " + go_json::kind_name(v.kind) +
                      " into []string (the server writes a JSON array, [] when empty)");
  }
  for (size_t i = 0; i < v.elements.size(); ++i) {
    go_json::Value& e = v.elements[i];
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    if (e.kind != go_json::Kind::string) {
      return corruption(at + ": cannot unmarshal " + go_json::kind_name(e.kind) + " into string");
    }
    if (!mergeset::is_valid_part_name(e.text)) return corruption(at + ": invalid part name \"" + e.text + "\"");
    out->push_back(std::move(e.text));
  }
  return Status::ok();
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
  VMT_ASSIGN_OR_RETURN(go_json::Value doc, go_json::parse(json));
  // Stricter than the server, which reads null, {} or a misspelt key as "no parts" and then deletes
  // every part directory at open: what the server writes is exactly {"Small":[...],"Big":[...]}.
  if (doc.kind != go_json::Kind::object) {
    return corruption(std::string("cannot unmarshal ") + go_json::kind_name(doc.kind) +
                      " into {\"Small\":[...],\"Big\":[...]}");
  }
  DataPartsJson out;
  bool seen_small = false, seen_big = false;
  for (go_json::Member& m : doc.members) {
    const bool small = go_json::key_matches(m.key, "Small");
    if (!small && !go_json::key_matches(m.key, "Big")) {
      return corruption("unknown key \"" + m.key + "\" (the server writes only \"Small\" and \"Big\")");
    }
    bool& seen = small ? seen_small : seen_big;
    if (seen) return corruption(std::string("key \"") + (small ? "Small" : "Big") + "\" appears twice");
    seen = true;
    VMT_TRY(decode_string_list(m.value, small ? "Small" : "Big", small ? &out.small : &out.big));
  }
  if (!seen_small || !seen_big) {
    return corruption(std::string("missing key \"") + (seen_small ? "Big" : "Small") +
                      "\" (the server writes both lists, [] when empty)");
  }
  std::vector<std::string> all = out.small;
  all.insert(all.end(), out.big.begin(), out.big.end());
  VMT_TRY(mergeset::check_unique_part_names(all, "Small and Big"));
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
  std::vector<std::string> all = p.small;
  all.insert(all.end(), p.big.begin(), p.big.end());
  if (Status s = mergeset::check_unique_part_names(all, path); !s.is_ok()) {
    return invalid_argument("internal: " + s.message());   // a writer never lists a part twice
  }
  return fs::write_file_atomic(path, p.encode());
}

}  // namespace vmt::layout
