#include "ingest/prom_block_source.h"

#include "metric/tsid_gen.h"

namespace vmt::ingest {

namespace {

constexpr size_t kPoolBlocks = 4;
constexpr size_t kRowsPerBlock = 1 << 16;

}  // namespace

PromBlockSource::~PromBlockSource() { stop(); }

Status PromBlockSource::start(const PromSourceOptions& opt) {
  opt_ = opt;
  stats_ = PromSourceStats();
  VMT_TRY(set_.open(opt_.path, opt_.start_ms, opt_.end_ms, &stats_.notes));
  stats_.blocks = set_.block_count();
  stats_.groups = set_.group_count();
  stats_.announced_samples = set_.announced_samples();
  opened_ = stats_;
  for (size_t i = 0; i < kPoolBlocks; ++i) {
    pool_.push_back(std::make_unique<ParsedBlock>());
    free_.push_back(pool_.back().get());
  }
  producer_ = std::thread([this] { producer_main(); });
  return Status::ok();
}

void PromBlockSource::producer_main() {
  Status s = produce();
  std::lock_guard<std::mutex> lk(mu_);
  if (!s.is_ok() && error_.is_ok()) error_ = s;
  done_ = true;
  cv_.notify_all();
}

ParsedBlock* PromBlockSource::take_free() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return stopping_ || !free_.empty(); });
  if (stopping_) return nullptr;
  ParsedBlock* b = free_.back();
  free_.pop_back();
  b->seq = seq_++;
  b->file = 0;
  b->first_line = 0;
  b->lines = 0;
  b->skipped = 0;
  b->input_bytes = 0;
  b->text.clear();
  b->keys.clear();
  b->rows.clear();
  b->bad.clear();
  b->raw_stats = metric::RawStats();
  return b;
}

void PromBlockSource::ship(ParsedBlock* b) {
  std::lock_guard<std::mutex> lk(mu_);
  ready_.push_back(b);
  cv_.notify_all();
}

Status PromBlockSource::produce() {
  const RowNaming& n = opt_.naming;
  RawNameBuilder names(n.account_id, n.project_id, n.extra_labels, n.limits);
  prom::Row row;  // metric empty: every label, "__name__" included, in Prometheus' order
  metric::MetricName mn;
  promtsdb::MergedSeries series;
  ParsedBlock* b = take_free();
  if (b == nullptr) return Status::ok();
  while (true) {
    VMT_ASSIGN_OR_RETURN(bool more, set_.next(&series, &stats_.skipped));
    if (!more) break;
    ++stats_.series_read;
    if (series.blocks > 1) ++stats_.series_merged;
    if (series.samples.empty()) continue;
    if (!opt_.match.empty()) {
      mn.reset();
      for (const auto& l : series.labels) mn.add_tag(l.name, l.value);
      if (!query::matches_any(opt_.match, mn)) continue;
    }
    ++stats_.series_matched;
    row.tags.clear();
    for (const auto& l : series.labels) row.tags.push_back({l.name, l.value});
    // The series' rows, cut into blocks of at most kRowsPerBlock; each block carries the key.
    size_t i = 0;
    while (i < series.samples.size()) {
      if (b->rows.size() >= kRowsPerBlock) {
        ship(b);
        b = take_free();
        if (b == nullptr) return Status::ok();
      }
      const uint32_t off = uint32_t(b->keys.size());
      std::string err;
      if (!names.append_canonical(b->keys, row, n.tenancy, &b->raw_stats, &err)) {
        // Only a raw name that does not decode fails here (no multitenant labels in this source).
        return corruption("Prometheus series " + promtsdb::labels_text(series.labels) + ": " + err);
      }
      const uint32_t len = uint32_t(b->keys.size() - off);
      const uint64_t hash = metric::xxhash64(ByteView(b->keys.data() + off, len));
      const size_t take = std::min(series.samples.size() - i, kRowsPerBlock - b->rows.size());
      for (size_t k = 0; k < take; ++k, ++i) {
        ParsedRow r;
        r.hash = hash;
        r.timestamp = series.samples[i].t;
        r.value = series.samples[i].v;
        r.key_off = off;
        r.key_len = len;
        b->rows.push_back(r);
      }
    }
    stats_.samples += series.samples.size();
  }
  if (!b->rows.empty()) {
    ship(b);
  } else {
    std::lock_guard<std::mutex> lk(mu_);
    free_.push_back(b);
  }
  return Status::ok();
}

ParsedBlock* PromBlockSource::next() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return stopping_ || !ready_.empty() || done_; });
  if (stopping_ || ready_.empty()) return nullptr;
  ParsedBlock* b = ready_.front();
  ready_.pop_front();
  return b;
}

void PromBlockSource::release(ParsedBlock* b) {
  std::lock_guard<std::mutex> lk(mu_);
  free_.push_back(b);
  cv_.notify_all();
}

void PromBlockSource::stop() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (producer_.joinable()) producer_.join();
}

Status PromBlockSource::status() {
  std::lock_guard<std::mutex> lk(mu_);
  return error_;
}

}  // namespace vmt::ingest
