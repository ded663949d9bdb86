#include "ingest/block_parser.h"

#include <cstring>

#include "metric/tsid_gen.h"
#include "prom/series_text_cache.h"

namespace vmt::ingest {

BlockParser::BlockParser(const RowNaming& naming, int64_t default_timestamp_ms, const SeriesTextIndex* index)
    : builder_(naming.account_id, naming.project_id, naming.extra_labels, naming.limits), tenancy_(naming.tenancy),
      index_(index), default_ts_(default_timestamp_ms) {}

namespace {

// fn(line, line number) for each '\n'-separated line of the block's text, the last one included.
template <class F>
void for_each_line(ParsedBlock& b, F&& fn) {
  const char* p = b.text.data();
  const char* end = p + b.text.size();
  for (uint64_t line_no = b.first_line;; ++line_no) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    ++b.lines;
    fn(ByteView(p, size_t((nl ? nl : end) - p)), line_no);
    if (!nl) break;
    p = nl + 1;
  }
}

}  // namespace

bool BlockParser::append_key(ParsedBlock& b, const prom::Row& row, uint64_t line_no, ParsedRow& r,
                             metric::RawStats& rs) {
  const size_t off = b.keys.size();
  std::string err;
  if (!builder_.append_canonical(b.keys, row, tenancy_, &rs, &err)) {
    b.bad.push_back(BadLine{line_no, err});   // a tenant label that is not a number; a raw name that does not decode
    return false;
  }
  b.raw_stats += rs;
  r.key_off = uint32_t(off);
  r.key_len = uint32_t(b.keys.size() - off);
  r.hash = metric::xxhash64(ByteView(b.keys.data() + off, r.key_len));
  return true;
}

void BlockParser::parse_json_lines(ParsedBlock& b) {
  for_each_line(b, [&](ByteView line, uint64_t line_no) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) {
      ++b.skipped;   // unmarshalRow skips empty lines
      return;
    }
    if (Status st = json_.parse(line, json_line_); !st.is_ok()) {
      b.bad.push_back(BadLine{line_no, st.message()});
      return;
    }
    ParsedRow r;
    metric::RawStats rs;
    if (!append_key(b, json_line_.row, line_no, r, rs)) return;
    for (size_t i = 0; i < json_line_.values.size(); ++i) {
      r.timestamp = json_line_.timestamps[i];
      r.value = json_line_.values[i];
      b.rows.push_back(r);
    }
  });
}

void BlockParser::parse_text_line(ParsedBlock& b, const LineSplit& l) {
  if (l.shaped) {
    SeriesTextIndex::Hit hit;
    double v = 0;
    int64_t ts = 0;
    if (index_->find(l.series, l.text_hash, b.generation, &hit) && prom::parse_sample_tail(l.value_tok, l.ts_tok, &v, &ts)) {
      ParsedRow r;
      r.key_off = hit.series;
      r.key_len = 0;
      r.timestamp = ts != 0 ? ts : default_ts_;
      r.value = v;
      b.rows.push_back(r);
      b.raw_stats += hit.stats;
      ++b.index_rows;
      return;
    }
  }
  Status st = prom::parse_line(l.line, row_, scratch_);
  if (!st.is_ok()) {
    if (prom::is_skip(st)) {
      ++b.skipped;
    } else {
      b.bad.push_back(BadLine{l.line_no, st.message()});
    }
    return;
  }
  ParsedRow r;
  metric::RawStats rs;
  if (!append_key(b, row_, l.line_no, r, rs)) return;
  // prometheus-text.md §7: a missing timestamp, or one that is exactly 0, takes the default.
  r.timestamp = row_.timestamp_or(default_ts_);
  r.value = row_.value;
  b.rows.push_back(r);
  // series_text_index.h: remembered only when the full parse read exactly the value and
  // timestamp of the line's two last tokens, which a hit reads instead.
  if (l.shaped && prom::tail_is_row(l.series, l.value_tok, l.ts_tok, row_)) {
    b.remember.push_back(ParsedBlock::Remember{uint32_t(b.rows.size() - 1), uint32_t(l.series.data() - b.text.data()),
                                               uint32_t(l.series.size()), l.text_hash, rs});
  }
}

void BlockParser::parse(ParsedBlock& b) {
  b.keys.clear();
  b.rows.clear();
  b.bad.clear();
  b.remember.clear();
  b.lines = 0;
  b.skipped = 0;
  b.index_rows = 0;
  b.raw_stats = metric::RawStats();
  // One generation for the whole block: the consumer parses a block again whose generation is
  // not its registry's any more.
  b.generation = index_ ? index_->generation() : 0;
  if (json_lines_) {
    parse_json_lines(b);
    return;
  }
  // Lookups are pipelined two lines deep: a line is split and hashed, and the index asked for its
  // slot (SeriesTextIndex::prefetch), two lines before its lookup; one line before it, the entry
  // the slot names is asked for (prefetch_entry). Without this the lookup waited on a cache miss
  // for its slot and another for its entry (at 20k series, most of its time). A comment line is
  // skipped here, as parse_line would skip it.
  LineSplit ring[3];
  uint64_t seen = 0;  // lines in the ring so far: ring[seen % 3] is the next free one
  for_each_line(b, [&](ByteView line, uint64_t line_no) {
    if (!line.empty() && line[0] == '#') {
      ++b.skipped;
      return;
    }
    LineSplit& l = ring[seen % 3];
    l.line = line;
    l.line_no = line_no;
    l.shaped = index_ && prom::split_sample_line(line, &l.series, &l.value_tok, &l.ts_tok);
    if (l.shaped) {
      l.text_hash = series_text_hash(l.series);
      index_->prefetch(l.text_hash);
    }
    if (seen >= 1) {
      const LineSplit& prev = ring[(seen - 1) % 3];
      if (prev.shaped) index_->prefetch_entry(prev.text_hash);
    }
    if (seen >= 2) parse_text_line(b, ring[(seen - 2) % 3]);
    ++seen;
  });
  for (uint64_t k = seen >= 2 ? seen - 2 : 0; k < seen; ++k) parse_text_line(b, ring[k % 3]);
}

}  // namespace vmt::ingest
