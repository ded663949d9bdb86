// Item block: the items of one block, as stored in items.bin and lens.bin.
//
// Spec: mergeset.md §7 (encodings), §8 (block sizes). Encoded by part_writer.cpp, decoded by
// part_reader.cpp; the block header (block_header.h) carries commonPrefix, firstItem, marshalType
// and itemsCount. For sorted items it[0..n-1], cp = commonPrefix, s[i] = it[i] without cp:
//
//   cp = LCP(it[0], it[n-1]); for n == 1 cp is the whole item (v1.93.7; HEAD writes ""). Ours:
//   "" for a single item longer than kMaxSingleItemCommonPrefix (see encode_item_block).
//   raw = Σ len(it[i]) - len(cp)·n.   plain if raw < 64 or n < 2; otherwise zstd, unless the
//   compressed items payload is > 0.9·raw (then plain after all).
//   plain (0): items.bin  s[1] · … · s[n-1]                 lens.bin  u64 BE len(s[i]) per item
//   zstd  (1): items.bin  zstd(s[1][p1:] · … · s[n-1][pn-1:])   where p[i] = LCP(s[i-1], s[i])
//              lens.bin   zstd(varint(p[i] ^ p[i-1]) for i=1..n-1 · varint(l[i] ^ l[i-1]) for i=1..n-1)
//              with p[0] = 0, l[i] = len(s[i]), l[0] = len(firstItem) - len(cp).
//   The first item lives only in the header; for n == 1 both payloads are empty.
//
// Decoding checks (§7.5): payloads consumed exactly; exactly 2(n-1) varints (Go's binary.Uvarint
// rules: <= 10 bytes, no overflow); p[i] <= l[i] and p[i] <= len(s[i-1]); items non-decreasing.
// Allocation caps (ours; Go has none): a zstd items payload decompresses to <= 131072 bytes, a
// zstd lens payload to <= 1048576 bytes, and a decoded block holds <= 1 MiB of items. Writers
// produce at most 65536 bytes of items per block, so valid parts stay far below these caps.
#pragma once

#include <cstdint>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/block_header.h"
#include "mergeset/items.h"

namespace vmt::mergeset {

constexpr size_t kMaxItemsDataDecompressed = 2 * 65536;   // cap on zstd items payload content
constexpr size_t kMaxLensDataDecompressed = 16 * 65536;   // cap on zstd lens payload content
constexpr size_t kMaxDecodedBlockSize = 16 * 65536;       // cap on Σ len(item) of a decoded block
constexpr size_t kMaxSingleItemCommonPrefix = 60 * 1024;  // writer: longer single items get cp ""

// Buffers reused from block to block (no allocation per block once warm).
struct ItemBlockScratch {
  Bytes items;  // uncompressed items payload (zstd form)
  Bytes lens;   // uncompressed lens payload (zstd form)
};

struct EncodedItemBlock {
  // commonPrefix and firstItem view into the Items passed to encode_item_block; itemsCount and
  // marshalType and both sizes are set; the two offsets are left 0 for the writer to fill.
  BlockHeader header;
  Bytes items_payload;
  Bytes lens_payload;
};

// Encodes sorted, non-empty items (the caller guarantees both; asserts). Never fails.
void encode_item_block(const Items& items, int compress_level, EncodedItemBlock& out, ItemBlockScratch& scratch);

// Decodes one block into `out` (cleared first). Messages name the field and item index; the
// caller adds file/offset/block context.
[[nodiscard]] Status decode_item_block(const BlockHeader& bh, ByteView items_payload, ByteView lens_payload,
                                       Items& out, ItemBlockScratch& scratch);

}  // namespace vmt::mergeset
