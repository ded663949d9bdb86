// Fuzz target: the JSON files of a data directory: data and table parts.json, a data part's and a
// mergeset part's metadata.json. Must never crash or throw; whatever decodes must re-encode and
// decode to the same value.
#include <cstdint>

#include "layout/parts_json.h"
#include "mergeset/part_header.h"
#include "storage/part_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmt::ByteView in(reinterpret_cast<const char*>(data), size);
  if (auto d = vmt::layout::DataPartsJson::decode(in); d.is_ok()) {
    auto again = vmt::layout::DataPartsJson::decode(d->encode());
    if (!again.is_ok()) __builtin_trap();
  }
  if (auto t = vmt::layout::TablePartsJson::decode(in); t.is_ok()) {
    auto again = vmt::layout::TablePartsJson::decode(t->encode());
    if (!again.is_ok()) __builtin_trap();
  }
  if (auto ph = vmt::storage::PartHeader::decode_json(in); ph.is_ok()) {
    auto again = vmt::storage::PartHeader::decode_json(ph->to_json());
    if (!again.is_ok() || !(*again == *ph)) __builtin_trap();
  }
  if (auto mh = vmt::mergeset::PartHeader::from_json(in); mh.is_ok()) {
    auto again = vmt::mergeset::PartHeader::from_json(mh->to_json());
    if (!again.is_ok() || !(*again == *mh)) __builtin_trap();
  }
  return 0;
}
