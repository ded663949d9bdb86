#include "mergeset/merge.h"

#include <memory>

namespace vmt::mergeset {

void ItemMerger::sift_down(size_t i) {
  const size_t n = heap_.size();
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < n && heap_[l]->item() < heap_[m]->item()) m = l;
    if (r < n && heap_[r]->item() < heap_[m]->item()) m = r;
    if (m == i) return;
    std::swap(heap_[i], heap_[m]);
    i = m;
  }
}

void ItemMerger::build_heap() {
  heap_.clear();
  for (PartReader* p : parts_) {
    if (p->valid()) heap_.push_back(p);
  }
  for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(i);
}

Status ItemMerger::seek_to_first() {
  heap_.clear();
  for (PartReader* p : parts_) VMT_TRY(p->seek_to_first());
  build_heap();
  return Status::ok();
}

Status ItemMerger::seek(ByteView key) {
  heap_.clear();
  for (PartReader* p : parts_) VMT_TRY(p->seek(key));
  build_heap();
  return Status::ok();
}

Status ItemMerger::next() {
  if (heap_.empty()) return Status::ok();
  PartReader* top = heap_[0];
  Status st = top->next();
  if (!st.is_ok()) {
    heap_.clear();
    return st;
  }
  if (!top->valid()) {
    heap_[0] = heap_.back();
    heap_.pop_back();
  }
  if (!heap_.empty()) sift_down(0);
  return Status::ok();
}

Status merge_parts(const std::vector<PartReader*>& srcs, PartWriter& dst, MergeStats* stats,
                   const ItemTransform* transform) {
  ItemMerger m(srcs);
  VMT_TRY(m.seek_to_first());
  uint64_t n = 0, kept = 0;
  const ItemEmit emit = [&](ByteView item) {
    ++kept;
    return dst.add(item);
  };
  const bool transforming = transform && transform->push;
  while (m.valid()) {
    VMT_TRY(transforming ? transform->push(m.item(), emit) : emit(m.item()));
    ++n;
    VMT_TRY(m.next());
  }
  if (transforming && transform->finish) VMT_TRY(transform->finish(emit));
  if (kept == 0) {
    if (stats) *stats = MergeStats{n, 0, 0, 0};
    return Status::ok();
  }
  VMT_TRY(dst.close());
  if (stats) {
    stats->items_in = n;
    stats->items_out = dst.header().items_count;
    stats->blocks_out = dst.header().blocks_count;
    stats->prepare_block_fallbacks = dst.prepare_block_fallbacks();
  }
  return Status::ok();
}

Status merge_part_dirs(const std::vector<std::string>& src_dirs, const std::string& dst_dir, const MergeOptions& opt,
                       MergeStats* stats) {
  if (src_dirs.empty()) return invalid_argument("merge: no source parts");
  std::vector<std::unique_ptr<PartReader>> readers;
  std::vector<PartReader*> ptrs;
  uint64_t total = 0;
  for (const auto& d : src_dirs) {
    VMT_ASSIGN_OR_RETURN(auto r, PartReader::open(d));
    total += r->header().items_count;
    ptrs.push_back(r.get());
    readers.push_back(std::move(r));
  }
  PartWriterOptions wopt;
  wopt.compress_level = opt.compress_level == kAutoCompressLevel ? compress_level_for_items(total) : opt.compress_level;
  wopt.prepare_block = opt.prepare_block;
  wopt.background = true;  // blocks encoded on a second core while this one merges
  wopt.durable = opt.durable;
  PartWriter w;
  VMT_TRY(w.open(dst_dir, std::move(wopt)));
  return merge_parts(ptrs, w, stats, &opt.transform);
}

}  // namespace vmt::mergeset
