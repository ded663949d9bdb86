#include "ingest/series_text_cache.h"

#include <cstring>

namespace vmt::ingest {

namespace {
inline bool is_ws(char c) { return c == ' ' || c == '\t'; }
inline bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
         c == '-';
}
}  // namespace

bool split_sample_line(ByteView line, ByteView* series, ByteView* value, ByteView* ts) {
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
  size_t s = 0;
  while (s < e && is_ws(line[s])) ++s;
  if (s == e) return false;
  *series = line.substr(s, e - s);
  // No comment or exemplar anywhere, no CR (the tail has neither by construction).
  return std::memchr(series->data(), '#', series->size()) == nullptr &&
         std::memchr(series->data(), '\r', series->size()) == nullptr;
}

void SeriesTextCache::clear() {
  arena_.clear();
  entries_.clear();
  slots_.assign(4096, Slot{});
}

bool SeriesTextCache::find(ByteView text, uint64_t hash, Entry* out) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.ref == 0) return false;
    if (s.hash != hash) continue;
    const Stored& e = entries_[s.ref - 1];
    if (e.text_len == text.size() && std::memcmp(arena_.data() + e.text_off, text.data(), text.size()) == 0) {
      out->raw = ByteView(arena_.data() + e.text_off + e.text_len, e.raw_len);
      out->raw_hash = e.raw_hash;
      out->stats = e.stats;
      return true;
    }
  }
}

void SeriesTextCache::insert(ByteView text, uint64_t hash, ByteView raw, uint64_t raw_hash,
                             const metric::RawStats& stats) {
  if (arena_.size() + text.size() + raw.size() > max_bytes_) clear();  // bounded: start over
  if ((entries_.size() + 1) * 2 > slots_.size()) {
    std::vector<Slot> bigger(slots_.size() * 2);
    for (const Slot& s : slots_) {
      if (s.ref == 0) continue;
      size_t i = size_t(s.hash) & (bigger.size() - 1);
      while (bigger[i].ref != 0) i = (i + 1) & (bigger.size() - 1);
      bigger[i] = s;
    }
    slots_.swap(bigger);
  }
  const size_t mask = slots_.size() - 1;
  size_t i = size_t(hash) & mask;
  while (slots_[i].ref != 0) i = (i + 1) & mask;
  entries_.push_back(Stored{arena_.size(), uint32_t(text.size()), uint32_t(raw.size()), raw_hash, stats});
  arena_.append(text);
  arena_.append(raw);
  slots_[i] = Slot{hash, uint32_t(entries_.size())};
}

}  // namespace vmt::ingest
