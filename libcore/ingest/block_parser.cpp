#include "ingest/block_parser.h"

#include <cstring>

#include "metric/tsid_gen.h"

namespace vmt::ingest {

BlockParser::BlockParser(const RowNaming& naming, int64_t default_timestamp_ms, bool use_cache, size_t cache_bytes)
    : builder_(naming.account_id, naming.project_id, naming.extra_labels, naming.limits), tenancy_(naming.tenancy),
      cache_(cache_bytes), use_cache_(use_cache), default_ts_(default_timestamp_ms) {}

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

void BlockParser::parse(ParsedBlock& b) {
  b.keys.clear();
  b.rows.clear();
  b.bad.clear();
  b.lines = 0;
  b.skipped = 0;
  b.raw_stats = metric::RawStats();
  if (b.file != last_file_) {
    last_file_ = b.file;
    cache_.reset_cap();  // series_text_cache.h: a new input may repeat its series where the last did not
  }
  if (json_lines_) {
    parse_json_lines(b);
    return;
  }
  for_each_line(b, [&](ByteView line, uint64_t line_no) {
    prom::SeriesTextCache::Line cached;
    prom::SeriesTextCache::Entry hit;
    if (use_cache_) {
      if (cache_.find_line(line, &cached, &hit)) {
        ParsedRow r;
        r.key_off = uint32_t(b.keys.size());
        r.key_len = uint32_t(hit.raw.size());
        b.keys.append(hit.raw);
        r.hash = hit.key_hash;
        r.timestamp = cached.tail_timestamp != 0 ? cached.tail_timestamp : default_ts_;
        r.value = cached.tail_value;
        b.rows.push_back(r);
        b.raw_stats += hit.stats;
        return;
      }
    }
    Status st = prom::parse_line(line, row_, scratch_);
    if (!st.is_ok()) {
      if (prom::is_skip(st)) {
        ++b.skipped;
      } else {
        b.bad.push_back(BadLine{line_no, st.message()});
      }
      return;
    }
    ParsedRow r;
    metric::RawStats rs;
    if (!append_key(b, row_, line_no, r, rs)) return;
    // prometheus-text.md §7: a missing timestamp, or one that is exactly 0, takes the default.
    r.timestamp = row_.timestamp_or(default_ts_);
    r.value = row_.value;
    b.rows.push_back(r);
    if (use_cache_) cache_.remember(cached, row_, ByteView(b.keys.data() + r.key_off, r.key_len), r.hash, rs);
  });
}

}  // namespace vmt::ingest
