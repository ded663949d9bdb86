// BlockPipeline: input files cut into blocks of whole lines, each block worked on by one of N
// threads, the blocks handed to the caller strictly in input order: the one ordered parallel
// pipeline of tsdb-import (ingest/line_pipeline.h: parse lines into rows) and tsdb-route
// (route/router.h: route lines to nodes).
//
// Threads: `workers` threads, each with its own worker state (made by make_worker), each cutting
// the input's next block (read, decompress, LineReader::next_block: one worker at a time) and
// working on it, and the consumer (the caller of next()). Blocks are recycled through a fixed pool:
// memory is bounded by pool size x block size. A Block is a LineBlock (the fields the pipeline
// sets) with the worker's results beside them.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/coding.h"
#include "base/huge_array.h"
#include "base/status.h"
#include "prom/line_reader.h"

namespace vmt::prom {

// What the pipeline sets in every block it hands out.
struct LineBlock {
  Bytes text;                  // whole lines joined by '\n', without the last one's
  uint64_t seq = 0;            // the block's number in the whole input
  size_t file = 0;             // index into the inputs
  uint64_t first_line = 0;     // 1-based number of the block's first line in its file
  uint64_t input_bytes = 0;    // bytes of this file read so far (compressed) when it was cut
};

struct BlockPipelineOptions {
  std::vector<std::string> inputs;   // "-" = stdin
  unsigned workers = 2;
  size_t pool_blocks = 8;            // at least workers + 2
  LineReaderOptions reader;
};

template <typename Block>
class BlockPipeline {
 public:
  // Works on one block, on a worker thread; made once per thread.
  using Work = std::function<void(Block&)>;

  BlockPipeline() = default;
  ~BlockPipeline() { stop(); }
  BlockPipeline(const BlockPipeline&) = delete;
  BlockPipeline& operator=(const BlockPipeline&) = delete;

  void start(const BlockPipelineOptions& opt, const std::function<Work()>& make_worker) {
    opt_ = opt;
    if (opt_.inputs.empty()) opt_.inputs.push_back("-");
    names_.assign(opt_.inputs.size(), std::string());
    file_bytes_.assign(opt_.inputs.size(), 0);
    const size_t n = std::max<size_t>(opt_.pool_blocks, size_t(std::max(1u, opt_.workers)) + 2);
    text_room_ = text_buffer_room(opt_.reader);
    for (size_t i = 0; i < n; ++i) {
      pool_.push_back(std::make_unique<Block>());
      free_.push_back(pool_.back().get());
    }
    started_ = true;
    for (unsigned i = 0; i < std::max(1u, opt_.workers); ++i) {
      workers_.emplace_back([this, work = make_worker()] { worker_main(work); });
    }
  }

