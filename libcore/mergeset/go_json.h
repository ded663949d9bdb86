// go_json: reading the two small JSON documents of a mergeset table (metadata.json, parts.json)
// with Go encoding/json semantics, on nlohmann/json's SAX parser.
//
// Spec: mergeset.md §3.1 (parts.json), §4 (metadata.json). Used by part_header.cpp and table.cpp.
// What Go does and this reproduces:
//   - the whole input must be exactly one JSON value (whitespace around it allowed);
//   - object keys match struct fields case-insensitively (ASCII, plus Go's two special folds
//     U+017F "ſ" = s and U+212A "K" = k); every matching key is applied in document order, so
//     the last one wins; unknown keys are ignored whatever their value;
//   - numbers keep their kind: a uint64 field takes only non-negative integers that fit.
// This file only tokenizes the top level; the field rules (null, types) live with each document.
// nlohmann/json exceptions are caught here and nowhere else in mergeset.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::mergeset::go_json {

enum class Kind { null, boolean, unsigned_int, negative_int, floating, string, object, array };
const char* kind_name(Kind k);  // Go's words: "null", "bool", "number", "string", "object", "array"

// A top-level member or element. Nested objects and arrays are reported by kind only.
struct Value {
  Kind kind = Kind::null;
  uint64_t u = 0;   // unsigned_int
  std::string s;    // string: the unescaped content; numbers: their text (for messages)
};

struct Document {
  Kind kind = Kind::null;                                 // kind of the top-level value
  std::vector<std::pair<std::string, Value>> members;     // top-level object, document order
  std::vector<Value> elements;                            // top-level array
  Value scalar;                                           // any other top-level value
};

Result<Document> parse(ByteView text);

// Go's case-insensitive key match against a struct field name (ASCII field names).
bool key_matches(ByteView key, ByteView field);

}  // namespace vmt::mergeset::go_json
