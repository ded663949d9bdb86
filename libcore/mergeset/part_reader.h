// PartReader: opens one mergeset part (a directory, or the five files in memory) and iterates its
// items in order, checking everything the format lets us check (the files carry no checksums).
//
// Spec: mergeset.md §4-§7 (files), §10 (seek), storage-layout.md §4.2 (what v1.93.7 checks).
// Written by part_writer.h. Reading strategy: metadata.json and metaindex.bin are read whole
// (size-capped; metaindex decompressed with a cap); index.bin is read one index block at a time
// (<= 131072 bytes, decompressed with a cap); items.bin and lens.bin one block payload at a time
// with pread (part_source.h). Nothing is loaded whole except the two small files.
//
// Checked at open: metadata.json (part_header.h); metaindex rows (metaindex_row.h); index blocks
// contiguous from offset 0 to the end of index.bin; Σ blockHeadersCount == BlocksCount; the first
// row's firstItem == FirstItem and the last row's firstItem <= LastItem.
// Checked per index block: exactly blockHeadersCount headers and nothing after them; headers
// sorted by firstItem; the metaindex row's firstItem == the first header's firstItem.
// Checked per block: payloads inside their files; the item block decoding checks (item_block.h).
// Checked between consecutive blocks: itemsBlockOffset/lensBlockOffset continue exactly where the
// previous block ended; the block's first item >= the previous block's last item.
// Checked by a full scan (seek_to_first, or seek to a key <= FirstItem) when it reaches the end:
// the first block starts at offset 0 of items.bin and lens.bin, its first item == FirstItem,
// items == ItemsCount (also never exceeded on the way), blocks == BlocksCount, the last item ==
// LastItem, and items.bin/lens.bin end exactly where the last block ends.
// Every error names the file, offset, index block #, block header # and field, e.g.
//   "<dir>/index.bin: index block #0 (offset 0, 66 bytes): block header #3 of 4: ...".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/block_header.h"
#include "mergeset/item_block.h"
#include "mergeset/items.h"
#include "mergeset/metaindex_row.h"
#include "mergeset/part_files.h"
#include "mergeset/part_header.h"
#include "mergeset/part_source.h"

namespace vmt::mergeset {

constexpr uint64_t kMaxMetaindexSize = 64 << 20;           // cap on metaindex.bin, raw and decompressed
constexpr size_t kMaxIndexBlockDecompressed = 4 * 65536;   // cap on one decompressed index block

class PartReader {
 public:
  static Result<std::unique_ptr<PartReader>> open(const std::string& part_dir);
  // `name` stands in for the directory in error messages.
  static Result<std::unique_ptr<PartReader>> open_in_memory(PartFiles files, std::string name = "<memory>");
  ~PartReader();
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  const std::string& path() const { return path_; }
  const PartHeader& header() const { return header_; }
  const std::vector<MetaindexRow>& metaindex() const { return rows_; }
  uint64_t size_bytes() const;  // Σ of the four .bin sizes: the merge policy's part size

  // ---- cursor -----------------------------------------------------------------------------
  // Positions at the first item, starting a full scan (all end-of-part checks run at the end).
  [[nodiscard]] Status seek_to_first();
  // §10: positions at the first item >= key, reading only the index block and block that may
  // hold it. For key <= FirstItem this is seek_to_first().
  [[nodiscard]] Status seek(ByteView key);
  bool valid() const { return valid_; }
  ByteView item() const { return items_[pos_]; }
  // Advances one item; past the last item valid() turns false (and a full scan runs its final
  // checks). On error valid() is false as well.
  [[nodiscard]] Status next();
  // Advances to the first item of the next block.
  [[nodiscard]] Status next_block();

  // The block under the cursor (valid() must hold): its decoded items, the cursor's index in it,
  // its header (views valid until the cursor leaves the index block) and position.
  const Items& block_items() const { return items_; }
  size_t block_pos() const { return pos_; }
  const BlockHeader& block_header() const { return bhs_[bh_]; }
  size_t index_block_number() const { return mi_; }
  size_t block_header_number() const { return bh_; }

  // Convenience: a full scan of every item, all checks. Returns the number of items.
  [[nodiscard]] Result<uint64_t> verify();

 private:
  PartReader() = default;
  Status init(Bytes metaindex_packed);
  std::string file_path(PartFile f) const;
  std::string index_block_ctx(size_t mi) const;
  std::string block_ctx() const;
  Status load_index_block(size_t mi);
  Status load_block(size_t bh);      // decodes bhs_[bh] of the loaded index block; pos_ = 0
  Status advance_block();            // the next block in file order, or the end
  Status finish_scan();              // end-of-part checks of a full scan
  Status fail(Status st);            // invalidates the cursor, returns st

  std::unique_ptr<PartSource> src_;
  std::string path_;
  PartHeader header_;
  Bytes metaindex_buf_;  // decompressed metaindex; rows_ view into it
  std::vector<MetaindexRow> rows_;

  // Cursor.
  bool valid_ = false;
  size_t mi_ = 0;            // metaindex row (index block) loaded into index_buf_/bhs_
  bool index_loaded_ = false;
  Bytes index_raw_;          // compressed index block (file sources)
  Bytes index_buf_;          // decompressed index block; bhs_ view into it
  std::vector<BlockHeader> bhs_;
  size_t bh_ = 0;            // block header # within the index block
  Items items_;              // decoded block
  size_t pos_ = 0;
  Bytes items_raw_, lens_raw_;
  ItemBlockScratch scratch_;

  // Checks between blocks and for a full scan.
  bool full_scan_ = false;
  bool expect_offsets_ = false;  // next_*_off_ are known: the previous block was just read
  uint64_t next_items_off_ = 0;
  uint64_t next_lens_off_ = 0;
  bool have_prev_last_ = false;
  Bytes prev_last_;              // last item of the previous block
  uint64_t items_seen_ = 0;
  uint64_t blocks_seen_ = 0;
};

}  // namespace vmt::mergeset
