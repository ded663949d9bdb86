#include "mergeset/part_reader.h"

#include "base/fs.h"
#include "encoding/zstd.h"

namespace vmt::mergeset {

// ---- open -------------------------------------------------------------------------------------

PartReader::~PartReader() = default;

Result<std::unique_ptr<PartReader>> PartReader::open(const std::string& part_dir) {
  std::unique_ptr<PartReader> r(new PartReader());
  r->path_ = part_dir;
  VMT_ASSIGN_OR_RETURN(r->header_, read_part_header(part_dir));
  VMT_ASSIGN_OR_RETURN(Bytes metaindex, fs::read_file(r->file_path(PartFile::metaindex), kMaxMetaindexSize));
  VMT_ASSIGN_OR_RETURN(r->src_, open_dir_source(part_dir, metaindex.size()));
  VMT_TRY(r->init(std::move(metaindex)));
  return r;
}

Result<std::unique_ptr<PartReader>> PartReader::open_in_memory(PartFiles files, std::string name) {
  std::unique_ptr<PartReader> r(new PartReader());
  r->path_ = std::move(name);
  if (files.metadata_json.size() > kMaxMetadataJsonSize) {
    return corruption(r->file_path(PartFile::metadata) + ": size " + std::to_string(files.metadata_json.size()) +
                      " exceeds the limit " + std::to_string(kMaxMetadataJsonSize));
  }
  if (files.metaindex.size() > kMaxMetaindexSize) {
    return corruption(r->file_path(PartFile::metaindex) + ": size " + std::to_string(files.metaindex.size()) +
                      " exceeds the limit " + std::to_string(kMaxMetaindexSize));
  }
  VMT_ASSIGN_OR_RETURN(r->header_, PartHeader::from_json(files.metadata_json).with_context(r->file_path(PartFile::metadata)));
  Bytes metaindex = files.metaindex;
  r->src_ = memory_source(std::move(files));
  VMT_TRY(r->init(std::move(metaindex)));
  return r;
}

Status PartReader::init(Bytes metaindex_packed) {
  const std::string mi_path = file_path(PartFile::metaindex);
  VMT_TRY_CTX(zstd::decompress(metaindex_buf_, metaindex_packed, kMaxMetaindexSize), mi_path);
  VMT_ASSIGN_OR_RETURN_CTX(rows_, decode_metaindex(metaindex_buf_), mi_path);
  uint64_t expected = 0, headers = 0;
  for (size_t i = 0; i < rows_.size(); ++i) {
    const MetaindexRow& r = rows_[i];
    if (r.index_block_offset != expected) {
      return corruption(mi_path + ": metaindex row #" + std::to_string(i) + ": indexBlockOffset=" +
                        std::to_string(r.index_block_offset) + "; expected " + std::to_string(expected) +
                        " (index blocks are contiguous in index.bin)");
    }
    expected += r.index_block_size;
    headers += r.block_headers_count;
  }
  const uint64_t index_size = src_->size(PartFile::index);
  if (expected != index_size) {
    return corruption(file_path(PartFile::index) + ": size " + std::to_string(index_size) + " bytes, but " +
                      mi_path + " describes index blocks up to offset " + std::to_string(expected));
  }
  if (headers != header_.blocks_count) {
    return corruption(mi_path + ": blockHeadersCount sums to " + std::to_string(headers) + " over " +
                      std::to_string(rows_.size()) + " rows, but " + file_path(PartFile::metadata) +
                      " has BlocksCount=" + std::to_string(header_.blocks_count));
  }
  if (rows_[0].first_item != ByteView(header_.first_item)) {
    return corruption(mi_path + ": metaindex row #0: firstItem " + item_hex(rows_[0].first_item) + " != FirstItem " +
                      item_hex(header_.first_item) + " of " + file_path(PartFile::metadata));
  }
  if (rows_.back().first_item > ByteView(header_.last_item)) {
    return corruption(mi_path + ": metaindex row #" + std::to_string(rows_.size() - 1) + ": firstItem " +
                      item_hex(rows_.back().first_item) + " > LastItem " + item_hex(header_.last_item) + " of " +
                      file_path(PartFile::metadata));
  }
  return Status::ok();
}

uint64_t PartReader::size_bytes() const {
  return src_->size(PartFile::metaindex) + src_->size(PartFile::index) + src_->size(PartFile::items) +
         src_->size(PartFile::lens);
}

std::string PartReader::file_path(PartFile f) const { return fs::join(path_, part_file_name(f)); }

// ---- context for messages ----------------------------------------------------------------------

std::string PartReader::index_block_ctx(size_t mi) const {
  const MetaindexRow& r = rows_[mi];
  return file_path(PartFile::index) + ": index block #" + std::to_string(mi) + " (offset " +
         std::to_string(r.index_block_offset) + ", " + std::to_string(r.index_block_size) + " bytes)";
}

std::string PartReader::block_ctx() const {
  const BlockHeader& h = bhs_[bh_];
  return index_block_ctx(mi_) + ": block header #" + std::to_string(bh_) + " of " + std::to_string(bhs_.size()) +
         " (" + marshal_type_name(h.marshal_type) + ", " + std::to_string(h.items_count) + " items, items.bin offset " +
         std::to_string(h.items_block_offset) + " size " + std::to_string(h.items_block_size) +
         ", lens.bin offset " + std::to_string(h.lens_block_offset) + " size " + std::to_string(h.lens_block_size) + ")";
}

Status PartReader::fail(Status st) {
  if (!st.is_ok()) valid_ = false;
  return st;
}

// ---- index blocks and blocks --------------------------------------------------------------------

Status PartReader::load_index_block(size_t mi) {
  index_loaded_ = false;
  bhs_.clear();
  const MetaindexRow& row = rows_[mi];
  ByteView packed;
  VMT_TRY_CTX(src_->read(PartFile::index, row.index_block_offset, row.index_block_size, index_raw_, &packed),
              index_block_ctx(mi));
  index_buf_.clear();
  VMT_TRY_CTX(zstd::decompress(index_buf_, packed, kMaxIndexBlockDecompressed), index_block_ctx(mi));
  ByteReader in(index_buf_);
  for (uint32_t j = 0; j < row.block_headers_count; ++j) {
    auto bh = BlockHeader::decode(in);
    if (!bh.is_ok()) {
      return bh.take_status().with_context(index_block_ctx(mi) + ": block header #" + std::to_string(j) + " of " +
                                           std::to_string(row.block_headers_count) + " (decompressed offsets)");
    }
    if (!bhs_.empty() && bh->first_item < bhs_.back().first_item) {
      return corruption(index_block_ctx(mi) + ": block header #" + std::to_string(j) + ": firstItem " +
                        item_hex(bh->first_item) + " < previous header's firstItem " +
                        item_hex(bhs_.back().first_item) + " (headers must be sorted)");
    }
    bhs_.push_back(*bh);
  }
  if (!in.empty()) {
    return corruption(index_block_ctx(mi) + ": unexpected tail of " + std::to_string(in.remaining()) +
                      " bytes after blockHeadersCount=" + std::to_string(row.block_headers_count) +
                      " block headers (decompressed size " + std::to_string(index_buf_.size()) + ")");
  }
  if (bhs_[0].first_item != row.first_item) {
    return corruption(index_block_ctx(mi) + ": first block header's firstItem " + item_hex(bhs_[0].first_item) +
                      " != firstItem " + item_hex(row.first_item) + " of metaindex row #" + std::to_string(mi) +
                      " in " + file_path(PartFile::metaindex));
  }
  mi_ = mi;
  index_loaded_ = true;
  return Status::ok();
}

Status PartReader::load_block(size_t bh) {
  valid_ = false;
  bh_ = bh;
  const BlockHeader& h = bhs_[bh];
  if (expect_offsets_) {
    if (h.items_block_offset != next_items_off_) {
      return corruption(block_ctx() + ": itemsBlockOffset=" + std::to_string(h.items_block_offset) + "; expected " +
                        std::to_string(next_items_off_) + " (blocks are contiguous in items.bin)");
    }
    if (h.lens_block_offset != next_lens_off_) {
      return corruption(block_ctx() + ": lensBlockOffset=" + std::to_string(h.lens_block_offset) + "; expected " +
                        std::to_string(next_lens_off_) + " (blocks are contiguous in lens.bin)");
    }
  }
  ByteView items_payload, lens_payload;
  for (PartFile f : {PartFile::items, PartFile::lens}) {
    const bool is_items = f == PartFile::items;
    const uint64_t off = is_items ? h.items_block_offset : h.lens_block_offset;
    const uint64_t size = is_items ? h.items_block_size : h.lens_block_size;
    const uint64_t file_size = src_->size(f);
    if (off > file_size || size > file_size - off) {
      return corruption(block_ctx() + ": " + file_path(f) + ": " + (is_items ? "itemsBlock" : "lensBlock") +
                        " at offset " + std::to_string(off) + " with size " + std::to_string(size) +
                        " extends past the end of the file (" + std::to_string(file_size) + " bytes)");
    }
    VMT_TRY_CTX(src_->read(f, off, size_t(size), is_items ? items_raw_ : lens_raw_,
                           is_items ? &items_payload : &lens_payload),
                block_ctx());
  }
  VMT_TRY_CTX(decode_item_block(h, items_payload, lens_payload, items_, scratch_), block_ctx());
  if (have_prev_last_ && items_.front() < ByteView(prev_last_)) {
    return corruption(block_ctx() + ": first item " + item_hex(items_.front()) + " < last item " +
                      item_hex(prev_last_) + " of the previous block (items must be sorted across blocks)");
  }
  if (full_scan_) {
    if (blocks_seen_ == 0 && items_.front() != ByteView(header_.first_item)) {
      return corruption(block_ctx() + ": first item " + item_hex(items_.front()) + " != FirstItem " +
                        item_hex(header_.first_item) + " of " + file_path(PartFile::metadata));
    }
    ++blocks_seen_;
    items_seen_ += items_.size();
    if (items_seen_ > header_.items_count) {
      return corruption(block_ctx() + ": the blocks so far hold " + std::to_string(items_seen_) +
                        " items, more than ItemsCount=" + std::to_string(header_.items_count) + " of " +
                        file_path(PartFile::metadata));
    }
  }
  next_items_off_ = h.items_block_offset + h.items_block_size;
  next_lens_off_ = h.lens_block_offset + h.lens_block_size;
  expect_offsets_ = true;
  pos_ = 0;
  valid_ = true;
  return Status::ok();
}

Status PartReader::advance_block() {
  prev_last_.assign(items_.back());
  have_prev_last_ = true;
  valid_ = false;
  if (bh_ + 1 < bhs_.size()) return fail(load_block(bh_ + 1));
  if (mi_ + 1 < rows_.size()) {
    VMT_TRY(fail(load_index_block(mi_ + 1)));
    return fail(load_block(0));
  }
  if (full_scan_) return finish_scan();
  return Status::ok();
}

Status PartReader::finish_scan() {
  const std::string md = file_path(PartFile::metadata);
  if (items_seen_ != header_.items_count) {
    return corruption(md + ": ItemsCount=" + std::to_string(header_.items_count) + ", but the block headers in index.bin hold " +
                      std::to_string(items_seen_) + " items");
  }
  if (blocks_seen_ != header_.blocks_count) {
    return corruption(md + ": BlocksCount=" + std::to_string(header_.blocks_count) + ", but index.bin has " +
                      std::to_string(blocks_seen_) + " block headers");
  }
  if (ByteView(prev_last_) != ByteView(header_.last_item)) {
    return corruption(md + ": LastItem " + item_hex(header_.last_item) + " != the last item read from items.bin and lens.bin " +
                      item_hex(prev_last_));
  }
  for (PartFile f : {PartFile::items, PartFile::lens}) {
    const uint64_t end = f == PartFile::items ? next_items_off_ : next_lens_off_;
    if (src_->size(f) != end) {
      return corruption(file_path(f) + ": size " + std::to_string(src_->size(f)) +
                        " bytes, but the last block ends at offset " + std::to_string(end));
    }
  }
  return Status::ok();
}

// ---- cursor -------------------------------------------------------------------------------------

Status PartReader::seek_to_first() {
  valid_ = false;
  full_scan_ = true;
  expect_offsets_ = true;
  next_items_off_ = next_lens_off_ = 0;
  have_prev_last_ = false;
  items_seen_ = blocks_seen_ = 0;
  if (!index_loaded_ || mi_ != 0) VMT_TRY(load_index_block(0));
  return fail(load_block(0));
}

Status PartReader::seek(ByteView key) {
  valid_ = false;
  if (key > ByteView(header_.last_item)) return Status::ok();  // nothing >= key in this part
  if (key <= ByteView(header_.first_item)) return seek_to_first();
  full_scan_ = false;
  expect_offsets_ = false;
  have_prev_last_ = false;
  // The first row whose firstItem >= key, then one back: equal items may end the previous block.
  size_t lo = 0, hi = rows_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (rows_[mid].first_item < key) lo = mid + 1; else hi = mid;
  }
  const size_t mi = lo > 0 ? lo - 1 : 0;
  if (!index_loaded_ || mi_ != mi) VMT_TRY(load_index_block(mi));
  lo = 0;
  hi = bhs_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (bhs_[mid].first_item < key) lo = mid + 1; else hi = mid;
  }
  VMT_TRY(fail(load_block(lo > 0 ? lo - 1 : 0)));
  pos_ = items_.lower_bound(key);
  if (pos_ == items_.size()) return advance_block();
  return Status::ok();
}

Status PartReader::next() {
  if (!valid_) return Status::ok();
  if (++pos_ < items_.size()) return Status::ok();
  return advance_block();
}

Status PartReader::next_block() {
  if (!valid_) return Status::ok();
  return advance_block();
}

Result<uint64_t> PartReader::verify() {
  VMT_TRY(seek_to_first());
  uint64_t n = 0;
  while (valid_) {
    n += items_.size();
    VMT_TRY(advance_block());
  }
  return n;
}

}  // namespace vmt::mergeset
