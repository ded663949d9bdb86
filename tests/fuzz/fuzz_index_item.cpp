// Fuzz target: indexdb items of every namespace (indexdb/item.h) and the tag-row merge callback
// over a block made of the input's lines. Must never crash; a decoded tag row, re-encoded, must
// decode to the same row (not the same bytes: like Go's unmarshalTagValue we accept raw 0x02 bytes
// in a tag string, which encoding escapes canonically as 00 32). The series purge of
// tsdb-merge --delete (indexdb/series_purge.h) over the same block, with the MetricIDs that the
// input's first 8 bytes and every 8 bytes at its end read as deleted, must keep a sorted stream
// sorted and never emit more items than it got.
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <vector>

#include "indexdb/item.h"
#include "indexdb/series_purge.h"
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
    std::vector<uint64_t> deleted;
    for (size_t i = 0; i + 8 <= size && deleted.size() < 4; i += 8) deleted.push_back(vmt::load_u64(in.data() + size - 8 - i));
    if (size >= 8) deleted.push_back(vmt::load_u64(in.data()));
    std::sort(deleted.begin(), deleted.end());
    deleted.erase(std::unique(deleted.begin(), deleted.end()), deleted.end());
    for (auto t : {vmt::metric::Tenancy::kCluster, vmt::metric::Tenancy::kSingle}) {
      vmt::indexdb::SeriesPurge purge(deleted, t);
      vmt::mergeset::Items kept;
      const auto emit = [&](vmt::ByteView item) {
        kept.push_back(item);
        return vmt::Status::ok();
      };
      bool ok = true;
      for (size_t i = 0; ok && i < items.size(); ++i) ok = purge.push(items[i], emit).is_ok();
      if (ok) ok = purge.finish(emit).is_ok();
      if (ok && (!kept.is_sorted() || kept.size() > items.size())) __builtin_trap();
    }
  }
  return 0;
}
