#include "prom/series_text_cache.h"

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "metric/tsid_gen.h"
#include "prom/fastfloat.h"

namespace vmt::prom {

namespace {
inline bool is_ws(char c) { return c == ' ' || c == '\t'; }
// [0-9A-Za-z.+-]: a table, where the comparisons cost a branch each on every byte of every tail.
struct NumberChars {
  bool is[256] = {};
  constexpr NumberChars() {
    for (int c = '0'; c <= '9'; ++c) is[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) is[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) is[c] = true;
    is[int('.')] = is[int('+')] = is[int('-')] = true;
  }
};
constexpr NumberChars kNumberChars;
inline bool is_number_char(char c) { return kNumberChars.is[static_cast<unsigned char>(c)]; }
// Whether s holds a '#' or a CR: one pass, 16 bytes a step (SSE2, every x86-64), where two
// memchr calls read the text twice. Asked only of a text about to be remembered (tail_is_row).
bool has_hash_or_cr(ByteView s) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i hash = _mm_set1_epi8('#'), cr = _mm_set1_epi8('\r');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, hash), _mm_cmpeq_epi8(v, cr))) != 0) return true;
  }
#endif
  for (; i < s.size(); ++i) {
    if (s[i] == '#' || s[i] == '\r') return true;
  }
  return false;
}

#if defined(__SSE2__)
// The tail of a line whose last 32 bytes hold it whole: bit i of each mask is byte
// line.size() - 32 + i (bit 31 the last byte), and the tokens are runs of bits read from the top
// with count-leading-zeros instead of a loop per byte. Returns the window offset where the series
// text ends (exclusive), or -1 when the tail does not lie wholly inside the window or has not the
// shape; then the byte loop decides. *v and *t: the tokens' [begin, end) window offsets.
int tail_in_window(const char* w, int v[2], int t[2]) {
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16));
  auto ws_mask = [](__m128i x) {
    return uint32_t(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\t')))));
  };
  // c in [lo_c, hi_c] as an unsigned range check on signed compares: c + (0x80 - lo_c) < 0x80 + (hi_c - lo_c + 1).
  auto in_range = [](__m128i x, char lo_c, char hi_c) {
    const __m128i shifted = _mm_add_epi8(x, _mm_set1_epi8(char(0x80 - lo_c)));
    return _mm_cmplt_epi8(shifted, _mm_set1_epi8(char(0x80 + (hi_c - lo_c + 1))));
  };
  auto num_mask = [&](__m128i x) {
    const __m128i digit = in_range(x, '0', '9');
    const __m128i letter = in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z');
    const __m128i sign = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')), _mm_cmpeq_epi8(x, _mm_set1_epi8('+'))),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
    return uint32_t(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), sign)));
  };
  const uint32_t ws = ws_mask(lo) | (ws_mask(hi) << 16);
  const uint32_t num = num_mask(lo) | (num_mask(hi) << 16);
  // The run of `m`'s bits ending just below `end` (exclusive): its start, or -1 when it reaches
  // the window's first byte (the run may go on before the window).
  auto run_start = [](uint32_t m, int end) -> int {
    const uint32_t outside = ~m << (32 - end);  // end >= 1
    if (outside == 0) return -1;
    return end - __builtin_clz(outside);
  };
  int e = run_start(ws, 32);  // trailing blanks
  if (e <= 0) return -1;
  const int tb = run_start(num, e);
  if (tb <= 0 || tb == e || !(ws >> (tb - 1) & 1)) return -1;
  const int ve = run_start(ws, tb);
  if (ve <= 0) return -1;
  const int vb = run_start(num, ve);
  if (vb <= 0 || vb == ve || !(ws >> (vb - 1) & 1)) return -1;
  const int se = run_start(ws, vb);
  if (se <= 0) return -1;
  v[0] = vb, v[1] = ve, t[0] = tb, t[1] = e;
  return se;
}
#endif

}  // namespace

bool split_sample_line(ByteView line, ByteView* series, ByteView* value, ByteView* ts) {
  size_t s = 0;
  while (s < line.size() && is_ws(line[s])) ++s;
  if (s == line.size() || line[s] == '#') return false;  // a comment line (or a blank one)
#if defined(__SSE2__)
  if (line.size() >= 32) {
    int v[2], t[2];
    const size_t base = line.size() - 32;
    const int se = tail_in_window(line.data() + base, v, t);
    if (se > 0 && base + size_t(se) > s) {
      *ts = line.substr(base + size_t(t[0]), size_t(t[1] - t[0]));
      *value = line.substr(base + size_t(v[0]), size_t(v[1] - v[0]));
      *series = line.substr(s, base + size_t(se) - s);
      return true;
    }
  }
#endif
  return split_sample_line_bytes(line, s, series, value, ts);
}

