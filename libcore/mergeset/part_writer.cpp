#include "mergeset/part_writer.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "base/fs.h"
#include "encoding/zstd.h"

namespace vmt::mergeset {

// ---- sinks --------------------------------------------------------------------------------------

class PartWriter::Sink {
 public:
  virtual ~Sink() = default;
  virtual Status write(PartFile f, ByteView data) = 0;      // .bin files, appended
  virtual Status finish(ByteView metadata_json) = 0;        // closes the .bin files, then metadata
  virtual PartFiles take() { return {}; }
};

namespace {

class DirSink : public PartWriter::Sink {
 public:
  Status open(const std::string& dir, bool durable) {
    dir_ = dir;
    durable_ = durable;
    if (fs::exists(dir)) return invalid_argument(dir + ": already exists; a new part needs a fresh directory");
    VMT_TRY(fs::mkdir_p(dir));
    for (int i = 1; i < kPartFileCount; ++i) VMT_TRY(files_[i].open(fs::join(dir, part_file_name(PartFile(i))), durable));
    return Status::ok();
  }
  Status write(PartFile f, ByteView data) override { return files_[int(f)].write(data); }
  Status finish(ByteView metadata_json) override {
    for (int i = 1; i < kPartFileCount; ++i) VMT_TRY(files_[i].flush_and_start_writeback());
    for (int i = 1; i < kPartFileCount; ++i) VMT_TRY(files_[i].close());
    fs::FileWriter metadata;  // fsynced on close when durable
    VMT_TRY(metadata.open(fs::join(dir_, part_file_name(PartFile::metadata)), durable_));
    VMT_TRY(metadata.write(metadata_json));
    VMT_TRY(metadata.close());
    if (!durable_) return Status::ok();
    VMT_TRY(fs::fsync_path(dir_));
    return fs::fsync_path(fs::dir_name(dir_));
  }

 private:
  std::string dir_;
  bool durable_ = true;
  fs::FileWriter files_[kPartFileCount];  // [0] (metadata.json) unused: written whole at the end
};

class MemorySink : public PartWriter::Sink {
 public:
  Status write(PartFile f, ByteView data) override {
    files_.file(f).append(data);
    return Status::ok();
  }
  Status finish(ByteView metadata_json) override {
    files_.metadata_json.assign(metadata_json);
    return Status::ok();
  }
  PartFiles take() override { return std::move(files_); }

 private:
  PartFiles files_;
};

// The prepareBlock contract (§11), checked before a replacement is used.
bool valid_replacement(const Items& in, const Items& out) {
  if (out.empty() || out.size() > kMaxItemsPerBlock || out.data_size() > kMaxInmemoryBlockSize) return false;
  if (out.front() != in.front() || out.back() != in.back()) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].size() > kMaxItemSize) return false;
    if (i > 0 && out[i] < out[i - 1]) return false;
  }
  return true;
}

}  // namespace

// ---- PartWriter ---------------------------------------------------------------------------------

int compress_level_for_items(uint64_t n) {
  if (n <= uint64_t(1) << 16) return -5;
  if (n <= uint64_t(1) << 17) return -4;
  if (n <= uint64_t(1) << 18) return -3;
  if (n <= uint64_t(1) << 19) return -2;
  if (n <= uint64_t(1) << 20) return -1;
  if (n <= uint64_t(1) << 22) return 1;
  if (n <= uint64_t(1) << 25) return 2;
  if (n <= uint64_t(1) << 28) return 3;
  return 4;
}

// The background thread: full blocks in order, and emptied ones back for reuse.
struct PartWriter::Background {
  std::mutex mu;
  std::condition_variable changed;
  std::deque<Items> full;
  std::vector<Items> spare;
  bool stopping = false;
  Status error;
  std::thread thread;
};

PartWriter::PartWriter() = default;
PartWriter::~PartWriter() { (void)stop_background(); }

Status PartWriter::stop_background() {
  if (!background_) return Status::ok();
  {
    std::lock_guard<std::mutex> lk(background_->mu);
    background_->stopping = true;
  }
  background_->changed.notify_all();
  background_->thread.join();
  Status st = std::move(background_->error);
  background_.reset();
  return fail(std::move(st));
}

void PartWriter::start_background() {
  if (!opt_.background) return;
  background_ = std::make_unique<Background>();
  background_->thread = std::thread([this] {
    Background& bg = *background_;
    std::unique_lock<std::mutex> lk(bg.mu);
    for (;;) {
      bg.changed.wait(lk, [&] { return !bg.full.empty() || bg.stopping; });
      if (bg.full.empty()) return;  // stopping, all written
      Items block = std::move(bg.full.front());
      bg.full.pop_front();
      lk.unlock();
      Status st = bg.error.is_ok() ? write_block(block) : Status::ok();
      block.clear();
      lk.lock();
      if (!st.is_ok() && bg.error.is_ok()) bg.error = std::move(st);
      bg.spare.push_back(std::move(block));
      bg.changed.notify_all();
    }
  });
}

Status PartWriter::open(const std::string& part_dir, PartWriterOptions opt) {
  auto sink = std::make_unique<DirSink>();
  VMT_TRY(sink->open(part_dir, opt.durable));
  sink_ = std::move(sink);
  opt_ = std::move(opt);
  open_ = true;
  start_background();
  return Status::ok();
}

