#include "ingest/line_pipeline.h"

#include <cstring>

#include "prom/line_reader.h"

namespace vmt::ingest {

LinePipeline::~LinePipeline() { stop(); }

void LinePipeline::start(const PipelineOptions& opt) {
  opt_ = opt;
  if (opt_.inputs.empty()) opt_.inputs.push_back("-");
  for (const auto& f : opt_.inputs) names_.push_back(f == "-" ? "stdin" : f);
  const size_t n = std::max<size_t>(opt_.pool_blocks, opt_.parsers + 2);
  for (size_t i = 0; i < n; ++i) {
    pool_.push_back(std::make_unique<ParsedBlock>());
    free_.push_back(pool_.back().get());
  }
  started_ = true;
  reader_ = std::thread([this] { reader_main(); });
  for (unsigned i = 0; i < std::max(1u, opt_.parsers); ++i) parsers_.emplace_back([this] { parser_main(); });
}

void LinePipeline::stop() {
  if (!started_) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  for (auto& t : parsers_) {
    if (t.joinable()) t.join();
  }
  parsers_.clear();
  started_ = false;
}

Status LinePipeline::status() {
  std::lock_guard<std::mutex> g(mu_);
  return error_;
}

void LinePipeline::reader_main() {
  for (size_t f = 0; f < opt_.inputs.size(); ++f) {
    prom::LineReader reader;
    prom::LineReaderOptions ro;
    if (opt_.json_lines) ro.max_line_size = kMaxJsonLineSize;
    Status st = reader.open(opt_.inputs[f], ro);
    if (!st.is_ok()) {
      std::lock_guard<std::mutex> g(mu_);
      error_ = std::move(st);
      break;
    }
    for (;;) {
      ParsedBlock* b = nullptr;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || !free_.empty(); });
        if (stopping_) break;
        b = free_.back();
        free_.pop_back();
      }
      uint64_t first_line = 0;
      const bool got = reader.next_block(&b->text, &first_line);
      std::unique_lock<std::mutex> lk(mu_);
      if (!got) {
        free_.push_back(b);
        break;
      }
      b->seq = produced_++;
      b->file = f;
      b->first_line = first_line;
      b->input_bytes = reader.input_bytes();
      work_.push_back(b);
      lk.unlock();
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> g(mu_);
    if (stopping_ || !error_.is_ok()) break;
    if (!reader.status().is_ok()) {
      error_ = reader.status();
      break;
    }
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    reader_done_ = true;
  }
  cv_.notify_all();
}

void LinePipeline::parser_main() {
  const RowNaming& n = opt_.naming;
  BlockParser parser(n.account_id, n.project_id, n.extra_labels, opt_.default_timestamp_ms, opt_.series_cache, n.limits);
  parser.set_json_lines(opt_.json_lines);
  parser.set_multitenant(opt_.multitenant);
  for (;;) {
    ParsedBlock* b = nullptr;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || work_head_ < work_.size() || reader_done_; });
      if (stopping_) return;
      if (work_head_ == work_.size()) return;  // reader done, nothing left
      b = work_[work_head_++];
      if (work_head_ == work_.size()) {
        work_.clear();
        work_head_ = 0;
      }
    }
    parser.parse(*b);
    {
      std::lock_guard<std::mutex> g(mu_);
      done_[b->seq] = b;
    }
    cv_.notify_all();
  }
}

ParsedBlock* LinePipeline::next() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] {
    return stopping_ || done_.count(next_seq_) || (reader_done_ && next_seq_ == produced_);
  });
  if (stopping_) return nullptr;
  auto it = done_.find(next_seq_);
  if (it == done_.end()) return nullptr;  // the end (or the reader's error)
  ParsedBlock* b = it->second;
  done_.erase(it);
  ++next_seq_;
  return b;
}

void LinePipeline::release(ParsedBlock* b) {
  {
    std::lock_guard<std::mutex> g(mu_);
    free_.push_back(b);
  }
  cv_.notify_all();
}

}  // namespace vmt::ingest