  // The next block in input order, or nullptr at the end of the input, after an input error
  // (status() says which) or after stop(). Give every block back with release().
  Block* next() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stopping_ || done_.count(next_seq_) || (reader_done_ && next_seq_ == produced_); });
    if (stopping_) return nullptr;
    auto it = done_.find(next_seq_);
    if (it == done_.end()) return nullptr;
    Block* b = it->second;
    done_.erase(it);
    ++next_seq_;
    return b;
  }
  void release(Block* b) {
    {
      std::lock_guard<std::mutex> g(mu_);
      free_.push_back(b);
    }
    cv_.notify_all();
  }
  // Stops the threads early (idempotent); next() returns nullptr afterwards.
  void stop() {
    if (!started_) return;
    {
      std::lock_guard<std::mutex> g(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    workers_.clear();
    started_ = false;
  }
  // The first input error: the file could not be opened (opened_all() false), or a line was too
  // long or a gzip/zstd stream damaged; ok at a clean end.
  Status status() {
    std::lock_guard<std::mutex> g(mu_);
    return error_;
  }
  bool open_failed() {
    std::lock_guard<std::mutex> g(mu_);
    return open_failed_;
  }
  // What LineReader calls a file ("(stdin)" for "-"), known from the file's first block on.
  std::string reader_name(size_t file) {
    std::lock_guard<std::mutex> g(mu_);
    return names_[file];
  }
  // The raw (compressed) bytes of a file read in all, known once its last block was delivered.
  uint64_t file_input_bytes(size_t file) {
    std::lock_guard<std::mutex> g(mu_);
    return file_bytes_[file];
  }

 private:
  // Cuts the next block of the input into b (the caller holds read_mu_), opening the next file
  // when one ends. False at the end of the input or at its first error (then recorded).
  bool read_block(Block* b) {
    for (;;) {
      if (input_done_) return false;
      if (!reader_) {
        if (file_ == opt_.inputs.size()) return end_input(Status::ok(), false);
        reader_ = std::make_unique<LineReader>();
        Status st = reader_->open(opt_.inputs[file_], opt_.reader);
        {
          std::lock_guard<std::mutex> g(mu_);
          names_[file_] = reader_->name().empty() ? opt_.inputs[file_] : reader_->name();
        }
        if (!st.is_ok()) return end_input(std::move(st), true);
      }
      uint64_t first_line = 0;
      if (reader_->next_block(&b->text, &first_line)) {
        std::lock_guard<std::mutex> g(mu_);
        b->seq = produced_++;
        b->file = file_;
        b->first_line = first_line;
        b->input_bytes = reader_->input_bytes();
        return true;
      }
      {
        std::lock_guard<std::mutex> g(mu_);
        file_bytes_[file_] = reader_->input_bytes();
      }
      if (!reader_->status().is_ok()) return end_input(reader_->status(), false);
      reader_.reset();
      ++file_;
    }
  }
  bool end_input(Status st, bool open_failed) {
    input_done_ = true;
    reader_.reset();
    {
      std::lock_guard<std::mutex> g(mu_);
      if (error_.is_ok() && !st.is_ok()) {
        error_ = std::move(st);
        open_failed_ = open_failed;
      }
      reader_done_ = true;
    }
    cv_.notify_all();
    return false;
  }

  // Each worker cuts its own next block from the input (one at a time, under read_mu_) and works
  // on it: no reader thread handing blocks over. The block's text is then in the cache of the core
  // that just read it, and two cores run two threads (plus the consumer's), not three: at 2k series
  // the import's input stage had left an eighth of both cores idle with a reader thread.
  void worker_main(const Work& work) {
    for (;;) {
      Block* b = nullptr;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || reader_done_ || !free_.empty(); });
        if (stopping_ || reader_done_) return;
        b = free_.back();
        free_.pop_back();
      }
      if (b->text.capacity() < text_room_) {
        // Room for a read and a line's tail, pages faulted in at once, when a block is first used
        // (a small input uses few): LineReader swaps its buffer with the block's, and a block
        // starting empty had made it grow (a fresh 1 MiB, zeroed and copied, page by page).
        b->text.reserve(text_room_);
        populate_for_write(b->text.data(), b->text.capacity());
      }
      bool got;
      {
        std::lock_guard<std::mutex> g(read_mu_);
        got = read_block(b);
      }
      if (!got) {
        {
          std::lock_guard<std::mutex> g(mu_);
          free_.push_back(b);
        }
        cv_.notify_all();
        return;
      }
      work(*b);
      {
        std::lock_guard<std::mutex> g(mu_);
        done_[b->seq] = b;
      }
      cv_.notify_all();
    }
  }

  BlockPipelineOptions opt_;
  std::vector<std::unique_ptr<Block>> pool_;
  size_t text_room_ = 0;               // a block text's capacity: a read and a line's tail
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Block*> free_;
  std::map<uint64_t, Block*> done_;
  uint64_t next_seq_ = 0;              // the consumer's next block
  uint64_t produced_ = 0;              // blocks cut from the input
  bool reader_done_ = false;           // no block will be cut any more
  bool stopping_ = false;
  bool open_failed_ = false;
  Status error_;
  std::vector<std::string> names_;
  std::vector<uint64_t> file_bytes_;
  // The input, read by one worker at a time: lock order read_mu_, then mu_.
  std::mutex read_mu_;
  std::unique_ptr<LineReader> reader_;  // the open file, if any
  size_t file_ = 0;                     // its index in the inputs
  bool input_done_ = false;
  std::vector<std::thread> workers_;
  bool started_ = false;
};

}  // namespace vmt::prom
