// Fuzz target: indexdb items of every namespace (indexdb/item.h) and the tag-row merge callback
// over a block made of the input's lines. Must never crash; a decoded tag row must re-encode to
// the same bytes.
#include <cstdint>
#include <cstdlib>

#include "indexdb/item.h"
#include "indexdb/tag_rows_merge.h"
#include "mergeset/items.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmt::ByteView in(reinterpret_cast<const char*>(data), size);
  auto it = vmt::indexdb::decode_item(in);
  if (it.is_ok() && (it->ns == 1 || it->ns == 6)) {
    vmt::Bytes again;
    it->tag.encode(again);
    if (again != in) __builtin_trap();
  }
  // The input split at '\n' as the items of one block, sorted as a block always is.
  vmt::mergeset::Items items, out;
  size_t start = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i == size || in[i] == '\n') {
      items.push_back(in.substr(start, i - start));
      start = i + 1;
    }
  }
  if (items.is_sorted()) {
    (void)vmt::indexdb::merge_tag_to_metric_ids_rows(items, out);
    if (out.size() > 0 && (out.front() != items.front() || out.back() != items.back() || !out.is_sorted())) __builtin_trap();
  }
  return 0;
}
