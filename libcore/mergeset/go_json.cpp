#include "mergeset/go_json.h"

#include <nlohmann/json.hpp>

namespace vmt::mergeset::go_json {

namespace {

using json = nlohmann::json;

// Collects the top level of one JSON document; everything deeper only moves `depth_`.
class TopLevelSax {
 public:
  Document doc;
  std::string error;

  bool null() { return scalar(Value{Kind::null, 0, {}}); }
  bool boolean(bool b) { return scalar(Value{Kind::boolean, b ? 1u : 0u, b ? "true" : "false"}); }
  bool number_integer(json::number_integer_t v) {
    return scalar(Value{Kind::negative_int, 0, std::to_string(v)});
  }
  bool number_unsigned(json::number_unsigned_t v) {
    return scalar(Value{Kind::unsigned_int, uint64_t(v), std::to_string(v)});
  }
  bool number_float(json::number_float_t, const std::string& text) {
    return scalar(Value{Kind::floating, 0, text});
  }
  bool string(std::string& s) { return scalar(Value{Kind::string, 0, std::move(s)}); }
  bool binary(json::binary_t&) { return scalar(Value{Kind::null, 0, {}}); }  // not produced by JSON
  bool start_object(std::size_t) { return open(Kind::object); }
  bool end_object() { --depth_; return true; }
  bool start_array(std::size_t) { return open(Kind::array); }
  bool end_array() { --depth_; return true; }
  bool key(std::string& k) {
    if (depth_ == 1) key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error = ex.what();
    return false;
  }

 private:
  bool scalar(Value v) {
    if (depth_ == 0) {
      doc.kind = v.kind;
      doc.scalar = std::move(v);
    } else if (depth_ == 1) {
      add(std::move(v));
    }
    return true;
  }
  bool open(Kind k) {
    if (depth_ == 0) doc.kind = k;
    else if (depth_ == 1) add(Value{k, 0, {}});
    ++depth_;
    return true;
  }
  void add(Value v) {
    if (doc.kind == Kind::object) doc.members.emplace_back(std::move(key_), std::move(v));
    else doc.elements.push_back(std::move(v));
  }

  size_t depth_ = 0;
  std::string key_;
};

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::null: return "null";
    case Kind::boolean: return "bool";
    case Kind::unsigned_int:
    case Kind::negative_int:
    case Kind::floating: return "number";
    case Kind::string: return "string";
    case Kind::object: return "object";
    case Kind::array: return "array";
  }
  return "unknown";
}

Result<Document> parse(ByteView text) {
  TopLevelSax sax;
  bool ok = false;
  // The one place nlohmann/json exceptions are caught in mergeset. sax_parse reports syntax errors
  // through parse_error(); the catch covers what it may still throw (e.g. std::bad_alloc).
  try {
    ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const std::exception& e) {
    return corruption(std::string("invalid JSON: ") + e.what());
  }
  if (!ok) return corruption("invalid JSON: " + (sax.error.empty() ? std::string("parse error") : sax.error));
  return std::move(sax.doc);
}

bool key_matches(ByteView key, ByteView field) {
  size_t i = 0;
  for (char fc : field) {
    char f = char(fc >= 'A' && fc <= 'Z' ? fc + 32 : fc);
    if (i >= key.size()) return false;
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c < 0x80) {
      char k = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
      if (k != f) return false;
      ++i;
    } else if (f == 's' && key.substr(i, 2) == "\xC5\xBF") {  // U+017F LATIN SMALL LETTER LONG S
      i += 2;
    } else if (f == 'k' && key.substr(i, 3) == "\xE2\x84\xAA") {  // U+212A KELVIN SIGN
      i += 3;
    } else {
      return false;
    }
  }
  return i == key.size();
}

}  // namespace vmt::mergeset::go_json
