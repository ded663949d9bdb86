#include "mergeset/table.h"

#include <algorithm>

#include "base/fs.h"
#include "base/hex.h"
#include "base/go_json.h"
#include "mergeset/part_files.h"

namespace vmt::mergeset {

namespace {

// Go's encodeState.string with HTML escaping (json.Marshal's default) for the ASCII range. Bytes
// >= 0x80 are copied unchanged (Go would also replace invalid UTF-8 and escape U+2028/U+2029;
// part names are plain ASCII).
void append_json_string(Bytes& out, ByteView s) {
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

bool is_valid_part_name(ByteView name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == ByteView::npos &&
         name.find('\0') == ByteView::npos;
}

Status check_unique_part_names(const std::vector<std::string>& names, const std::string& list) {
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup == sorted.end()) return Status::ok();
  return corruption("part " + *dup + " is listed twice" + (list.empty() ? "" : " in " + list) +
                    " (the server would read it twice and double its samples)");
}

std::string new_part_name(uint64_t counter) { return hex16(counter); }

void append_part_name_list(Bytes& out, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  out.push_back('[');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, names[i]);
  }
  out.push_back(']');
}

Status decode_part_name_list(go_json::Value& v, const std::string& field, std::vector<std::string>* out) {
  const std::string in = field.empty() ? "" : field + ": ";
  if (v.kind != go_json::Kind::array) {
    return corruption(in + "cannot unmarshal " + go_json::kind_name(v.kind) +
                      " into []string (the server writes a JSON array of part names, [] when empty)");
  }
  for (size_t i = 0; i < v.elements.size(); ++i) {
    go_json::Value& e = v.elements[i];
    const std::string at = field.empty() ? "element #" + std::to_string(i) : field + "[" + std::to_string(i) + "]";
    if (e.kind != go_json::Kind::string) {
      return corruption(at + ": cannot unmarshal " + go_json::kind_name(e.kind) + " into string");
    }
    if (!is_valid_part_name(e.text)) {
      return corruption(at + ": invalid part name \"" + e.text + "\" (must be a plain directory name)");
    }
    out->push_back(std::move(e.text));
  }
  return Status::ok();
}

Bytes encode_parts_json(std::vector<std::string> names) {
  Bytes out;
  append_part_name_list(out, std::move(names));
  return out;
}

Result<std::vector<std::string>> decode_parts_json(ByteView text) {
  VMT_ASSIGN_OR_RETURN(go_json::Value doc, go_json::parse(text));
  // Stricter than the server, which takes null for "no parts" and then deletes every part
  // directory: a file that is not the list the server writes is an error, never an empty table.
  std::vector<std::string> names;
  VMT_TRY(decode_part_name_list(doc, "", &names));
  VMT_TRY(check_unique_part_names(names, ""));
  return names;
}

Result<std::vector<std::string>> read_part_names(const std::string& table_dir) {
  const std::string path = fs::join(table_dir, "parts.json");
  if (fs::exists(path)) {
    VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, kMaxPartsJsonSize));
    return decode_parts_json(text).with_context(path);
  }
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(table_dir));
  std::vector<std::string> names;
  for (const auto& e : entries) {
    if (!e.is_dir) continue;
    if (e.name == "tmp" || e.name == "txn" || e.name == "snapshots" || e.name == "cache") continue;
    if (e.name.find(".must-remove.") != std::string::npos) continue;
    names.push_back(e.name);
  }
  return names;
}

Status write_part_names(const std::string& table_dir, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (!is_valid_part_name(n)) return invalid_argument("invalid part name \"" + n + "\"");
  }
  if (Status s = check_unique_part_names(names, table_dir + "/parts.json"); !s.is_ok()) {
    return invalid_argument("internal: " + s.message());
  }
  return fs::write_file_atomic(fs::join(table_dir, "parts.json"), encode_parts_json(names));
}

Result<std::vector<TablePart>> list_parts(const std::string& table_dir) {
  VMT_ASSIGN_OR_RETURN(auto names, read_part_names(table_dir));
  std::vector<TablePart> parts;
  for (auto& name : names) {
    TablePart p;
    p.path = fs::join(table_dir, name);
    p.name = std::move(name);
    VMT_ASSIGN_OR_RETURN(p.header, read_part_header(p.path));
    for (PartFile f : {PartFile::metaindex, PartFile::index, PartFile::items, PartFile::lens}) {
      VMT_ASSIGN_OR_RETURN(uint64_t size, fs::file_size(fs::join(p.path, part_file_name(f))));
      p.size_bytes += size;
    }
    parts.push_back(std::move(p));
  }
  return parts;
}

}  // namespace vmt::mergeset
