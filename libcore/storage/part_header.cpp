#include "storage/part_header.h"

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "storage/legacy_part_name.h"

namespace vmt::storage {

namespace {

constexpr uint64_t kMaxMetadataSize = 1 << 20;   // metadata.json is ~120 bytes; cap the read

// ---- Go encoding/json for one flat struct ---------------------------------------------------------

enum Field { kNone = -1, kRowsCount, kBlocksCount, kMinTimestamp, kMaxTimestamp, kMinDedupInterval };
constexpr const char* kFieldNames[] = {"RowsCount", "BlocksCount", "MinTimestamp", "MaxTimestamp",
                                       "MinDedupInterval"};

bool is_unsigned(Field f) { return f == kRowsCount || f == kBlocksCount; }

// Go matches a key to a field name exactly or, failing that, case-insensitively. For names holding
// 'k' or 's' (all of ours) it uses equalFoldRight, which also folds U+212A KELVIN SIGN to 'k' and
// U+017F LONG S to 's'. The exact names are distinct after folding, so folding both sides and
// comparing is equivalent.
std::string fold_key(const std::string& k) {
  std::string out;
  out.reserve(k.size());
  for (size_t i = 0; i < k.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(k[i]);
    if (c == 0xC5 && i + 1 < k.size() && static_cast<unsigned char>(k[i + 1]) == 0xBF) {
      out.push_back('s');
      i += 1;
    } else if (c == 0xE2 && i + 2 < k.size() && static_cast<unsigned char>(k[i + 1]) == 0x84 &&
               static_cast<unsigned char>(k[i + 2]) == 0xAA) {
      out.push_back('k');
      i += 2;
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(char(c - 'A' + 'a'));
    } else {
      out.push_back(char(c));
    }
  }
  return out;
}

Field lookup_field(const std::string& key) {
  const std::string folded = fold_key(key);
  for (int i = 0; i < 5; ++i) {
    if (folded == fold_key(kFieldNames[i])) return Field(i);
  }
  return kNone;
}

// SAX handler: applies the top-level object's known keys to a PartHeader in document order.
class PartHeaderSax {
 public:
  using json = nlohmann::json;
  explicit PartHeaderSax(PartHeader* ph) : ph_(ph) {}

  bool null() { return scalar("null"); }
  bool boolean(bool) { return scalar("bool"); }
  bool number_integer(json::number_integer_t v) {
    if (depth_ == 0) return top_type_error("number");
    if (!at_field()) return done_value();
    if (is_unsigned(field_) && v < 0) return type_error("number " + std::to_string(v));
    set(uint64_t(v));
    return done_value();
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (depth_ == 0) return top_type_error("number");
    if (!at_field()) return done_value();
    if (!is_unsigned(field_) && v > uint64_t(std::numeric_limits<int64_t>::max())) {
      return type_error("number " + std::to_string(v));
    }
    set(v);
    return done_value();
  }
  bool number_float(json::number_float_t, const json::string_t& s) {
    // Go parses integer fields with strconv.Parse(U)Int: "1.0", "1e3" and out-of-range integers
    // (which the lexer reports as floats) are all type errors.
    if (depth_ == 0) return top_type_error("number");
    if (!at_field()) return done_value();
    return type_error("number " + s);
  }
  bool string(json::string_t&) { return scalar("string"); }
  bool binary(json::binary_t&) { return scalar("binary"); }
  bool start_object(std::size_t) { return open("object"); }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open("array"); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    if (depth_ == 1) field_ = lookup_field(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_ = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (size_t p = syntax_error_.find("] "); p != std::string::npos && syntax_error_[0] == '[') {
      syntax_error_ = syntax_error_.substr(p + 2);
    }
    return false;
  }

  const std::string& syntax_error() const { return syntax_error_; }
  const std::string& type_error_message() const { return type_error_; }

 private:
  // True when the value being delivered belongs to a known key of the top-level object.
  bool at_field() const { return depth_ == 1 && field_ != kNone; }
  bool done_value() {
    if (depth_ == 1) field_ = kNone;
    return true;
  }
  bool scalar(const char* type) {
    const bool is_null = std::string(type) == "null";
    if (depth_ == 0) {
      // Top-level null is a no-op in Go; any other scalar cannot go into a struct.
      return is_null ? true : top_type_error(type);
    }
    if (!at_field() || is_null) return done_value();   // null leaves the field unchanged
    return type_error(type);
  }
  bool open(const char* type) {
    if (depth_ == 0 && std::string(type) != "object") (void)top_type_error(type);
    if (depth_ == 1 && field_ != kNone) (void)type_error(type);
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    if (depth_ == 1) field_ = kNone;   // a nested value of the top-level object ended
    return true;
  }
  bool type_error(const std::string& what) {
    if (type_error_.empty()) {
      type_error_ = "cannot unmarshal " + what + " into " + kFieldNames[field_] + " of type " +
                    (is_unsigned(field_) ? "uint64" : "int64");
    }
    return done_value();
  }
  bool top_type_error(const char* type) {
    if (type_error_.empty()) {
      type_error_ = std::string("cannot unmarshal ") + type + " into the part header (want an object)";
    }
    return true;
  }
  void set(uint64_t v) {
    switch (field_) {
      case kRowsCount: ph_->rows_count = v; break;
      case kBlocksCount: ph_->blocks_count = v; break;
      case kMinTimestamp: ph_->min_timestamp = int64_t(v); break;
      case kMaxTimestamp: ph_->max_timestamp = int64_t(v); break;
      case kMinDedupInterval: ph_->min_dedup_interval = int64_t(v); break;
      case kNone: break;
    }
  }

  PartHeader* ph_;
  int depth_ = 0;
  Field field_ = kNone;
  std::string syntax_error_;
  std::string type_error_;
};

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
  PartHeaderSax sax(&ph);
  bool ok = false;
  // The one place nlohmann/json may throw in this module.
  try {
    ok = nlohmann::json::sax_parse(json.begin(), json.end(), &sax);
  } catch (const std::exception& e) {
    return corruption(std::string("cannot parse JSON: ") + e.what());
  }
  if (!ok || !sax.syntax_error().empty()) {
    return corruption("cannot parse JSON: " +
                      (sax.syntax_error().empty() ? std::string("invalid JSON") : sax.syntax_error()));
  }
  if (!sax.type_error_message().empty()) return corruption(sax.type_error_message());
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
