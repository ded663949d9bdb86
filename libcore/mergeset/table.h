// Table: a mergeset table directory (one indexdb generation) and its parts.json.
//
// Spec: mergeset.md §3. Layout:
//   <table>/parts.json   JSON array of part directory names: ["18EA240D99112670"]; [] when empty
//   <table>/<PART>/      one directory per part listed there (part_reader.h / part_writer.h)
// parts.json is written by Go's json.Marshal: compact, names sorted ascending, no trailing
// newline, replaced atomically (tmp file, fsync, rename, fsync dir). A part is visible only once
// listed; vmstorage deletes unlisted subdirectories at open (§3.3), so: write the part completely,
// then rewrite parts.json.
// Reading takes Go's JSON syntax (base/go_json.h) but is stricter than the server about content:
// anything but an array of distinct strings is an error. The server takes null as "no parts" (and
// then deletes every part directory at open) and lists a duplicate part twice (doubling its
// samples); an offline tool must stop at such a file, not act on it. Names are not parsed (§3.2),
// but we reject "", ".", ".." and names with '/' or NUL, which Go would join into another path.
// Part names written by us: new_part_name() gives %016X of a counter, as vmstorage does.
// The other side: vmstorage's lib/mergeset/table.go; libcore/layout reads the same file for the
// whole storage directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/go_json.h"
#include "base/status.h"
#include "mergeset/part_header.h"

namespace vmt::mergeset {

constexpr uint64_t kMaxPartsJsonSize = 16 << 20;

bool is_valid_part_name(ByteView name);
// Corruption naming the first part listed twice in `names` ("part X is listed twice in LIST").
Status check_unique_part_names(const std::vector<std::string>& names, const std::string& list);
std::string new_part_name(uint64_t counter);  // "%016X"

Bytes encode_parts_json(std::vector<std::string> names);  // sorts a copy; Go's json.Marshal bytes
Result<std::vector<std::string>> decode_parts_json(ByteView text);

// One list of part names as parts.json holds it, for a table's file (this whole array) and a data
// partition's ("Small" and "Big", layout/parts_json.h): Go's json.Marshal of the sorted names, and
// the decoding of an array of valid part names whose errors name `field` ("" for a whole file).
void append_part_name_list(Bytes& out, std::vector<std::string> names);
Status decode_part_name_list(go_json::Value& v, const std::string& field, std::vector<std::string>* out);

// The names in <table>/parts.json. When parts.json is missing (tables from before v1.90, §3.3
// step 3), every subdirectory except tmp, txn, snapshots, cache and *.must-remove.* (read-only:
// nothing is created or deleted here).
Result<std::vector<std::string>> read_part_names(const std::string& table_dir);
// Atomically replaces <table>/parts.json.
[[nodiscard]] Status write_part_names(const std::string& table_dir, const std::vector<std::string>& names);

struct TablePart {
  std::string name;
  std::string path;
  PartHeader header;
  uint64_t size_bytes = 0;  // Σ of the four .bin files (the merge policy's size)
};
// Every listed part with its metadata.json and size, in parts.json order. A listed part that is
// missing or unreadable is an error (v1.93.7: fatal).
Result<std::vector<TablePart>> list_parts(const std::string& table_dir);

}  // namespace vmt::mergeset
