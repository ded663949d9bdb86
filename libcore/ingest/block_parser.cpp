#include "ingest/block_parser.h"

#include <cstring>

#include "metric/tsid_gen.h"
#include "prom/fastfloat.h"

namespace vmt::ingest {

BlockParser::BlockParser(uint32_t account_id, uint32_t project_id, std::vector<ExtraLabel> extra_labels,
                         int64_t default_timestamp_ms, bool use_cache, metric::RawLimits limits)
    : builder_(account_id, project_id, std::move(extra_labels), limits), use_cache_(use_cache),
      default_ts_(default_timestamp_ms) {}

// The value and timestamp tokens as prom::parse_line reads them after the labels (parser.cpp):
// fastfloat for both, the seconds rule (|t| < 2^31 is seconds), Go's float -> int64 on amd64.
// block_parser_test.cpp and tests/fuzz/fuzz_import_lines.cpp check it against parse_line itself.
bool BlockParser::parse_tail(ByteView value, ByteView ts) {
  double v = 0, t = 0;
  if (prom::parse_float(value, &v) != nullptr || prom::parse_float(ts, &t) != nullptr) return false;
  if (t >= -2147483648.0 && t < 2147483648.0) t *= 1000;
  tail_value_ = v;
  tail_timestamp_ = (t >= -9223372036854775808.0 && t < 9223372036854775808.0) ? static_cast<int64_t>(t) : INT64_MIN;
  return true;
}

void BlockParser::parse_json_lines(ParsedBlock& b) {
  const char* p = b.text.data();
  const char* end = p + b.text.size();
  uint64_t line_no = b.first_line;
  for (;;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    const char* e = nl ? nl : end;
    ByteView line(p, size_t(e - p));
    ++b.lines;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty()) {
      ++b.skipped;   // unmarshalRow skips empty lines
    } else if (Status st = json_.parse(line, json_line_); !st.is_ok()) {
      b.bad.push_back(BadLine{line_no, st.message()});
    } else {
      const size_t off = b.keys.size();
      metric::RawStats rs;
      std::string err;
      if (!builder_.append(b.keys, json_line_.row, &rs, &err)) {
        b.bad.push_back(BadLine{line_no, err});
      } else {
        b.raw_stats.metrics_with_dropped_labels += rs.metrics_with_dropped_labels;
        b.raw_stats.too_long_label_names += rs.too_long_label_names;
        b.raw_stats.too_long_label_values += rs.too_long_label_values;
        ParsedRow r;
        r.key_off = uint32_t(off);
        r.key_len = uint32_t(b.keys.size() - off);
        r.hash = metric::xxhash64(ByteView(b.keys.data() + off, r.key_len));
        for (size_t i = 0; i < json_line_.values.size(); ++i) {
          r.timestamp = json_line_.timestamps[i];
          r.value = json_line_.values[i];
          b.rows.push_back(r);
        }
      }
    }
    ++line_no;
    if (!nl) break;
    p = nl + 1;
  }
}

void BlockParser::parse(ParsedBlock& b) {
  b.keys.clear();
  b.rows.clear();
  b.bad.clear();
  b.lines = 0;
  b.skipped = 0;
  b.raw_stats = metric::RawStats();
  if (json_lines_) {
    parse_json_lines(b);
    return;
  }
  auto add_stats = [&](const metric::RawStats& s) {
    b.raw_stats.metrics_with_dropped_labels += s.metrics_with_dropped_labels;
    b.raw_stats.too_long_label_names += s.too_long_label_names;
    b.raw_stats.too_long_label_values += s.too_long_label_values;
  };
  const char* p = b.text.data();
  const char* end = p + b.text.size();
  uint64_t line_no = b.first_line;
  for (;;) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
    const char* e = nl ? nl : end;
    ByteView line(p, size_t(e - p));
    ++b.lines;
    ByteView series, value, ts;
    uint64_t series_hash = 0;
    bool shaped = use_cache_ && split_sample_line(line, &series, &value, &ts);
    SeriesTextCache::Entry hit;
    if (shaped) {
      series_hash = metric::xxhash64(series);
      if (cache_.find(series, series_hash, &hit) && parse_tail(value, ts)) {
        ParsedRow r;
        r.key_off = uint32_t(b.keys.size());
        r.key_len = uint32_t(hit.raw.size());
        b.keys.append(hit.raw);
        r.hash = hit.raw_hash;
        r.timestamp = tail_timestamp_ != 0 ? tail_timestamp_ : default_ts_;
        r.value = tail_value_;
        b.rows.push_back(r);
        add_stats(hit.stats);
        ++line_no;
        if (!nl) break;
        p = nl + 1;
        continue;
      }
    }
    Status st = prom::parse_line(line, row_, scratch_);
    const size_t off = b.keys.size();
    metric::RawStats rs;
    std::string tenant_err;
    if (st.is_ok() && !builder_.append(b.keys, row_, &rs, &tenant_err)) {
      b.bad.push_back(BadLine{line_no, tenant_err});   // multitenant: a tenant label that is not a number
    } else if (st.is_ok()) {
      add_stats(rs);
      ParsedRow r;
      r.key_off = uint32_t(off);
      r.key_len = uint32_t(b.keys.size() - off);
      const ByteView raw(b.keys.data() + off, r.key_len);
      r.hash = metric::xxhash64(raw);
      // prometheus-text.md §7: a missing timestamp, or one that is exactly 0, takes the default.
      r.timestamp = row_.timestamp_or(default_ts_);
      r.value = row_.value;
      b.rows.push_back(r);
      // Remember the series text only when the parser's value and timestamp are exactly those of
      // the line's two last tokens (series_text_cache.h).
      if (shaped && row_.has_timestamp && parse_tail(value, ts) && tail_timestamp_ == row_.timestamp &&
          std::memcmp(&tail_value_, &row_.value, sizeof(double)) == 0) {
        cache_.insert(series, series_hash, raw, r.hash, rs);
      }
    } else if (prom::is_skip(st)) {
      ++b.skipped;
    } else {
      b.bad.push_back(BadLine{line_no, st.message()});
    }
    ++line_no;
    if (!nl) break;
    p = nl + 1;
  }
}

}  // namespace vmt::ingest
