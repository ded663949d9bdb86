// Merge: the items of several parts in one sorted stream, and merging parts into a new part.
//
// Spec: mergeset.md §10 (table search: one cursor per part in a min-heap, duplicates included),
// §8-§9 and §11 (a merge writes items in global order, cuts blocks by size only, runs
// prepareBlock on every output block, level from the total input items), §13 (when v1.93.7
// merges). Used by tsdb-merge --indexdb and tsdb-import; reads with part_reader.h, writes with
// part_writer.h. Items are never deduplicated: equal items from several parts all appear.
// Every source is read as a full scan, so every reader check (part_reader.h) runs during a merge,
// a superset of v1.93.7's (first/last item equal to the header, counts not exceeded).
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/part_reader.h"
#include "mergeset/part_writer.h"

namespace vmt::mergeset {

// k-way merge of part cursors (not owned; they must outlive the merger).
class ItemMerger {
 public:
  explicit ItemMerger(std::vector<PartReader*> parts) : parts_(std::move(parts)) {}

  [[nodiscard]] Status seek_to_first();   // full scans of every part
  [[nodiscard]] Status seek(ByteView key); // §10 Seek on every part: all items >= key
  bool valid() const { return !heap_.empty(); }
  ByteView item() const { return heap_[0]->item(); }
  [[nodiscard]] Status next();

 private:
  void build_heap();
  void sift_down(size_t i);

  std::vector<PartReader*> parts_;
  std::vector<PartReader*> heap_;  // min-heap by item()
};

constexpr int kAutoCompressLevel = INT_MIN;  // compress_level_for_items(Σ source ItemsCount)

// A rewrite of the merged stream before blocks are cut (tsdb-merge --delete installs
// indexdb::SeriesPurge): push gets every item in order, finish is called once after the last;
// both hand the items to keep to emit, in order. Without one, every item is kept.
using ItemEmit = std::function<Status(ByteView item)>;
struct ItemTransform {
  std::function<Status(ByteView item, const ItemEmit& emit)> push;
  std::function<Status(const ItemEmit& emit)> finish;
};

struct MergeOptions {
  int compress_level = kAutoCompressLevel;
  PrepareBlockFn prepare_block;  // indexdb installs mergeTagToMetricIDsRows here; merge_part_dirs
                                 // calls it on the writer's thread (PartWriterOptions::background)
  ItemTransform transform;       // optional
  bool durable = true;           // PartWriterOptions::durable
};

struct MergeStats {
  uint64_t items_in = 0;
  uint64_t items_out = 0;   // after prepareBlock
  uint64_t blocks_out = 0;
  uint64_t prepare_block_fallbacks = 0;
};

// Streams every item of `srcs` (through `transform`, when it has push) into `dst` (opened by the
// caller, closed here). When the transform keeps no item, dst is left unclosed with no part
// written (a part needs an item) and items_out is 0: the caller removes what dst created.
[[nodiscard]] Status merge_parts(const std::vector<PartReader*>& srcs, PartWriter& dst, MergeStats* stats = nullptr,
                                 const ItemTransform* transform = nullptr);

// Opens the source part directories, writes the merged part into dst_dir (must not exist; see
// merge_parts for an output with no items).
[[nodiscard]] Status merge_part_dirs(const std::vector<std::string>& src_dirs, const std::string& dst_dir,
                                     const MergeOptions& opt, MergeStats* stats = nullptr);

}  // namespace vmt::mergeset
