// Fuzz target: indexdb items of every namespace (indexdb/item.h) and the tag-row merge callback
// over a block made of the input's lines. Must never crash; a decoded tag row, re-encoded, must
// decode to the same row (not the same bytes: like Go's unmarshalTagValue we accept raw 0x02 bytes
// in a tag string, which encoding escapes canonically as 00 32).
#include <cstdint>
#include <cstdlib>

#include "indexdb/item.h"
#include "indexdb/tag_rows_merge.h"
#include "mergeset/items.h"

namespace {

void check_item(vmt::ByteView in, vmt::metric::Tenancy t) {
  auto it = vmt::indexdb::decode_item(in, t);
  if (it.is_ok() && (it->ns == 1 || it->ns == 6)) {
    vmt::Bytes again;
    it->tag.encode(again, t);
    auto back = vmt::indexdb::TagRow::decode(again, t);
    if (!back.is_ok() || back->key != it->tag.key || back->value != it->tag.value ||
        back->metric_ids != it->tag.metric_ids || back->date != it->tag.date ||
        back->account_id != it->tag.account_id || back->project_id != it->tag.project_id) {
      __builtin_trap();
    }
  }
}

}  // namespace

// Every input as a cluster item and as a single-node one (no tenant after the namespace byte).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmt::ByteView in(reinterpret_cast<const char*>(data), size);
  check_item(in, vmt::metric::Tenancy::kCluster);
  check_item(in, vmt::metric::Tenancy::kSingle);
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
    for (auto t : {vmt::metric::Tenancy::kCluster, vmt::metric::Tenancy::kSingle}) {
      out.clear();
      (void)vmt::indexdb::merge_tag_to_metric_ids_rows(items, out, t);
      if (out.size() > 0 && (out.front() != items.front() || out.back() != items.back() || !out.is_sorted())) __builtin_trap();
    }
  }
  return 0;
}
