#include "ingest/series_text_index.h"

#include <algorithm>
#include <cstring>

#include <xxhash.h>

namespace vmt::ingest {

uint64_t series_text_hash(ByteView text) { return XXH3_64bits(text.data(), text.size()); }

namespace {
// The first table: 8 KiB, a few hundred series.
constexpr size_t kFirstSlots = 1024;
}  // namespace

SeriesTextIndex::Table::Table(size_t n) : count(n), map(n * sizeof(uint64_t), /*reserve_only=*/false) {
  slots = reinterpret_cast<uint64_t*>(map.data);  // zero pages: every slot empty
  // A table is made when the one before is half full, and its entries land all over it: every page
  // is written soon, faulted in at once here.
  populate_for_write(slots, n * sizeof(uint64_t));
}

SeriesTextIndex::SeriesTextIndex(size_t max_bytes) {
  // The largest table: a slot per 64 bytes of the budget, at most half of them used, so entries
  // average 128 bytes or more before the slots, not the arena, are what fills (a series text is
  // rarely shorter).
  max_slots_ = kFirstSlots;
  while (max_slots_ * 2 * sizeof(uint64_t) <= max_bytes / 8) max_slots_ *= 2;
  // The tables add up to twice the largest.
  const size_t tables = 2 * max_slots_ * sizeof(uint64_t);
  arena_cap_ = std::max<size_t>(max_bytes > tables ? max_bytes - tables : 0, 64 << 10);
  arena_ = HugeMapping(arena_cap_, /*reserve_only=*/false);
  tables_.push_back(std::make_unique<Table>(kFirstSlots));
  tables_bytes_ = kFirstSlots * sizeof(uint64_t);
  table_.store(tables_.back().get(), std::memory_order_release);
}

SeriesTextIndex::~SeriesTextIndex() = default;

size_t SeriesTextIndex::probe(const Table& t, const SeriesTextIndex& idx, ByteView text, uint64_t hash,
                              uint32_t generation, bool* found) {
  const size_t mask = t.count - 1;
  const uint32_t tag = uint32_t(hash >> 32);
  for (size_t i = size_t(hash) & mask;; i = (i + 1) & mask) {
    const uint64_t v = std::atomic_ref<uint64_t>(t.slots[i]).load(std::memory_order_acquire);
    if (v == 0) {
      *found = false;
      return i;
    }
    if (uint32_t(v >> 32) != tag) continue;
    const Entry* e = idx.entry_at(v & 0xffffffffu);
    if (e->text_len == text.size() && e->generation == generation &&
        std::memcmp(reinterpret_cast<const char*>(e + 1), text.data(), text.size()) == 0) {
      *found = true;
      return i;
    }
  }
}

bool SeriesTextIndex::find(ByteView text, uint64_t hash, uint32_t generation, Hit* out) const {
  const Table& t = *table_.load(std::memory_order_acquire);
  bool found = false;
  const size_t i = probe(t, *this, text, hash, generation, &found);
  if (!found) return false;
  const Entry* e = entry_at(std::atomic_ref<uint64_t>(t.slots[i]).load(std::memory_order_acquire) & 0xffffffffu);
  out->series = e->series;
  out->stats = e->stats;
  return true;
}

void SeriesTextIndex::grow() {
  const Table& old = *tables_.back();
  auto bigger = std::make_unique<Table>(old.count * 2);
  const uint32_t gen = generation();
  const size_t mask = bigger->count - 1;
  live_ = 0;
  for (size_t k = 0; k < old.count; ++k) {
    const uint64_t v = old.slots[k];  // only this thread writes slots
    if (v == 0) continue;
    const Entry* e = entry_at(v & 0xffffffffu);
    if (e->generation != gen) continue;  // stale: not carried
    size_t i = size_t(e->hash) & mask;
    while (bigger->slots[i] != 0) i = (i + 1) & mask;
    bigger->slots[i] = v;
    ++live_;
  }
  tables_bytes_ += bigger->count * sizeof(uint64_t);
  tables_.push_back(std::move(bigger));
  // Published whole: a reader sees the new table with every slot it was built with.
  table_.store(tables_.back().get(), std::memory_order_release);
}

bool SeriesTextIndex::insert(ByteView text, uint64_t hash, uint32_t series, const metric::RawStats& stats) {
  const uint32_t gen = generation();
  bool found = false;
  size_t i = probe(*tables_.back(), *this, text, hash, gen, &found);
  if (found) return false;
  const size_t size = (sizeof(Entry) + text.size() + 7) / 8 * 8;
  if (arena_used_ + size > arena_cap_) return false;
  // At most half the slots: probes stay short (stale entries of earlier generations count too).
  if ((live_ + 1) * 2 > tables_.back()->count) {
    if (tables_.back()->count >= max_slots_) return false;
    grow();
    i = probe(*tables_.back(), *this, text, hash, gen, &found);
  }
  if (arena_used_ + size > arena_populated_) {
    arena_populated_ = populate_ahead(arena_.data, arena_populated_, arena_used_ + size, arena_cap_);   // ahead of the entries
  }
  Entry* e = reinterpret_cast<Entry*>(arena_.data + arena_used_);
  e->hash = hash;
  e->text_len = uint32_t(text.size());
  e->series = series;
  e->generation = gen;
  e->pad = 0;
  e->stats = stats;
  std::memcpy(reinterpret_cast<char*>(e + 1), text.data(), text.size());
  const uint64_t ref = arena_used_ / 8 + 1;
  arena_used_ += size;
  ++live_;
  // Published last: a reader that sees the slot sees the entry.
  std::atomic_ref<uint64_t>(tables_.back()->slots[i]).store((hash >> 32) << 32 | ref, std::memory_order_release);
  return true;
}

}  // namespace vmt::ingest
