#include "ops/args.h"

#include "base/civil_time.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace vmt::ops {

namespace {

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

bool parse_ymd(std::string_view s, int64_t* days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  uint64_t y, m, d;
  if (!parse_u64(s.substr(0, 4), &y) || !parse_u64(s.substr(5, 2), &m) || !parse_u64(s.substr(8, 2), &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  *days = days_from_civil(int64_t(y), unsigned(m), unsigned(d));
  return true;
}

}  // namespace

Result<Tenant> parse_tenant(const std::string& s) {
  Tenant t;
  size_t colon = s.find(':');
  uint64_t a = 0, p = 0;
  std::string_view sv(s);
  bool ok = colon == std::string::npos ? parse_u64(sv, &a)
                                       : parse_u64(sv.substr(0, colon), &a) && parse_u64(sv.substr(colon + 1), &p);
  if (!ok || a > UINT32_MAX || p > UINT32_MAX) {
    return invalid_argument("invalid tenant \"" + s + "\": want accountID[:projectID], e.g. 0 or 42:7");
  }
  t.account_id = uint32_t(a);
  t.project_id = uint32_t(p);
  return t;
}

Result<uint64_t> parse_date(const std::string& s) {
  int64_t days;
  if (!parse_ymd(s, &days) || days < 0) return invalid_argument("invalid date \"" + s + "\": want YYYY-MM-DD");
  return uint64_t(days);
}

std::string format_date(uint64_t day) {
  int64_t y;
  unsigned m, d;
  civil_from_days(int64_t(day), &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string format_time_ms(int64_t ms) {
  int64_t days = floor_days(ms);
  int64_t rem = ms - days * 86400000;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600000), static_cast<long long>(rem / 60000 % 60),
                static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
  return buf;
}

Result<int64_t> parse_time_ms(const std::string& s) {
  auto bad = [&] {
    return invalid_argument("invalid time \"" + s +
                            "\": want RFC3339 (2023-11-01T00:00:00Z) or a prefix of it (YYYY, YYYY-MM, YYYY-MM-DD, "
                            "YYYY-MM-DDTHH[:MM]), unix seconds (milliseconds from 2^32 on), <N>ms, now, or -1h (before now)");
  };
  std::string_view sv(s);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  // As /api/v1/export reads start and end (lib/promutils ParseTimeAt): "now", and a duration
  // before now ("-1h", "1h", "now-1h30m").
  if (sv == "now") return now_ms;
  const bool ms_suffix = sv.size() > 2 && sv.substr(sv.size() - 2) == "ms" &&
                         sv.find_first_not_of("-0123456789") == sv.size() - 2;
  const bool duration_like = !sv.empty() && std::isalpha(static_cast<unsigned char>(sv.back())) && sv.back() != 'Z' &&
                             sv.find(':') == std::string_view::npos && sv.find('-', 1) == std::string_view::npos;
  if (sv.rfind("now", 0) == 0 || (duration_like && !ms_suffix)) {
    std::string_view rel = sv.substr(sv.rfind("now", 0) == 0 ? 3 : 0);
    if (!rel.empty() && (rel[0] == '-' || rel[0] == '+')) rel.remove_prefix(1);
    if (rel.empty()) return now_ms;
    Result<int64_t> d = parse_duration_ms(std::string(rel), false);
    if (!d.is_ok()) return bad();  // a time flag: say what a time may be, not only a duration
    return now_ms - *d;
  }
  if (sv.size() > 2 && sv.substr(sv.size() - 2) == "ms") {
    std::string_view num = sv.substr(0, sv.size() - 2);
    bool neg = !num.empty() && num[0] == '-';
    uint64_t v;
    if (!parse_u64(neg ? num.substr(1) : num, &v) || v > uint64_t(INT64_MAX)) return bad();
    return neg ? -int64_t(v) : int64_t(v);
  }
  // YYYY and YYYY-MM: the first instant of that year or month, UTC.
  if (sv.size() == 4 || (sv.size() == 7 && sv[4] == '-')) {
    uint64_t y = 0, m = 1;
    if (!parse_u64(sv.substr(0, 4), &y) || (sv.size() == 7 && (!parse_u64(sv.substr(5, 2), &m) || m < 1 || m > 12))) return bad();
    return days_from_civil(int64_t(y), unsigned(m), 1) * 86400000;
  }
  int64_t days;
  if (sv.size() >= 10 && parse_ymd(sv.substr(0, 10), &days)) {
    int64_t ms = days * 86400000;
    if (sv.size() == 10) return ms;
    // THH[:MM[:SS[.fff]]][Z|±HH:MM] (the short forms as ParseTimeAt reads them)
    if (sv.size() < 13 || (sv[10] != 'T' && sv[10] != ' ')) return bad();
    uint64_t hh = 0, mm = 0, ss = 0;
    const bool has_mm = sv.size() >= 16 && sv[13] == ':';
    const bool has_ss = has_mm && sv.size() >= 19 && sv[16] == ':';
    if (!parse_u64(sv.substr(11, 2), &hh) || (has_mm && !parse_u64(sv.substr(14, 2), &mm)) ||
        (has_ss && !parse_u64(sv.substr(17, 2), &ss)) || hh > 23 || mm > 59 || ss > 60) {
      return bad();
    }
    ms += int64_t(hh * 3600000 + mm * 60000 + ss * 1000);
    size_t i = has_ss ? 19 : has_mm ? 16 : 13;
    if (i < sv.size() && sv[i] == '.') {
      ++i;
      int64_t frac = 0, scale = 100;
      while (i < sv.size() && sv[i] >= '0' && sv[i] <= '9') {
        frac += (sv[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      ms += frac;
    }
    if (i == sv.size()) return ms;  // no zone: UTC
    if (sv[i] == 'Z' && i + 1 == sv.size()) return ms;
    if ((sv[i] == '+' || sv[i] == '-') && sv.size() == i + 6 && sv[i + 3] == ':') {
      uint64_t oh, om;
      if (!parse_u64(sv.substr(i + 1, 2), &oh) || !parse_u64(sv.substr(i + 4, 2), &om)) return bad();
      int64_t off = int64_t(oh * 3600000 + om * 60000);
      return sv[i] == '+' ? ms - off : ms + off;
    }
    return bad();
  }
  // Unix seconds, possibly fractional; from 2^32 on, milliseconds (as ParseTimeAt: no date in
  // seconds is that large, every date in milliseconds since 1970-02-19 is).
  char* end = nullptr;
  double secs = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(secs) || std::fabs(secs) > 9.2e18) return bad();
  if (secs >= 4294967296.0) return int64_t(std::llround(secs));
  if (std::fabs(secs) > 9.2e15) return bad();
  return int64_t(std::llround(secs * 1000));
}

Result<int64_t> parse_retention_ms(const std::string& s) {
  VMT_ASSIGN_OR_RETURN(int64_t ms, parse_duration_ms(s, true));
  if (ms < 24 * 3600 * 1000LL) {
    // vmstorage: "-retentionPeriod cannot be smaller than a day; got 0".
    return invalid_argument("--retention " + s + " is shorter than one day, vmstorage's minimum "
                            "(-retentionPeriod cannot be smaller than a day); 100y keeps everything");
  }
  return ms;
}

Result<int64_t> parse_duration_ms(const std::string& s, bool bare_months) {
  auto bad = [&] {
    return invalid_argument("invalid duration \"" + s + "\": want e.g. 15s, 5m, 1h30m, 2h, 30d, 1w, 1y" +
                            (bare_months ? " or a bare number of months" : ""));
  };
  if (s.empty()) return bad();
  // A sequence of <number><unit> (Go's time.ParseDuration, plus VictoriaMetrics' d, w and y); a
  // lone bare number is months of 31 days where bare_months (-retentionPeriod).
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start) return bad();
    const std::string num = s.substr(start, i - start);
    char* end = nullptr;
    const double v = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size()) return bad();
    const size_t ustart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    const std::string unit = s.substr(ustart, i - ustart);
    double mult;
    if (unit.empty()) {
      if (!bare_months || start != 0) return bad();
      mult = 31.0 * 86400000;
    } else if (unit == "ms") {
      mult = 1;
    } else if (unit == "s") {
      mult = 1000;
    } else if (unit == "m") {
      mult = 60000;
    } else if (unit == "h") {
      mult = 3600000;
    } else if (unit == "d") {
      mult = 86400000;
    } else if (unit == "w") {
      mult = 7.0 * 86400000;
    } else if (unit == "y") {
      mult = 365.0 * 86400000;
    } else {
      return bad();
    }
    total += v * mult;
  }
  if (total > 9.2e18) return bad();
  return int64_t(total);
}

Result<std::optional<layout::Flavour>> parse_target_flag(const std::string& s) {
  if (s.empty()) return std::optional<layout::Flavour>();
  VMT_ASSIGN_OR_RETURN(layout::Flavour f, layout::parse_target(s));
  return std::optional<layout::Flavour>(f);
}

}  // namespace vmt::ops
