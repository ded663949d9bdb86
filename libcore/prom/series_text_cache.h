// SeriesTextCache: what a line's series text was made into (a name, a hash, its label-limit
// counters), remembered per parser thread, so that a series seen before costs a hash and a memcmp
// instead of a full parse of its labels. Used by tsdb-route (route/block_router.cpp: the raw name
// and the routing key's hash); tsdb-import's parser threads share one ingest/series_text_index.h
// instead, and use this file's split_sample_line and parse_sample_tail, whose rules follow.
//
// Spec: prometheus-text.md §4 (the line grammar). A sample line is taken apart from its end as
//   <series text> <ws> <value> <ws> <timestamp> [ws]
// where value and timestamp hold only number characters ([0-9A-Za-z.+-]) and the line holds no '#'
// (comments, exemplars) and no CR. For such a line the parser reads the metric name and labels from
// the series text alone, and the value and timestamp from the two last tokens: the first '{' and
// its closing '}' cannot lie in the tail, and a series text the parser would read differently
// never gets into the cache, because an entry is only added after a full parse of a line whose
// value and timestamp are exactly those of its two last tokens (checked with parse_sample_tail).
// The '#' and CR rule is checked when a text is remembered (tail_is_row), not on every line: the
// tail cannot hold either, and a series text found in a cache equals one that held neither. The
// split itself only refuses comment lines (a '#' first), which are 40% of a scrape's lines.
// On a hit the value and timestamp tokens are parsed as parse_line parses them (parse_sample_tail),
// and anything that does not parse falls back to the full parse, which then reports the error.
// No allocation per line once grown.
// Size: when the cache is full it starts over. A fill that served fewer hits than a quarter of its
// entries means the series come back only after more distinct series than fit (a high-cardinality
// input: every entry is copied in and thrown away unread), so the next fill gets half the bytes,
// down to kMinBytes, and the memory is given back; a fill that served a hit per entry gets twice
// the bytes again, up to max_bytes. At a million series this keeps each parser thread's cache at
// 1 MiB instead of 32 MiB, for the same (no) hits. What a lookup returns never depends on the size.
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "base/hash_slots.h"
#include "metric/metric_name.h"
#include "prom/parser.h"

namespace vmt::prom {

// The split above; false when the line does not have that shape (the tokens) or is a comment. A
// '#' or CR later in the series text is not looked for here (tail_is_row does).
// A line whose last 32 bytes hold its whole tail is split with SSE2 masks; others byte by byte.
bool split_sample_line(ByteView line, ByteView* series_text, ByteView* value, ByteView* timestamp);
// The byte loop alone, from the first non-blank byte `s` on (the reference of the unit test).
bool split_sample_line_bytes(ByteView line, size_t s, ByteView* series_text, ByteView* value, ByteView* timestamp);

// The value and timestamp tokens as parse_line reads them after the labels (parser.cpp): fastfloat
// for both, the seconds rule (|t| < 2^31 is seconds), Go's float -> int64 on amd64. False when
// either does not parse. The import's block parser tests and tests/fuzz/fuzz_import_lines.cpp check
// it against parse_line itself.
bool parse_sample_tail(ByteView value, ByteView timestamp, double* v, int64_t* ts);

// The rule of what may be remembered of a shaped line: whether its series text holds no '#' and no
// CR, and `row`, its full parse, has a timestamp, and its value and timestamp are bit for bit what
// parse_sample_tail reads from the line's two last tokens (then a later line with the same series
// text may skip the full parse). Used by SeriesTextCache::remember and by the import's block
// parser (ingest/series_text_index.h).
bool tail_is_row(ByteView series_text, ByteView value, ByteView timestamp, const Row& row);

class SeriesTextCache {
 public:
  struct Entry {
    ByteView raw;              // the name: raw (MetricNameRaw) for route, canonical for import
    uint64_t key_hash = 0;     // the user's hash of it (see above)
    metric::RawStats stats;    // label-limit counters of one row of this series
  };

  static constexpr size_t kMinBytes = 1 << 20;
  explicit SeriesTextCache(size_t max_bytes = 32 << 20) : max_bytes_(max_bytes), cap_bytes_(max_bytes) {}

  // A line as the cache sees it: split (split_sample_line), its series text hashed, and on a hit
  // its tail read (parse_sample_tail).
  struct Line {
    bool shaped = false;
    ByteView series, value, timestamp;
    uint64_t series_hash = 0;
    double tail_value = 0;
    int64_t tail_timestamp = 0;
  };
  // Splits `line` into *l; true on a hit whose tail parses, with the entry in *out. On false, *l
  // is what remember() needs after the full parse.
  bool find_line(ByteView line, Line* l, Entry* out) const;
  // After a full parse of l's line into `row`: remembers its series text only when the parser's
  // value and timestamp are exactly those of the line's two last tokens (the rule above).
  void remember(Line& l, const Row& row, ByteView raw, uint64_t key_hash, const metric::RawStats& stats);

  // hash = xxhash64(series_text).
  bool find(ByteView series_text, uint64_t hash, Entry* out) const;
  void insert(ByteView series_text, uint64_t hash, ByteView raw, uint64_t key_hash, const metric::RawStats& stats);
  size_t size() const { return entries_.size(); }
  // The bytes of text and names a fill may hold now (see Size above).
  size_t cap_bytes() const { return cap_bytes_; }
  // Back to max_bytes: a new input may repeat its series where the last one did not.
  void reset_cap() { cap_bytes_ = max_bytes_; }
  // The memory held: arena, entries and index.
  size_t memory_bytes() const {
    return arena_.capacity() + entries_.capacity() * sizeof(Stored) + index_.memory_bytes();
  }

 private:
  struct Stored {
    uint64_t text_off;
    uint32_t text_len, raw_len;
    uint64_t key_hash;
    metric::RawStats stats;
  };
  void clear();
  // The cache is full: the next fill's size from this one's hits, then clear.
  void start_over();

  size_t max_bytes_;
  size_t cap_bytes_;
  mutable uint64_t hits_ = 0;  // since the last start_over
  Bytes arena_;  // text then raw name, per entry
  std::vector<Stored> entries_;
  // text -> entries_. Starts small and doubles as it fills: a router is cheap to make, and the
  // few doublings to a worker's working set cost nothing beside its lines.
  static constexpr size_t kInitialSlots = 64;
  HashSlots index_{kInitialSlots};
};

}  // namespace vmt::prom