void PartWriter::open_in_memory(PartWriterOptions opt) {
  sink_ = std::make_unique<MemorySink>();
  opt_ = std::move(opt);
  open_ = true;
  start_background();
}

Status PartWriter::fail(Status st) {
  if (!st.is_ok() && error_.is_ok()) error_ = st;
  return st;
}

Status PartWriter::add(ByteView item) {
  if (!error_.is_ok()) return error_;
  if (!open_) return invalid_argument("PartWriter::add: the writer is not open");
  if (item.size() > kMaxItemSize) {
    return invalid_argument("item #" + std::to_string(items_added_) + " is " + std::to_string(item.size()) +
                            " bytes; items may not exceed " + std::to_string(kMaxItemSize) + " bytes");
  }
  // block_ holds the previous item: a flush is always followed by the next item's push.
  if (!block_.empty() && item < block_.back()) {
    return invalid_argument("item #" + std::to_string(items_added_) + " " + item_hex(item) +
                            " sorts before the previous item " + item_hex(block_.back()) + "; items must be added in order");
  }
  if (!block_.empty() &&
      (block_.data_size() + item.size() > kMaxInmemoryBlockSize || block_.size() >= kMaxItemsPerBlock)) {
    VMT_TRY(flush_block());
  }
  block_.push_back(item);
  ++items_added_;
  return Status::ok();
}

Status PartWriter::flush_block() {
  if (!background_) {
    VMT_TRY(fail(write_block(block_)));
    block_.clear();
    return Status::ok();
  }
  Background& bg = *background_;
  std::unique_lock<std::mutex> lk(bg.mu);
  bg.changed.wait(lk, [&] { return bg.full.size() < 2 || !bg.error.is_ok(); });
  if (!bg.error.is_ok()) return fail(bg.error);
  bg.full.push_back(std::move(block_));
  if (!bg.spare.empty()) {
    block_ = std::move(bg.spare.back());
    bg.spare.pop_back();
  } else {
    block_ = Items();
  }
  bg.changed.notify_all();
  return Status::ok();
}

Status PartWriter::write_block(const Items& block) {
  const Items* items = &block;
  if (opt_.prepare_block) {
    prepared_.clear();
    if (opt_.prepare_block(block, prepared_)) {
      if (valid_replacement(block, prepared_)) items = &prepared_;
      else ++fallbacks_;
    }
  }
  encode_item_block(*items, opt_.compress_level, enc_, scratch_);
  BlockHeader& bh = enc_.header;
  bh.items_block_offset = items_off_;
  bh.lens_block_offset = lens_off_;
  VMT_TRY(sink_->write(PartFile::items, enc_.items_payload));
  VMT_TRY(sink_->write(PartFile::lens, enc_.lens_payload));
  items_off_ += enc_.items_payload.size();
  lens_off_ += enc_.lens_payload.size();

  if (header_.blocks_count == 0) header_.first_item.assign(items->front());
  header_.items_count += items->size();
  ++header_.blocks_count;

  if (!index_block_.empty() && index_block_.size() + bh.encoded_size() > kIndexBlockSafeSize) {
    VMT_TRY(flush_index_block());
  }
  if (mr_headers_ == 0) mr_first_item_.assign(bh.first_item);
  bh.encode(index_block_);
  ++mr_headers_;
  // The views in bh point into *items: keep the last item before the block buffer is reused.
  last_item_.assign(items->back());
  if (index_block_.size() >= kIndexBlockFlushSize) VMT_TRY(flush_index_block());
  return Status::ok();
}

Status PartWriter::flush_index_block() {
  if (index_block_.empty()) return Status::ok();
  packed_.clear();
  zstd::compress(packed_, index_block_, opt_.compress_level);
  if (packed_.size() > kMaxIndexBlockSize) {
    return unsupported("internal: an index block of " + std::to_string(index_block_.size()) +
                       " bytes compressed to " + std::to_string(packed_.size()) + " bytes, more than the " +
                       std::to_string(kMaxIndexBlockSize) + " a reader accepts");
  }
  VMT_TRY(sink_->write(PartFile::index, packed_));
  MetaindexRow row;
  row.first_item = mr_first_item_;
  row.block_headers_count = mr_headers_;
  row.index_block_offset = index_off_;
  row.index_block_size = uint32_t(packed_.size());
  row.encode(metaindex_);
  index_off_ += packed_.size();
  mr_headers_ = 0;
  index_block_.clear();
  return Status::ok();
}

Status PartWriter::close() {
  if (!error_.is_ok()) return error_;
  if (!open_) return invalid_argument("PartWriter::close: the writer is not open");
  if (!block_.empty()) VMT_TRY(flush_block());
  VMT_TRY(stop_background());
  if (header_.items_count == 0) return fail(invalid_argument("cannot write a part with no items"));
  VMT_TRY(fail(flush_index_block()));
  packed_.clear();
  zstd::compress(packed_, metaindex_, opt_.compress_level);
  VMT_TRY(fail(sink_->write(PartFile::metaindex, packed_)));
  header_.last_item = last_item_;
  VMT_TRY(fail(sink_->finish(header_.to_json())));
  open_ = false;
  return Status::ok();
}

PartFiles PartWriter::take_files() { return sink_ ? sink_->take() : PartFiles{}; }

}  // namespace vmt::mergeset
