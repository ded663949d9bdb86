// SeriesRegistry: the series of one import run, found by canonical name, so that every spelling of
// one series shares one TSID.
//
// Spec: metricname-tsid.md §4 (canonical MetricName), §5.3 (vmstorage's tsid cache is keyed by the
// exact MetricNameRaw; a miss canonicalises the name and looks it up), §6 (dates), §8 (tsid cache).
// The importer's rows arrive canonicalised by the parser threads (raw_name.h append_canonical),
// or already naming their series here when its text was seen before (series_text_index.h: the
// tsid cache's work, done once per series), so no raw spelling is kept here.
// A series is created the first time a canonical name that is unknown arrives; its TSID
// is settled later, in batches, by the importer (existing_index.h for series already in DIR, the
// MetricID counter for new ones), so that MetricIDs are given in input order whatever the threads do.
//
// Storage: canonical names live in one byte arena; an open-addressing table maps a 64-bit hash
// (computed by the parser threads) to the series, compared byte for byte. A row costs one probe
// and one memcmp; nothing is allocated per row.
// Days: every (series, UTC day) pair seen is recorded once (the per-day index items need them).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "base/coding.h"
#include "base/hash_slots.h"
#include "base/huge_array.h"
#include "base/status.h"
#include "metric/tsid.h"

namespace vmt::ingest {

// Where a series' TSID came from.
enum class SeriesOrigin : uint8_t {
  pending,  // not settled yet
  created,  // new: a fresh MetricID; global and per-day items are written
  curr,     // found by (date, name) in the curr generation: only missing per-day items are written
  prev,     // found in prev only: global and per-day items are written into curr, same TSID
};
const char* series_origin_name(SeriesOrigin o);

struct Series {
  uint64_t canonical_off = 0;
  uint32_t canonical_len = 0;
  uint32_t first_date = 0;             // UTC day of its first accepted sample: the ns 7 lookup key
  uint32_t last_date = UINT32_MAX;     // day of the last sample seen (fast path of note_date)
  SeriesOrigin origin = SeriesOrigin::pending;
  // The series of the accepted row just before this series' first row (UINT32_MAX: none, or the
  // first row of an input file): a new series with fewer than 2 tags takes JobID/InstanceID from
  // its TSID, as v1.93.7 does (see importer.cpp, resolve_pending).
  uint32_t inherit_from = UINT32_MAX;
  uint32_t spilled = 0;                // returning: 1 + where its days are in the registry's list
  metric::TSID tsid;                   // valid once origin != pending
  // Found among the series this import spilled (series_spill.h: over --mem-limit, the registry is
  // written out and started afresh): settled from there, its global items and the per-day items of
  // its spilled_days() written already.
  bool returning() const { return spilled != 0; }
};

class SeriesRegistry {
 public:
  // `tenancy`: the canonical names (and so the index items) are laid out for this storage.
  explicit SeriesRegistry(metric::Tenancy tenancy);
  metric::Tenancy tenancy() const { return tenancy_; }

  // The series of a canonical name (MetricName.Marshal of sorted tags, as ns 3 stores it; hash =
  // metric::xxhash64(canonical)), created when unknown; *created tells. `date` becomes a new
  // series' first_date.
  uint32_t find_or_add(ByteView canonical, uint64_t hash, uint32_t date, bool* created);
  // The same, hashing the name here: for names read back from a storage.
  uint32_t find_or_add_canonical(ByteView canonical, uint32_t date, bool* created);
  // The series of a canonical name, or -1.
  int64_t find(ByteView canonical, uint64_t hash) const;

  // Records that series `id` has a sample on `date`; true the first time the pair is seen.
  bool note_date(uint32_t id, uint32_t date) {
    Series& s = series_[id];
    if (s.last_date == date) return false;
    s.last_date = date;
    return note_date_slow(id, date);
  }

  size_t size() const { return series_.size(); }
  Series& at(uint32_t id) { return series_[id]; }
  const Series& at(uint32_t id) const { return series_[id]; }
  ByteView canonical(uint32_t id) const {
    return ByteView(canon_arena_.data() + series_[id].canonical_off, series_[id].canonical_len);
  }
  // Where the names are: canonical(id) is canonical_off bytes into it (for sorting them in place).
  const char* canonical_base() const { return canon_arena_.data(); }
  // Every (series, date) pair in the order first seen.
  const std::vector<std::pair<uint32_t, uint32_t>>& dates() const { return dates_; }

  // Series `id` found among the spilled series (series_spill.h): settled with `tsid` and `origin`,
  // returning, with the days already indexed (ascending).
  void set_returning(uint32_t id, const metric::TSID& tsid, SeriesOrigin origin, std::span<const uint32_t> days);
  // The days a returning series had indexed before (empty for the others).
  std::span<const uint32_t> spilled_days(uint32_t id) const {
    const uint32_t at = series_[id].spilled;
    if (at == 0) return {};
    return std::span<const uint32_t>(spilled_days_.data() + at, spilled_days_[at - 1]);
  }
  bool spilled_on(uint32_t id, uint32_t date) const {
    const auto days = spilled_days(id);
    return std::binary_search(days.begin(), days.end(), date);
  }
  // Forgets every series and day (the importer spilled them). The tables go back to the heap; the
  // names and series arrays keep their pages, as the next generation fills them again at once
  // (up to the same share): mapped afresh, each page would be zeroed by the kernel again.
  void clear();

  uint64_t memory_bytes() const;

 private:
  // The (series, date) pairs seen, as id << 32 | date: open addressing over the keys themselves
  // (8 bytes a slot, at most 3/4 full), a tenth of a node-based set's memory at millions of pairs.
  class PairSet {
   public:
    PairSet() : slots_(1024, kEmpty) {}
    bool insert(uint64_t key);  // true when new
    uint64_t memory_bytes() const { return slots_.capacity() * sizeof(uint64_t); }

   private:
    static constexpr uint64_t kEmpty = UINT64_MAX;  // no series has id UINT32_MAX
    std::vector<uint64_t> slots_;
    size_t used_ = 0;
  };

  bool note_date_slow(uint32_t id, uint32_t date);

  // Names and series grown in place: no copy (and no doubled peak) as they grow.
  HugeVector<char> canon_arena_;
  HugeVector<Series> series_;
  HashSlots canon_index_;   // canonical name -> series_
  PairSet date_set_;
  std::vector<std::pair<uint32_t, uint32_t>> dates_;
  std::vector<uint32_t> spilled_days_;  // per returning series: its day count, then the days
  metric::Tenancy tenancy_;
};

}  // namespace vmt::ingest
