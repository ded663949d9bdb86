#include "storage/legacy_part_name.h"

#include <cmath>
#include <limits>

namespace vmt::storage {

namespace {

bool parse_u64_decimal(ByteView s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = uint64_t(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool fixed_digits(ByteView s, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

}  // namespace

Result<PartHeader> parse_legacy_part_name(ByteView name) {
  ByteView parts[5];
  size_t n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '_') {
      if (n == 5) return corruption("legacy part name \"" + std::string(name) + "\" has more than 5 '_'-separated fields");
      parts[n++] = name.substr(start, i - start);
      start = i + 1;
    }
  }
  if (n != 5) {
    return corruption("legacy part name \"" + std::string(name) + "\" has " + std::to_string(n) +
                      " '_'-separated fields; want 5");
  }
  PartHeader ph;
  if (!parse_u64_decimal(parts[0], &ph.rows_count)) {
    return corruption("cannot parse RowsCount from legacy part name \"" + std::string(name) + "\"");
  }
  if (!parse_u64_decimal(parts[1], &ph.blocks_count)) {
    return corruption("cannot parse BlocksCount from legacy part name \"" + std::string(name) + "\"");
  }
  VMT_ASSIGN_OR_RETURN_CTX(ph.min_timestamp, parse_legacy_timestamp(parts[2]), "MinTimestamp of legacy part name \"" + std::string(name) + "\"");
  VMT_ASSIGN_OR_RETURN_CTX(ph.max_timestamp, parse_legacy_timestamp(parts[3]), "MaxTimestamp of legacy part name \"" + std::string(name) + "\"");
  VMT_TRY_CTX(ph.validate(), "legacy part name \"" + std::string(name) + "\"");
  return ph;
}

Result<int64_t> parse_legacy_timestamp(ByteView s) {
  // time.Parse("20060102150405.000", s): fixed widths, exactly 3 fractional digits, UTC.
  int y, mo, d, h, mi, sec, ms;
  if (s.size() != 18 || s[14] != '.' || !fixed_digits(s, 0, 4, &y) || !fixed_digits(s, 4, 2, &mo) ||
      !fixed_digits(s, 6, 2, &d) || !fixed_digits(s, 8, 2, &h) || !fixed_digits(s, 10, 2, &mi) ||
      !fixed_digits(s, 12, 2, &sec) || !fixed_digits(s, 15, 3, &ms)) {
    return corruption("cannot parse \"" + std::string(s) + "\" as YYYYMMDDhhmmss.mmm");
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int month_days = (mo >= 1 && mo <= 12) ? kDays[mo - 1] + (mo == 2 && leap ? 1 : 0) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > month_days || h > 23 || mi > 59 || sec > 59) {
    return corruption("timestamp \"" + std::string(s) + "\" is out of range");
  }
  const int64_t days = days_from_civil(y, unsigned(mo), unsigned(d));
  return ((days * 24 + h) * 60 + mi) * 60000 + int64_t(sec) * 1000 + ms;
}

Result<int64_t> parse_duration_ms(ByteView s) {
  // Go time.Duration.String() output ("1m0s", "1h2m3.5s", "500ms", "0s") and the Prometheus
  // forms metricsql.DurationValue also accepts ("1d", "1w", "1y"). Surrounding whitespace is
  // tolerated (a hand-edited file may end in a newline).
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  const std::string text(s);
  if (s.empty()) return corruption("cannot parse an empty duration");
  bool neg = false;
  if (s[0] == '-') { neg = true; s.remove_prefix(1); }
  double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    double num = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') { num = num * 10 + (s[i] - '0'); ++i; digits = true; }
    if (i < s.size() && s[i] == '.') {
      ++i;
      double scale = 0.1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') { num += (s[i] - '0') * scale; scale /= 10; ++i; digits = true; }
    }
    if (!digits) return corruption("cannot parse duration \"" + text + "\"");
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    const ByteView unit = s.substr(0, u);
    s.remove_prefix(u);
    double mult;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1e3;
    else if (unit == "m") mult = 60e3;
    else if (unit == "h") mult = 3600e3;
    else if (unit == "d") mult = 86400e3;
    else if (unit == "w") mult = 7 * 86400e3;
    else if (unit == "y") mult = 365 * 86400e3;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1e-3;
    else if (unit == "ns") mult = 1e-6;
    else return corruption("cannot parse duration \"" + text + "\": unknown unit \"" + std::string(unit) + "\"");
    total += num * mult;
  }
  if (!(total < 9.2e18)) return corruption("duration \"" + text + "\" is too large");
  const int64_t ms = int64_t(std::floor(total + 1e-9));
  return neg ? -ms : ms;
}

}  // namespace vmt::storage
