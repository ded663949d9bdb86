// parts.json: the list of live parts of a data partition or of an indexdb generation table.
//
// Spec: data-part.md §14, mergeset.md §3.1, storage-layout.md §2.2.
//   data/small/YYYY_MM/parts.json   {"Small":["18EA...","..."],"Big":[]}   (only in small/)
//   indexdb/<GEN>/parts.json        ["18EA240D99112670"]                   (a JSON array)
// Written by Go json.Marshal: compact, lists sorted bytewise, empty lists as [], no trailing newline.
// Read with Go's JSON syntax (base/go_json.h: what the server refuses, we refuse) and stricter
// content rules than the server's: both keys (matched as Go folds them) exactly once, no other
// key, arrays of valid, distinct part names. The server reads null, {} or a misspelt key as "no
// parts" and deletes the part directories at open; we stop and name the problem instead. Written atomically (tmp file, fsync, rename, fsync dir): the
// rename is the commit point of every part swap.
#pragma once

#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::layout {

struct DataPartsJson {
  std::vector<std::string> small;
  std::vector<std::string> big;

  Bytes encode() const;  // sorts a copy of both lists
  static Result<DataPartsJson> decode(ByteView json);
};

struct TablePartsJson {
  std::vector<std::string> parts;

  Bytes encode() const;
  static Result<TablePartsJson> decode(ByteView json);
};

// Reads and decodes; errors carry the path.
Result<DataPartsJson> read_data_parts_json(const std::string& path);
Result<TablePartsJson> read_table_parts_json(const std::string& path);
Status write_data_parts_json(const std::string& path, const DataPartsJson& p);
// (A table's parts.json is written by mergeset::write_part_names; part names are checked by
// mergeset::is_valid_part_name, and each list is encoded and decoded by mergeset's
// append_part_name_list and decode_part_name_list, for both files.)

}  // namespace vmt::layout
