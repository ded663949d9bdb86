// SeriesTextIndex: a line's series text -> the series registry's id of its series, one table that
// every parser thread reads and the importer's consumer thread alone fills. A line whose series
// text the table knows costs a parser thread a hash and a compare, and the consumer nothing: no
// labels parsed, no canonical name made, copied or looked up. The parse of a new series happens
// once for the whole import, not once per parser thread, so one table holds twice the series the
// per-thread caches held in the same memory (at 200k series, all of them at the default limit).
//
// Spec: prometheus-text.md §4 (the line's shape: prom/series_text_cache.h's split_sample_line and
// parse_sample_tail, and its rule of what may be remembered). The consumer remembers a series text
// only for a line whose full parse gave exactly the value and timestamp of its two last tokens, so
// a hit's row (value and timestamp read from those tokens) is the row the full parse gives.
//
// Concurrency: entries are appended to a fixed arena (mapped once, at its largest, filled lazily)
// and published by storing their slot last (release); readers load the slot (acquire) and only
// then read the entry, which never changes once published. The slots start small (a table that
// fits the cache serves a few thousand series at a cache miss less per line) and double as they
// fill: the consumer builds the larger table and publishes it whole (release); a reader still on
// the smaller one misses at worst (and parses the line). No table or entry is freed while the
// import runs: the tables add up to twice the largest. When the arena or the largest table is
// full, nothing more is remembered (lines are parsed in full, as without the index).
//
// Generations: the registry starts afresh at a spill (series_spill.h), and every id in the table
// names a series of the old registry. next_generation() makes every entry stale; a block parsed
// before it (ParsedBlock::generation) with rows served from the table is parsed again in full by
// the consumer. Stale entries keep their room in the arena (readers may be reading them) but are
// not carried into a larger table.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/coding.h"
#include "base/huge_array.h"
#include "metric/metric_name.h"

namespace vmt::ingest {

// The hash the index is keyed by: XXH3 (64-bit) of the series text. Any good hash would do (it
// is not stored on disk, and keys are compared whole); XXH3 is twice XXH64's speed on texts of
// 100-300 bytes, and every line of the input is hashed.
uint64_t series_text_hash(ByteView text);

class SeriesTextIndex {
 public:
  // max_bytes: the memory it may take, its largest slot table (8 bytes per 64 of it) and entries
  // (48 bytes and the text's, each) together.
  explicit SeriesTextIndex(size_t max_bytes);
  ~SeriesTextIndex();
  SeriesTextIndex(const SeriesTextIndex&) = delete;
  SeriesTextIndex& operator=(const SeriesTextIndex&) = delete;

  struct Hit {
    uint32_t series = 0;
    metric::RawStats stats;  // the label-limit counters of one row of the series
  };
  // Any thread: the series `text` (hash = series_text_hash(text)) names in `generation`.
  bool find(ByteView text, uint64_t hash, uint32_t generation, Hit* out) const;
  // Any thread: asks for the slot of `hash` ahead of a find() of it (a cache miss otherwise),
  // then, once the slot is near, for the entry it names (its first 256 bytes: the header and the
  // text of most series).
  void prefetch(uint64_t hash) const {
    const Table& t = *table_.load(std::memory_order_acquire);
    __builtin_prefetch(&t.slots[hash & (t.count - 1)]);
  }
  void prefetch_entry(uint64_t hash) const {
    const Table& t = *table_.load(std::memory_order_acquire);
    const uint64_t v = std::atomic_ref<uint64_t>(t.slots[hash & (t.count - 1)]).load(std::memory_order_acquire);
    if (v == 0 || uint32_t(v >> 32) != uint32_t(hash >> 32)) return;
    const char* e = reinterpret_cast<const char*>(entry_at(v & 0xffffffffu));
    for (int line = 0; line < 4; ++line) __builtin_prefetch(e + 64 * line);
  }
  // The consumer thread only: text -> series in the current generation. False when nothing was
  // stored: known already, or full.
  bool insert(ByteView text, uint64_t hash, uint32_t series, const metric::RawStats& stats);

  uint32_t generation() const { return generation_.load(std::memory_order_acquire); }
  // The consumer thread only, when the registry starts afresh: every entry is stale.
  void next_generation() { generation_.fetch_add(1, std::memory_order_acq_rel); }

  uint64_t entries() const { return live_; }  // in the current table
  // The memory the index uses: its tables and what its entries have touched.
  uint64_t memory_bytes() const { return tables_bytes_ + arena_used_; }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t text_len;
    uint32_t series;
    uint32_t generation;
    uint32_t pad;
    metric::RawStats stats;
    // the text follows, then padding to 8 bytes
  };
  // Slots: (tag << 32 | ref): tag = the hash's high 32 bits, ref = the entry's 8-byte unit + 1.
  struct Table {
    size_t count = 0;  // a power of two
    HugeMapping map;
    uint64_t* slots = nullptr;
    explicit Table(size_t n);
  };
  const Entry* entry_at(uint64_t ref) const { return reinterpret_cast<const Entry*>(arena_.data + (ref - 1) * 8); }
  // The slot of `text` in t (*found), or the empty slot where it would go.
  static size_t probe(const Table& t, const SeriesTextIndex& idx, ByteView text, uint64_t hash, uint32_t generation,
                      bool* found);
  // The consumer: the current generation's entries into a table twice as large, published.
  void grow();

  size_t max_slots_ = 0;
  std::atomic<const Table*> table_{nullptr};
  std::vector<std::unique_ptr<Table>> tables_;  // the consumer's; every one kept to the end
  uint64_t tables_bytes_ = 0;
  HugeMapping arena_;
  size_t arena_cap_ = 0;
  size_t arena_used_ = 0;   // the consumer's alone
  size_t arena_populated_ = 0;   // [0, arena_populated_) faulted in; the consumer's alone
  uint64_t live_ = 0;       // entries in the current table, the consumer's alone
  std::atomic<uint32_t> generation_{1};
};

}  // namespace vmt::ingest
