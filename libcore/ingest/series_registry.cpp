#include "ingest/series_registry.h"

#include <cstring>

#include "metric/tsid_gen.h"

namespace vmt::ingest {

const char* series_origin_name(SeriesOrigin o) {
  switch (o) {
    case SeriesOrigin::pending: return "pending";
    case SeriesOrigin::created: return "created";
    case SeriesOrigin::curr: return "curr";
    case SeriesOrigin::prev: return "prev";
  }
  return "?";
}

SeriesRegistry::SeriesRegistry(metric::Tenancy tenancy) : canon_index_(1024), tenancy_(tenancy) {}

int64_t SeriesRegistry::find(ByteView canon, uint64_t hash) const {
  const uint32_t ref = canon_index_.find(hash, [&](uint32_t r) { return canonical(r - 1) == canon; });
  return ref ? int64_t(ref - 1) : -1;
}

uint32_t SeriesRegistry::find_or_add(ByteView canon, uint64_t hash, uint32_t date, bool* created) {
  *created = false;
  size_t pos = 0;
  const uint32_t ref = canon_index_.find(hash, [&](uint32_t r) { return canonical(r - 1) == canon; }, &pos);
  if (ref) return ref - 1;
  Series ser;
  ser.canonical_off = canon_arena_.size();
  ser.canonical_len = uint32_t(canon.size());
  ser.first_date = date;
  canon_arena_.append(canon.data(), canon.size());
  const uint32_t id = uint32_t(series_.size());
  series_.push_back(ser);
  canon_index_.insert_at(pos, hash, id + 1);
  *created = true;
  return id;
}

uint32_t SeriesRegistry::find_or_add_canonical(ByteView canon, uint32_t date, bool* created) {
  return find_or_add(canon, metric::xxhash64(canon), date, created);
}

void SeriesRegistry::set_returning(uint32_t id, const metric::TSID& tsid, SeriesOrigin origin,
                                   std::span<const uint32_t> days) {
  Series& s = series_[id];
  s.tsid = tsid;
  s.origin = origin;
  spilled_days_.push_back(uint32_t(days.size()));
  s.spilled = uint32_t(spilled_days_.size());
  spilled_days_.insert(spilled_days_.end(), days.begin(), days.end());
}

bool SeriesRegistry::note_date_slow(uint32_t id, uint32_t date) {
  if (!date_set_.insert((uint64_t(id) << 32) | date)) return false;
  dates_.emplace_back(id, date);
  return true;
}

bool SeriesRegistry::PairSet::insert(uint64_t key) {
  auto slot_of = [](uint64_t k, size_t mask) { return size_t((k * 0x9E3779B97F4A7C15ull) >> 32) & mask; };
  size_t mask = slots_.size() - 1;
  size_t i = slot_of(key, mask);
  for (; slots_[i] != kEmpty; i = (i + 1) & mask) {
    if (slots_[i] == key) return false;
  }
  slots_[i] = key;
  if (++used_ * 4 > slots_.size() * 3) {
    std::vector<uint64_t> bigger(slots_.size() * 2, kEmpty);
    mask = bigger.size() - 1;
    for (uint64_t k : slots_) {
      if (k == kEmpty) continue;
      size_t j = slot_of(k, mask);
      while (bigger[j] != kEmpty) j = (j + 1) & mask;
      bigger[j] = k;
    }
    slots_.swap(bigger);
  }
  return true;
}

void SeriesRegistry::clear() {
  canon_arena_.clear();
  series_.clear();
  canon_index_ = HashSlots(1024);
  date_set_ = PairSet();
  dates_ = {};
  spilled_days_ = {};
}

uint64_t SeriesRegistry::memory_bytes() const {
  // The arena and the series as used (their pages are touched as they fill), the tables as allocated.
  return canon_arena_.size() + canon_index_.memory_bytes() + series_.size() * sizeof(Series) +
         dates_.capacity() * sizeof(dates_[0]) + date_set_.memory_bytes() + spilled_days_.capacity() * sizeof(uint32_t);
}

}  // namespace vmt::ingest
