#include "layout/parts_json.h"

#include <algorithm>

#include "base/fs.h"
#include "base/go_json.h"
#include "mergeset/table.h"

namespace vmt::layout {

Bytes DataPartsJson::encode() const {
  Bytes out = "{\"Small\":";
  mergeset::append_part_name_list(out, small);
  out += ",\"Big\":";
  mergeset::append_part_name_list(out, big);
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
    VMT_TRY(mergeset::decode_part_name_list(m.value, small ? "Small" : "Big", small ? &out.small : &out.big));
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
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, mergeset::kMaxPartsJsonSize));
  return DataPartsJson::decode(text).with_context(path);
}

Result<TablePartsJson> read_table_parts_json(const std::string& path) {
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, mergeset::kMaxPartsJsonSize));
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
