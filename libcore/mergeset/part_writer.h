// PartWriter: writes sorted items into a new mergeset part (a directory, or in memory).
//
// Spec: mergeset.md §4-§9, §11 (the prepareBlock contract). Read back by part_reader.h.
// What it does, in v1.93.7's order (block_stream_writer.go, merge.go):
//   - cuts blocks by the size rule: an item joins the current block while Σ len(items) stays
//     <= 65536, else it starts the next block (§8);
//   - passes each block through the optional prepareBlock hook (below), then encodes it
//     (item_block.h) and appends its payloads to items.bin and lens.bin;
//   - appends the block header to the pending index block and, once that reaches >= 65536
//     uncompressed bytes, compresses it as one frame into index.bin and records a metaindex row;
//   - at close: flushes the last index block, writes all metaindex rows as ONE frame into
//     metaindex.bin, then metadata.json LAST (counts and items after the hook); every file is
//     fsynced, then the part directory and its parent.
// One zstd level for every unit of a part: compress_level_for_items(input items) (§9 table).
// Deviations from v1.93.7, only where it would write a part its own reader rejects:
//   - a block is also cut at 131073 items (more would need > 1 MiB of plain lens; only possible
//     with runs of empty items);
//   - the pending index block is flushed BEFORE appending a header that would take it past
//     126976 uncompressed bytes (only with items of tens of KiB), and a single-item block of an
//     item over 60 KiB gets commonPrefix "" (item_block.h), so a compressed index block stays
//     <= 131072 bytes (v1.93.7's reader limit; HEAD flushes before 64 KiB). The writer checks
//     this and fails rather than write a part a reader would reject.
// A failed write leaves a partial directory; it is not listed in parts.json, and vmstorage
// deletes unlisted directories at open (§3.3).
//
// prepareBlock (§11): called with each block's sorted items before encoding. It returns false to
// keep them, or true with replacement items in `out`. The replacement must keep the first and last
// items byte-identical, be sorted, and still fit a block (<= 65536 bytes, items <= 65536 bytes);
// otherwise the writer uses the original items (v1.93.7 panics) and counts a fallback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/item_block.h"
#include "mergeset/items.h"
#include "mergeset/metaindex_row.h"
#include "mergeset/part_files.h"
#include "mergeset/part_header.h"

namespace vmt::mergeset {

constexpr size_t kMaxItemsPerBlock = 1 + kMaxLensBlockSize / 8;  // ours, see above
constexpr size_t kIndexBlockFlushSize = 65536;                    // maxIndexBlockSize (§6)
constexpr size_t kIndexBlockSafeSize = 126976;                    // ours, see above

// §9 / getCompressLevel: the zstd level for a part built from n input items.
int compress_level_for_items(uint64_t n);

using PrepareBlockFn = std::function<bool(const Items& in, Items& out)>;

struct PartWriterOptions {
  int compress_level = -5;
  PrepareBlockFn prepare_block;  // optional
  // Blocks are prepared, encoded, compressed and written on a thread of the writer's own while
  // the caller goes on adding items (two blocks queued at most, besides the one being written).
  // The part is the same bytes.
  // An error of that thread is returned by a later add() or by close().
  bool background = false;
  // false: a temporary part this process reads and removes (a sorted run): nothing is fsynced.
  bool durable = true;
};

class PartWriter {
 public:
  PartWriter();
  ~PartWriter();
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  // Creates part_dir (which must not exist) and the four .bin files.
  [[nodiscard]] Status open(const std::string& part_dir, PartWriterOptions opt);
  void open_in_memory(PartWriterOptions opt);

  // Items must come in non-decreasing order and be <= 65536 bytes (invalid_argument otherwise).
  [[nodiscard]] Status add(ByteView item);
  // Writes the rest; a part needs at least one item. After an error the writer is unusable.
  [[nodiscard]] Status close();

  const PartHeader& header() const { return header_; }   // complete after close()
  PartFiles take_files();                                 // in-memory parts, after close()
  uint64_t prepare_block_fallbacks() const { return fallbacks_; }

  class Sink;  // directory or memory; part_writer.cpp

 private:
  Status flush_block();                    // hands block_ over, or writes it
  Status write_block(const Items& block);  // prepareBlock, encode, append, index
  Status flush_index_block();
  void start_background();
  Status stop_background();
  Status fail(Status st);

  std::unique_ptr<Sink> sink_;
  PartWriterOptions opt_;
  Status error_;
  bool open_ = false;

  Items block_;         // the block being filled
  Items prepared_;      // prepareBlock output
  EncodedItemBlock enc_;
  ItemBlockScratch scratch_;
  Bytes last_item_;     // last item of the written blocks (LastItem)
  struct Background;    // part_writer.cpp
  std::unique_ptr<Background> background_;
  uint64_t items_added_ = 0;
  uint64_t fallbacks_ = 0;

  uint64_t items_off_ = 0, lens_off_ = 0, index_off_ = 0;
  Bytes index_block_;   // pending index block, uncompressed
  Bytes packed_;        // compression scratch
  Bytes mr_first_item_; // firstItem of the pending metaindex row
  uint32_t mr_headers_ = 0;
  Bytes metaindex_;     // all metaindex rows, uncompressed

  PartHeader header_;
};

}  // namespace vmt::mergeset
