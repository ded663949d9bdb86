#include "mergeset/part_header.h"

#include "base/fs.h"
#include "base/hex.h"
#include "base/go_json.h"

namespace vmt::mergeset {

namespace {

Status decode_count(const go_json::Value& v, const char* field, uint64_t* out) {
  if (v.kind == go_json::Kind::null) return Status::ok();  // Go: null leaves a number unchanged
  VMT_ASSIGN_OR_RETURN(*out, go_json::to_uint64(v, field));
  return Status::ok();
}

Status decode_hex(const go_json::Value& v, const char* field, Bytes* out) {
  // The server's hexString.UnmarshalJSON is called even for null, and wants a quoted string.
  if (v.kind != go_json::Kind::string) return go_json::type_error(field, v, "hexString");
  auto b = from_hex(v.text);
  if (!b.is_ok()) return b.take_status().with_context(field);
  *out = std::move(b).value();
  return Status::ok();
}

}  // namespace

Bytes PartHeader::to_json() const {
  Bytes out;
  out.reserve(80 + 2 * (first_item.size() + last_item.size()));
  out += "{\"ItemsCount\":";
  out += std::to_string(items_count);
  out += ",\"BlocksCount\":";
  out += std::to_string(blocks_count);
  out += ",\"FirstItem\":\"";
  out += to_hex(first_item);
  out += "\",\"LastItem\":\"";
  out += to_hex(last_item);
  out += "\"}";
  return out;
}

Result<PartHeader> PartHeader::from_json(ByteView text) {
  VMT_ASSIGN_OR_RETURN(go_json::Value doc, go_json::parse(text));
  PartHeader ph;
  if (doc.kind == go_json::Kind::object) {
    for (const auto& [key, v] : doc.members) {  // in order: Go applies every duplicate, the last wins
      if (go_json::key_matches(key, "ItemsCount")) VMT_TRY(decode_count(v, "ItemsCount", &ph.items_count));
      else if (go_json::key_matches(key, "BlocksCount")) VMT_TRY(decode_count(v, "BlocksCount", &ph.blocks_count));
      else if (go_json::key_matches(key, "FirstItem")) VMT_TRY(decode_hex(v, "FirstItem", &ph.first_item));
      else if (go_json::key_matches(key, "LastItem")) VMT_TRY(decode_hex(v, "LastItem", &ph.last_item));
    }
  } else if (doc.kind != go_json::Kind::null) {  // Go: a top-level null leaves the struct zero
    return corruption(std::string("cannot unmarshal ") + go_json::kind_name(doc.kind) + " into the part header object");
  }
  VMT_TRY(ph.validate());
  return ph;
}

Status PartHeader::validate() const {
  if (items_count == 0) return corruption("ItemsCount must be >= 1; got 0");
  if (blocks_count == 0) return corruption("BlocksCount must be >= 1; got 0");
  if (blocks_count > items_count) {
    return corruption("BlocksCount must be <= ItemsCount; got BlocksCount=" + std::to_string(blocks_count) +
                      ", ItemsCount=" + std::to_string(items_count));
  }
  return Status::ok();
}

Result<PartHeader> read_part_header(const std::string& part_dir) {
  std::string path = fs::join(part_dir, "metadata.json");
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, kMaxMetadataJsonSize));
  return PartHeader::from_json(text).with_context(path);
}

}  // namespace vmt::mergeset
