#include "ingest/partition_rows.h"

#include <cstdio>

#include "base/civil_time.h"

namespace vmt::ingest {

namespace {

constexpr int64_t kMsPerDay = 86400000;

}  // namespace

Month month_of(int64_t ts_ms) {
  int64_t y;
  unsigned m, d;
  civil_from_days(floor_days(ts_ms), &y, &m, &d);
  Month out;
  out.index = y * 12 + (m - 1);
  out.min_ts = days_from_civil(y, m, 1) * kMsPerDay;
  const int64_t ny = m == 12 ? y + 1 : y;
  const unsigned nm = m == 12 ? 1 : m + 1;
  out.max_ts = days_from_civil(ny, nm, 1) * kMsPerDay - 1;
  return out;
}

std::string Month::name() const {
  const int64_t y = index >= 0 ? index / 12 : (index - 11) / 12;
  const int64_t m = index - y * 12 + 1;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld_%02lld", static_cast<long long>(y), static_cast<long long>(m));
  return buf;
}

}  // namespace vmt::ingest
