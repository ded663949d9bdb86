// go_json: the one JSON reader for the small documents of a data directory (a data part's and a
// mergeset part's metadata.json, both kinds of parts.json), accepting exactly the bytes Go's
// encoding/json accepts: the server reads these files with json.Unmarshal and stops with
// "FATAL: cannot parse ...: <Go's message>" on anything else, so a file we accept and it refuses is
// a directory verify must not pass.
//
// Syntax, as Go's scanner (encoding/json/scanner.go) has it:
//   - the whole input is one value; only ' ', '\t', '\n', '\r' may surround it. No byte-order mark
//     (Go: "invalid character 'ï' looking for beginning of value"), no NUL anywhere (Go: "invalid
//     character '\x00' after top-level value"), no comments, nothing after the value;
//   - strings may hold any byte >= 0x20 except '"' and '\\', valid UTF-8 or not; unquoting turns
//     each invalid byte and each unpaired surrogate escape into U+FFFD, as Go does;
//   - numbers are -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; nesting deeper than 10000 fails.
// Error messages are Go's words followed by the byte offset.
//
// Decoding into fields follows json.Unmarshal: keys match a field name case-insensitively (with
// Go's two special folds), a null value leaves a field untouched, an integer field takes only a
// literal strconv.ParseUint/ParseInt accept. What each document then requires (required keys,
// duplicates) lives with the document.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::go_json {

enum class Kind { null, boolean, number, string, object, array };
const char* kind_name(Kind k);  // Go's words: "null", "bool", "number", "string", "object", "array"

struct Member;

// A value with its members or elements, to kKeptDepth levels below the top (the deepest value our
// files have is a part name inside {"Small":[...]}); deeper values are validated, then kept by kind
// only, so a hostile file cannot build a deep tree.
struct Value {
  Kind kind = Kind::null;
  std::string text;              // string: unquoted content (valid UTF-8); number: its literal; bool
  std::vector<Member> members;   // object, in document order (duplicate keys kept)
  std::vector<Value> elements;   // array
};
struct Member {
  std::string key;
  Value value;
};
constexpr size_t kKeptDepth = 2;

// Corruption with Go's message and the offset: "invalid character '\x00' after top-level value
// at offset 37".
Result<Value> parse(ByteView text);

// Go's key-to-field match (ASCII field names): case-insensitive, plus U+017F = s, U+212A = k.
bool key_matches(ByteView key, ByteView field);

// Go's rules for an integer field: the literal must parse with strconv.ParseUint / ParseInt
// ("1.0", "1e3", "-1" into uint64 and out-of-range values are type errors). Only for kind number.
Result<uint64_t> to_uint64(const Value& v, const char* field);
Result<int64_t> to_int64(const Value& v, const char* field);

// "cannot unmarshal number 1.5 into FIELD of type uint64": Go's UnmarshalTypeError without its
// "json: " and struct name.
Status type_error(const char* field, const Value& v, const char* go_type);

}  // namespace vmt::go_json
