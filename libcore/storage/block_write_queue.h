// BlockWriteQueue: the blocks of a merge handed to a PartWriter, in order, either directly or on
// a background thread that does the encoding (encode_block, zstd) and the writing while the
// caller goes on reading and merging; while the thread is behind, the caller encodes the rows it
// queues itself, so both cores encode.
//
// Used by block_stream_merge.cpp (merge.md §4.4: a written block is either a verbatim copy of a
// source block or decoded rows to encode). The order of blocks is kept exactly, so the part is
// byte-identical with and without the thread. Rows and bytes are copied into reusable batches
// (a few of ~64k rows each): no per-block allocation once warm. A verbatim block waiting in the
// merge (hold_raw) is copied once, into the batch it is written from.
// Errors of the PartWriter surface at the next put_* or at finish(); after an error the queue
// drops further blocks. Not thread-safe on the producer side: one producer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/part_writer.h"

namespace vmt::storage {

class BlockWriteQueue {
 public:
  // background = false: every put_* writes at once on the caller's thread. `inline_share`: of each
  // 16 row blocks, how many the caller encodes itself to begin with (tests start it high).
  BlockWriteQueue(PartWriter& dst, bool background, unsigned inline_share = 0);
  ~BlockWriteQueue();   // stops and joins the thread; pending blocks are dropped
  BlockWriteQueue(const BlockWriteQueue&) = delete;
  BlockWriteQueue& operator=(const BlockWriteQueue&) = delete;

  // An encoded block (PartWriter::write_raw).
  Status put_raw(const BlockHeader& bh, ByteView timestamps_data, ByteView values_data);
  // n rows to encode with like.tsid, like.scale and like.precision_bits (PartWriter::write_rows).
  Status put_rows(const BlockHeader& like, const int64_t* timestamps, const int64_t* values, size_t n);
  // Writes everything queued and stops the thread. The PartWriter is not closed.
  Status finish();

  // The merge's pending verbatim block, copied once to where it is written from: into the batch
  // being filled (background), else into a buffer of the queue. held_*() view its bytes until
  // write_held() queues it as put_raw would (without a second copy) or drop_held() lets it go
  // (it was decoded and merged). Nothing else may be put while a block is held.
  void hold_raw(ByteView timestamps_data, ByteView values_data);
  ByteView held_timestamps() const { return held_view(0, held_ts_size_); }
  ByteView held_values() const { return held_view(held_ts_size_, held_values_size_); }
  Status write_held(const BlockHeader& bh);
  void drop_held();

 private:
  struct Job {
    BlockHeader bh;
    bool raw = false;
    size_t off = 0, n = 0;        // rows: into ts/vals; raw: into bytes (n = timestamps size)
    size_t values_size = 0;       // raw: the values data follows the timestamps data
  };
  struct Batch {
    std::vector<Job> jobs;
    std::vector<int64_t> ts, vals;
    Bytes bytes;
    void clear() { jobs.clear(); ts.clear(); vals.clear(); bytes.clear(); }
    bool full() const { return ts.size() >= (1 << 16) || bytes.size() >= (1 << 20) || jobs.size() >= 8192; }
  };

  Status submit();                // hands cur_ to the thread, takes a free batch
  ByteView held_view(size_t from, size_t n) const {
    return ByteView(background_ ? cur_->bytes : held_).substr(held_off_ + from, n);
  }
  void run();                     // the thread
  Status write_batch(Batch& b);

  PartWriter& dst_;
  const bool background_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch*> full_, free_;
  std::vector<std::unique_ptr<Batch>> owned_;
  Batch* cur_ = nullptr;
  bool closing_ = false;
  bool finished_ = false;
  bool writer_starved_ = false;   // the thread waited for a batch since the last hand-over (under mu_)
  // Producer-side: how many of each 16 row blocks the producer encodes itself (encode_block, as
  // write_rows would) and queues as raw blocks. Raised by one each time the producer has to wait
  // for a free batch, lowered each time the thread waited for a full one: the two threads share
  // the encoding when the writer is the slower. The part's bytes are the same either way.
  unsigned inline_share_ = 0, tick_ = 0;
  Bytes enc_ts_, enc_vals_;
  // The held block: at held_off_ in cur_->bytes (background) or in held_ (offset 0).
  bool holding_ = false;
  Bytes held_;
  size_t held_off_ = 0, held_ts_size_ = 0, held_values_size_ = 0;
  Status error_;                  // the thread's first error (under mu_)
};

}  // namespace vmt::storage
