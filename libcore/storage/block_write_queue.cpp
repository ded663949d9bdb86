#include "storage/block_write_queue.h"

#include <algorithm>

namespace vmt::storage {

namespace {
constexpr size_t kBatches = 3;   // one being filled, one being written, one spare
}

BlockWriteQueue::BlockWriteQueue(PartWriter& dst, bool background, unsigned inline_share)
    : dst_(dst), background_(background), inline_share_(std::min(inline_share, 16u)) {
  if (!background_) return;
  for (size_t i = 0; i < kBatches; ++i) owned_.push_back(std::make_unique<Batch>());
  cur_ = owned_[0].get();
  for (size_t i = 1; i < kBatches; ++i) free_.push_back(owned_[i].get());
  thread_ = std::thread([this] { run(); });
}

BlockWriteQueue::~BlockWriteQueue() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    closing_ = true;
    if (error_.is_ok()) error_ = Status(Code::unsupported, "block write queue abandoned");
  }
  cv_.notify_all();
  thread_.join();
}

Status BlockWriteQueue::put_raw(const BlockHeader& bh, ByteView timestamps_data, ByteView values_data) {
  if (holding_) return Status(Code::unsupported, "BlockWriteQueue: a block is put while another is held");
  if (!background_) return dst_.write_raw(bh, timestamps_data, values_data);
  Job j;
  j.bh = bh;
  j.raw = true;
  j.off = cur_->bytes.size();
  j.n = timestamps_data.size();
  j.values_size = values_data.size();
  cur_->bytes.append(timestamps_data);
  cur_->bytes.append(values_data);
  cur_->jobs.push_back(j);
  return cur_->full() ? submit() : Status::ok();
}

Status BlockWriteQueue::put_rows(const BlockHeader& like, const int64_t* timestamps, const int64_t* values, size_t n) {
  if (holding_) return Status(Code::unsupported, "BlockWriteQueue: a block is put while another is held");
  if (!background_) return dst_.write_rows(like.tsid, timestamps, values, n, like.scale, like.precision_bits);
  // (Rows write_rows would refuse go to the thread, which reports the error as it always did.)
  if ((tick_++ & 15) < inline_share_ && PartWriter::check_rows(n, like.precision_bits).is_ok()) {
    BlockHeader bh;
    bh.tsid = like.tsid;
    encode_block(bh, enc_ts_, enc_vals_, timestamps, values, n, like.scale, like.precision_bits);
    return put_raw(bh, enc_ts_, enc_vals_);
  }
  Job j;
  j.bh = like;
  j.off = cur_->ts.size();
  j.n = n;
  cur_->ts.insert(cur_->ts.end(), timestamps, timestamps + n);
  cur_->vals.insert(cur_->vals.end(), values, values + n);
  cur_->jobs.push_back(j);
  return cur_->full() ? submit() : Status::ok();
}

void BlockWriteQueue::hold_raw(ByteView timestamps_data, ByteView values_data) {
  Bytes& to = background_ ? cur_->bytes : held_;
  if (!background_) held_.clear();
  held_off_ = to.size();
  held_ts_size_ = timestamps_data.size();
  held_values_size_ = values_data.size();
  to.append(timestamps_data);
  to.append(values_data);
  holding_ = true;
}

Status BlockWriteQueue::write_held(const BlockHeader& bh) {
  holding_ = false;
  if (!background_) return dst_.write_raw(bh, held_timestamps(), held_values());
  Job j;
  j.bh = bh;
  j.raw = true;
  j.off = held_off_;
  j.n = held_ts_size_;
  j.values_size = held_values_size_;
  cur_->jobs.push_back(j);
  return cur_->full() ? submit() : Status::ok();
}

void BlockWriteQueue::drop_held() {
  if (!holding_) return;
  holding_ = false;
  if (background_) cur_->bytes.resize(held_off_);
}

Status BlockWriteQueue::submit() {
  std::unique_lock<std::mutex> l(mu_);
  if (!error_.is_ok()) return error_;
  full_.push_back(cur_);
  cv_.notify_all();
  // Whoever waited says who is slower: the producer for a free batch (the writer: encode more
  // here), or the writer for a full one since the last hand-over (the producer: encode less).
  const bool producer_waits = free_.empty();
  if (producer_waits && !writer_starved_) {
    inline_share_ = std::min(inline_share_ + 1, 15u);
  } else if (writer_starved_ && inline_share_ > 0) {
    --inline_share_;
  }
  writer_starved_ = false;
  cv_.wait(l, [&] { return !free_.empty() || !error_.is_ok(); });
  if (!error_.is_ok()) return error_;
  cur_ = free_.front();
  free_.pop_front();
  cur_->clear();
  return Status::ok();
}

Status BlockWriteQueue::finish() {
  if (!background_ || finished_) return Status::ok();
  finished_ = true;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!cur_->jobs.empty()) full_.push_back(cur_);
    cur_ = nullptr;
    closing_ = true;
  }
  cv_.notify_all();
  thread_.join();
  return error_;
}

Status BlockWriteQueue::write_batch(Batch& b) {
  for (const Job& j : b.jobs) {
    if (j.raw) {
      const ByteView all(b.bytes);
      VMT_TRY(dst_.write_raw(j.bh, all.substr(j.off, j.n), all.substr(j.off + j.n, j.values_size)));
    } else {
      VMT_TRY(dst_.write_rows(j.bh.tsid, b.ts.data() + j.off, b.vals.data() + j.off, j.n, j.bh.scale,
                              j.bh.precision_bits));
    }
  }
  return Status::ok();
}

void BlockWriteQueue::run() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (full_.empty() && !closing_) writer_starved_ = true;
    cv_.wait(l, [&] { return !full_.empty() || closing_; });
    if (full_.empty()) return;   // closing and drained
    Batch* b = full_.front();
    full_.pop_front();
    const bool skip = !error_.is_ok();
    l.unlock();
    Status st = skip ? Status::ok() : write_batch(*b);
    l.lock();
    if (!st.is_ok() && error_.is_ok()) error_ = st;
    free_.push_back(b);
    cv_.notify_all();
  }
}

}  // namespace vmt::storage
