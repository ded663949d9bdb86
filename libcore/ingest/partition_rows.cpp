#include "ingest/partition_rows.h"

#include <cstdio>

namespace vmt::ingest {

namespace {

// Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, UTC).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t* y, unsigned* m) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

constexpr int64_t kMsPerDay = 86400000;

}  // namespace

Month month_of(int64_t ts_ms) {
  const int64_t days = ts_ms >= 0 ? ts_ms / kMsPerDay : (ts_ms - (kMsPerDay - 1)) / kMsPerDay;
  int64_t y;
  unsigned m;
  civil_from_days(days, &y, &m);
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
