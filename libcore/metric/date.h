// Day and hour numbers of a sample timestamp (int64 milliseconds since the Unix epoch, UTC).
//
// Spec: metricname-tsid.md §6. Go divides the timestamp converted to uint64, so a negative
// timestamp maps to a huge day number, not to a negative one (vmstorage never stores those rows).
//   date = uint64(ts) / 86_400_000       e.g. 1698840000000 (2023-11-01T12:00Z) -> 19662
//   hour = uint64(ts) / 3_600_000
// Per-day index entries use the SAMPLE's date. Date 0 means "global index" in search helpers.
#pragma once

#include <cstdint>

namespace vmt::metric {

constexpr uint64_t kMsecPerDay = 86'400'000;
constexpr uint64_t kMsecPerHour = 3'600'000;

constexpr uint64_t date_of(int64_t ts_ms) { return static_cast<uint64_t>(ts_ms) / kMsecPerDay; }
constexpr uint64_t hour_of(int64_t ts_ms) { return static_cast<uint64_t>(ts_ms) / kMsecPerHour; }

// Dates a [min_ts, max_ts] query range touches: minDate = min/day, maxDate = (max - 1)/day.
constexpr uint64_t min_date_of_range(int64_t min_ts) { return date_of(min_ts); }
constexpr uint64_t max_date_of_range(int64_t max_ts) {
  return (static_cast<uint64_t>(max_ts) - 1) / kMsecPerDay;  // Go: uint64(max-1), wrapping
}

}  // namespace vmt::metric
