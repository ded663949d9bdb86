#include "ingest/series_registry.h"

#include <cstring>

#include "metric/metric_name.h"
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

SeriesRegistry::SeriesRegistry(metric::Tenancy tenancy) : raw_index_(1024), canon_index_(1024), tenancy_(tenancy) {}

int64_t SeriesRegistry::find(ByteView raw, uint64_t hash) const {
  const uint32_t ref = raw_index_.find(hash, [&](uint32_t r) {
    const RawEntry& e = raw_entries_[r - 1];
    return e.len == raw.size() && std::memcmp(raw_arena_.data() + e.off, raw.data(), raw.size()) == 0;
  });
  return ref ? int64_t(raw_entries_[ref - 1].series) : -1;
}

Result<uint32_t> SeriesRegistry::find_or_add(ByteView raw, uint64_t hash, uint32_t date, bool* created) {
  *created = false;
  size_t pos = 0;
  const uint32_t ref = raw_index_.find(hash, [&](uint32_t r) {
    const RawEntry& e = raw_entries_[r - 1];
    return e.len == raw.size() && std::memcmp(raw_arena_.data() + e.off, raw.data(), raw.size()) == 0;
  }, &pos);
  if (ref) return raw_entries_[ref - 1].series;

  // A new raw name: canonicalise it (MetricName.UnmarshalRaw + sortTags + Marshal) and look the
  // canonical form up; another spelling of the same series (label order, duplicate labels) joins it.
  VMT_ASSIGN_OR_RETURN(metric::MetricName mn, metric::MetricName::decode_raw(raw));
  mn.sort_tags();
  scratch_.clear();
  mn.encode_canonical(scratch_, tenancy_);
  const uint32_t id = find_or_add_canon(scratch_, date, created);
  raw_entries_.push_back(RawEntry{raw_arena_.size(), uint32_t(raw.size()), id});
  raw_arena_.append(raw.data(), raw.size());
  raw_index_.insert_at(pos, hash, uint32_t(raw_entries_.size()));
  return id;
}

uint32_t SeriesRegistry::find_or_add_canon(ByteView canon, uint32_t date, bool* created) {
  const uint64_t chash = metric::xxhash64(canon);
  size_t pos = 0;
  const uint32_t ref = canon_index_.find(chash, [&](uint32_t r) { return canonical(r - 1) == canon; }, &pos);
  if (ref) return ref - 1;
  Series ser;
  ser.canonical_off = canon_arena_.size();
  ser.canonical_len = uint32_t(canon.size());
  ser.first_date = date;
  canon_arena_.append(canon.data(), canon.size());
  const uint32_t id = uint32_t(series_.size());
  series_.push_back(ser);
  canon_index_.insert_at(pos, chash, id + 1);
  *created = true;
  return id;
}

uint32_t SeriesRegistry::find_or_add_canonical(ByteView canon, uint32_t date, bool* created) {
  *created = false;
  return find_or_add_canon(canon, date, created);
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

uint64_t SeriesRegistry::memory_bytes() const {
  return raw_arena_.committed_bytes() + canon_arena_.committed_bytes() + raw_entries_.committed_bytes() +
         raw_index_.memory_bytes() + canon_index_.memory_bytes() + series_.committed_bytes() +
         dates_.capacity() * sizeof(dates_[0]) + date_set_.memory_bytes();
}

}  // namespace vmt::ingest
