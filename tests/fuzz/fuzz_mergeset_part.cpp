// Fuzz target for mergeset/part_reader: a whole part from one input, without disk.
//
// Input layout: PartFiles::pack() (mergeset/part_files.h): 5 x (u32 BE length · bytes) for
// metadata.json, metaindex.bin, index.bin, items.bin, lens.bin; short inputs leave files empty.
// Invariants: no crash, no hang, allocations within the caps; a full scan yields non-decreasing
// items; after seek(key) every item is >= key; a part that verifies re-writes (our writer) and
// reads back to the same items.
#include <cstdint>
#include <vector>

#include "mergeset/part_reader.h"
#include "mergeset/part_writer.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {

constexpr size_t kMaxItemsKept = 200000;

// Scans from the cursor; traps if order breaks or an item is below `key`.
void scan_ordered(PartReader& r, ByteView key, size_t limit) {
  Bytes prev;
  bool first = true;
  for (size_t n = 0; r.valid() && n < limit; ++n) {
    ByteView it = r.item();
    if (it < key) __builtin_trap();
    if (!first && it < ByteView(prev)) __builtin_trap();
    prev.assign(it);
    first = false;
    if (!r.next().is_ok()) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  PartFiles pf = PartFiles::unpack(ByteView(reinterpret_cast<const char*>(data), size));
  auto opened = PartReader::open_in_memory(std::move(pf), "fuzz");
  if (!opened.is_ok()) return 0;
  PartReader& r = **opened;

  // Full scan, keeping the items (bounded) for the round trip.
  std::vector<Bytes> items;
  bool complete = false;
  if (r.seek_to_first().is_ok()) {
    Bytes prev;
    for (;;) {
      if (!r.valid()) { complete = true; break; }
      ByteView it = r.item();
      if (!items.empty() && it < ByteView(items.back())) __builtin_trap();
      if (items.size() < kMaxItemsKept) items.emplace_back(it);
      if (!r.next().is_ok()) break;
    }
  }

  // Seeks: empty key, FirstItem and LastItem and their prefixes, each metaindex row's firstItem.
  std::vector<Bytes> keys = {"", r.header().first_item, r.header().last_item,
                             r.header().first_item.substr(0, 1), r.header().last_item.substr(0, 5)};
  for (size_t i = 0; i < r.metaindex().size() && i < 4; ++i) {
    Bytes k(r.metaindex()[i].first_item);
    keys.push_back(k);
    if (!k.empty()) {
      k.back() = char(uint8_t(k.back()) + 1);
      keys.push_back(k);
    }
  }
  for (const auto& k : keys) {
    if (r.seek(k).is_ok()) scan_ordered(r, k, 1000);
  }

  // Round trip through our writer when the part verified and every item is writable.
  if (!complete || items.size() != r.header().items_count || items.size() >= kMaxItemsKept) return 0;
  PartWriter w;
  w.open_in_memory({-5, nullptr});
  for (const auto& it : items) {
    if (!w.add(it).is_ok()) return 0;  // e.g. an item longer than 65536 bytes
  }
  if (!w.close().is_ok()) __builtin_trap();
  auto back = PartReader::open_in_memory(w.take_files(), "rewritten");
  if (!back.is_ok()) __builtin_trap();
  if (!(*back)->seek_to_first().is_ok()) __builtin_trap();
  for (const auto& it : items) {
    if (!(*back)->valid() || (*back)->item() != ByteView(it)) __builtin_trap();
    if (!(*back)->next().is_ok()) __builtin_trap();
  }
  if ((*back)->valid()) __builtin_trap();
  return 0;
}
