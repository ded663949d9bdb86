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

SeriesRegistry::SeriesRegistry(metric::Tenancy tenancy) : raw_table_(1024), canon_table_(1024), tenancy_(tenancy) {}

void SeriesRegistry::grow(std::vector<Slot>& table) {
  std::vector<Slot> bigger(table.size() * 2);
  for (const Slot& s : table) {
    if (s.ref == 0) continue;
    size_t i = probe_start(bigger, s.hash);
    while (bigger[i].ref != 0) i = (i + 1) & (bigger.size() - 1);
    bigger[i] = s;
  }
  table.swap(bigger);
}

int64_t SeriesRegistry::find(ByteView raw, uint64_t hash) const {
  const size_t mask = raw_table_.size() - 1;
  for (size_t i = probe_start(raw_table_, hash);; i = (i + 1) & mask) {
    const Slot& s = raw_table_[i];
    if (s.ref == 0) return -1;
    if (s.hash != hash) continue;
    const RawEntry& e = raw_entries_[s.ref - 1];
    if (e.len == raw.size() && std::memcmp(raw_arena_.data() + e.off, raw.data(), raw.size()) == 0) return e.series;
  }
}

Result<uint32_t> SeriesRegistry::find_or_add(ByteView raw, uint64_t hash, uint32_t date, bool* created) {
  *created = false;
  const size_t mask = raw_table_.size() - 1;
  size_t i = probe_start(raw_table_, hash);
  for (;; i = (i + 1) & mask) {
    const Slot& s = raw_table_[i];
    if (s.ref == 0) break;
    if (s.hash != hash) continue;
    const RawEntry& e = raw_entries_[s.ref - 1];
    if (e.len == raw.size() && std::memcmp(raw_arena_.data() + e.off, raw.data(), raw.size()) == 0) return e.series;
  }

  // A new raw name: canonicalise it (MetricName.UnmarshalRaw + sortTags + Marshal) and look the
  // canonical form up; another spelling of the same series (label order, duplicate labels) joins it.
  VMT_ASSIGN_OR_RETURN(metric::MetricName mn, metric::MetricName::decode_raw(raw));
  mn.sort_tags();
  scratch_.clear();
  mn.encode_canonical(scratch_, tenancy_);
  const uint32_t id = find_or_add_canon(scratch_, date, created);
  raw_entries_.push_back(RawEntry{raw_arena_.size(), uint32_t(raw.size()), id});
  raw_arena_.append(raw);
  raw_table_[i] = Slot{hash, uint32_t(raw_entries_.size())};
  if (raw_entries_.size() * 2 > raw_table_.size()) grow(raw_table_);
  return id;
}

uint32_t SeriesRegistry::find_or_add_canon(ByteView canon, uint32_t date, bool* created) {
  const uint64_t chash = metric::xxhash64(canon);
  const size_t cmask = canon_table_.size() - 1;
  size_t j = probe_start(canon_table_, chash);
  for (;; j = (j + 1) & cmask) {
    const Slot& s = canon_table_[j];
    if (s.ref == 0) break;
    if (s.hash == chash && canonical(s.ref - 1) == canon) return s.ref - 1;
  }
  Series ser;
  ser.canonical_off = canon_arena_.size();
  ser.canonical_len = uint32_t(canon.size());
  ser.first_date = date;
  canon_arena_.append(canon);
  const uint32_t id = uint32_t(series_.size());
  series_.push_back(ser);
  canon_table_[j] = Slot{chash, id + 1};
  if (series_.size() * 2 > canon_table_.size()) grow(canon_table_);
  *created = true;
  return id;
}

uint32_t SeriesRegistry::find_or_add_canonical(ByteView canon, uint32_t date, bool* created) {
  *created = false;
  return find_or_add_canon(canon, date, created);
}

bool SeriesRegistry::note_date_slow(uint32_t id, uint32_t date) {
  if (!date_set_.insert((uint64_t(id) << 32) | date).second) return false;
  dates_.emplace_back(id, date);
  return true;
}

uint64_t SeriesRegistry::memory_bytes() const {
  return raw_arena_.capacity() + canon_arena_.capacity() + raw_entries_.capacity() * sizeof(RawEntry) +
         (raw_table_.size() + canon_table_.size()) * sizeof(Slot) + series_.capacity() * sizeof(Series) +
         dates_.capacity() * sizeof(dates_[0]) + date_set_.size() * 32 + date_set_.bucket_count() * 8;
}

}  // namespace vmt::ingest
