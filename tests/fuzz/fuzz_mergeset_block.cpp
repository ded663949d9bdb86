// Fuzz target for mergeset/item_block: decode one item block from arbitrary bytes.
//
// Input layout: an encoded block header (mergeset.md §6, as in index.bin) · itemsBlockSize bytes
// of items payload · lensBlockSize bytes of lens payload (both clamped to what the input holds).
// Invariants: no crash and no allocation beyond the caps; a block that decodes is sorted, has
// itemsCount items starting with firstItem, and survives re-encoding (as our writer would, up to
// kMaxItemsPerBlock items) and decoding to the very same items.
#include <cstdint>

#include "mergeset/block_header.h"
#include "mergeset/item_block.h"
#include "mergeset/part_writer.h"

using namespace vmt;
using namespace vmt::mergeset;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(reinterpret_cast<const char*>(data), size);
  ByteReader r(in);
  auto bh = BlockHeader::decode(r);
  if (!bh.is_ok()) return 0;
  ByteView rest = r.rest();
  ByteView items_payload = rest.substr(0, bh->items_block_size);
  rest.remove_prefix(items_payload.size());
  ByteView lens_payload = rest.substr(0, bh->lens_block_size);

  Items items;
  ItemBlockScratch scratch;
  if (!decode_item_block(*bh, items_payload, lens_payload, items, scratch).is_ok()) return 0;
  if (items.size() != bh->items_count || items.front() != bh->first_item || !items.is_sorted()) __builtin_trap();
  if (items.size() > kMaxItemsPerBlock) return 0;

  EncodedItemBlock enc;
  encode_item_block(items, -5, enc, scratch);
  Items again;
  if (!decode_item_block(enc.header, enc.items_payload, enc.lens_payload, again, scratch).is_ok()) __builtin_trap();
  if (!(again == items)) __builtin_trap();
  return 0;
}