bool split_sample_line_bytes(ByteView line, size_t s, ByteView* series, ByteView* value, ByteView* ts) {
  size_t e = line.size();
  while (e > 0 && is_ws(line[e - 1])) --e;
  size_t b = e;
  while (b > 0 && is_number_char(line[b - 1])) --b;
  if (b == e || b == 0 || !is_ws(line[b - 1])) return false;
  *ts = line.substr(b, e - b);
  e = b;
  while (e > 0 && is_ws(line[e - 1])) --e;
  b = e;
  while (b > 0 && is_number_char(line[b - 1])) --b;
  if (b == e || b == 0 || !is_ws(line[b - 1])) return false;
  *value = line.substr(b, e - b);
  e = b;
  while (e > 0 && is_ws(line[e - 1])) --e;
  if (e <= s) return false;
  *series = line.substr(s, e - s);
  return true;
}

bool parse_sample_tail(ByteView value, ByteView timestamp, double* v, int64_t* ts) {
  double t = 0;
  if (parse_float(value, v) != nullptr || parse_timestamp_ms(timestamp, &t) != nullptr) return false;
  *ts = go_float_to_int64(t);
  return true;
}

bool SeriesTextCache::find_line(ByteView line, Line* l, Entry* out) const {
  *l = Line();
  l->shaped = split_sample_line(line, &l->series, &l->value, &l->timestamp);
  if (!l->shaped) return false;
  l->series_hash = metric::xxhash64(l->series);
  return find(l->series, l->series_hash, out) && parse_sample_tail(l->value, l->timestamp, &l->tail_value, &l->tail_timestamp);
}

bool tail_is_row(ByteView series, ByteView value, ByteView timestamp, const Row& row) {
  double v = 0;
  int64_t ts = 0;
  return !has_hash_or_cr(series) && row.has_timestamp && parse_sample_tail(value, timestamp, &v, &ts) && ts == row.timestamp &&
         std::memcmp(&v, &row.value, sizeof(double)) == 0;
}

void SeriesTextCache::remember(Line& l, const Row& row, ByteView raw, uint64_t key_hash, const metric::RawStats& stats) {
  if (l.shaped && tail_is_row(l.series, l.value, l.timestamp, row)) insert(l.series, l.series_hash, raw, key_hash, stats);
}

void SeriesTextCache::clear() {
  arena_.clear();
  entries_.clear();
  index_.reset(kInitialSlots);
}

void SeriesTextCache::start_over() {
  const uint64_t entries = entries_.size();
  const size_t was = cap_bytes_;
  if (hits_ * 4 < entries) {
    cap_bytes_ = std::max(cap_bytes_ / 2, std::min(kMinBytes, max_bytes_));
  } else if (hits_ >= entries) {
    cap_bytes_ = std::min(cap_bytes_ * 2, max_bytes_);
  }
  hits_ = 0;
  if (cap_bytes_ < was) {
    // Give the memory back, not just the entries.
    Bytes().swap(arena_);
    std::vector<Stored>().swap(entries_);
    index_ = HashSlots(kInitialSlots);
  } else {
    clear();
  }
}

bool SeriesTextCache::find(ByteView text, uint64_t hash, Entry* out) const {
  const uint32_t ref = index_.find(hash, [&](uint32_t r) {
    const Stored& e = entries_[r - 1];
    return e.text_len == text.size() && std::memcmp(arena_.data() + e.text_off, text.data(), text.size()) == 0;
  });
  if (ref == 0) return false;
  ++hits_;
  const Stored& e = entries_[ref - 1];
  out->raw = ByteView(arena_.data() + e.text_off + e.text_len, e.raw_len);
  out->key_hash = e.key_hash;
  out->stats = e.stats;
  return true;
}

void SeriesTextCache::insert(ByteView text, uint64_t hash, ByteView raw, uint64_t key_hash,
                             const metric::RawStats& stats) {
  if (arena_.size() + text.size() + raw.size() > cap_bytes_) start_over();  // bounded
  entries_.push_back(Stored{arena_.size(), uint32_t(text.size()), uint32_t(raw.size()), key_hash, stats});
  arena_.append(text);
  arena_.append(raw);
  index_.insert(hash, uint32_t(entries_.size()));
}

}  // namespace vmt::prom
