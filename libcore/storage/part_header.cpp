#include "storage/part_header.h"

#include "base/fs.h"
#include "base/go_json.h"
#include "storage/legacy_part_name.h"

namespace vmt::storage {

namespace {

constexpr uint64_t kMaxMetadataSize = 1 << 20;   // metadata.json is ~120 bytes; cap the read

// metadata.json with json.Unmarshal's rules (base/go_json.h): keys fold to field names, unknown keys
// are ignored, null leaves a field as it was, every matching key is applied in order (the last
// wins), and the integer fields take only literals strconv accepts.
Status apply_member(const go_json::Member& m, PartHeader* ph) {
  const go_json::Value& v = m.value;
  if (v.kind == go_json::Kind::null) return Status::ok();
  if (go_json::key_matches(m.key, "RowsCount")) {
    VMT_ASSIGN_OR_RETURN(ph->rows_count, go_json::to_uint64(v, "RowsCount"));
  } else if (go_json::key_matches(m.key, "BlocksCount")) {
    VMT_ASSIGN_OR_RETURN(ph->blocks_count, go_json::to_uint64(v, "BlocksCount"));
  } else if (go_json::key_matches(m.key, "MinTimestamp")) {
    VMT_ASSIGN_OR_RETURN(ph->min_timestamp, go_json::to_int64(v, "MinTimestamp"));
  } else if (go_json::key_matches(m.key, "MaxTimestamp")) {
    VMT_ASSIGN_OR_RETURN(ph->max_timestamp, go_json::to_int64(v, "MaxTimestamp"));
  } else if (go_json::key_matches(m.key, "MinDedupInterval")) {
    VMT_ASSIGN_OR_RETURN(ph->min_dedup_interval, go_json::to_int64(v, "MinDedupInterval"));
  }
  return Status::ok();
}

}  // namespace

void PartHeader::update(const BlockHeader& bh) {
  ++blocks_count;
  rows_count += bh.rows_count;
  if (bh.min_timestamp < min_timestamp) min_timestamp = bh.min_timestamp;
  if (bh.max_timestamp > max_timestamp) max_timestamp = bh.max_timestamp;
}

void PartHeader::encode_json(Bytes& out) const {
  out += "{\"RowsCount\":";
  out += std::to_string(rows_count);
  out += ",\"BlocksCount\":";
  out += std::to_string(blocks_count);
  out += ",\"MinTimestamp\":";
  out += std::to_string(min_timestamp);
  out += ",\"MaxTimestamp\":";
  out += std::to_string(max_timestamp);
  out += ",\"MinDedupInterval\":";
  out += std::to_string(min_dedup_interval);
  out += "}";
}

std::string PartHeader::to_json() const {
  Bytes out;
  encode_json(out);
  return out;
}

Result<PartHeader> PartHeader::decode_json(ByteView json) {
  PartHeader ph;   // reset values: Min = INT64_MAX, Max = INT64_MIN, counts 0
  VMT_ASSIGN_OR_RETURN(go_json::Value doc, go_json::parse(json));
  if (doc.kind == go_json::Kind::object) {
    for (const go_json::Member& m : doc.members) VMT_TRY(apply_member(m, &ph));
  } else if (doc.kind != go_json::Kind::null) {  // Go: a top-level null leaves the struct as it was
    return corruption(std::string("cannot unmarshal ") + go_json::kind_name(doc.kind) +
                      " into the part header (want an object)");
  }
  VMT_TRY(ph.validate());
  return ph;
}

Status PartHeader::validate() const {
  if (min_timestamp > max_timestamp) {
    return corruption("MinTimestamp cannot exceed MaxTimestamp; got " + std::to_string(min_timestamp) +
                      " vs " + std::to_string(max_timestamp));
  }
  if (rows_count == 0) return corruption("RowsCount must be > 0; got 0");
  if (blocks_count == 0) return corruption("BlocksCount must be > 0; got 0");
  if (blocks_count > rows_count) {
    return corruption("BlocksCount cannot exceed RowsCount; got BlocksCount=" +
                      std::to_string(blocks_count) + ", RowsCount=" + std::to_string(rows_count));
  }
  return Status::ok();
}

Result<PartHeader> PartHeader::read_dir(const std::string& part_dir, const std::string& display) {
  const std::string path = fs::join(part_dir, "metadata.json");
  const std::string name = fs::join(display.empty() ? part_dir : display, "metadata.json");
  if (fs::exists(path)) {
    auto json = fs::read_file(path, kMaxMetadataSize);
    if (!json.is_ok()) return json.take_status().with_context(name);
    return decode_json(json.value()).with_context(name);
  }
  // §9.2: parts written before v1.90.0 keep their header in the directory name.
  auto legacy = parse_legacy_part_name(fs::base_name(part_dir));
  if (!legacy.is_ok()) {
    return not_found(name + ": missing, and the directory name is not a legacy part name (" +
                     legacy.status().message() + ")");
  }
  PartHeader ph = legacy.value();
  const std::string dedup_path = fs::join(part_dir, "min_dedup_interval");
  const std::string dedup_name = fs::join(display.empty() ? part_dir : display, "min_dedup_interval");
  if (fs::exists(dedup_path)) {
    auto text = fs::read_file(dedup_path, 1024);
    if (!text.is_ok()) return text.take_status().with_context(dedup_name);
    VMT_ASSIGN_OR_RETURN_CTX(ph.min_dedup_interval, parse_duration_ms(text.value()), dedup_name);
  }
  return ph;
}

Status PartHeader::write_dir(const std::string& part_dir) const {
  Bytes json;
  encode_json(json);
  return fs::write_file_sync(fs::join(part_dir, "metadata.json"), json);
}

}  // namespace vmt::storage
