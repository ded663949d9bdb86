#include "ops/import_args.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace vmt::ops {

Result<uint64_t> parse_byte_size(const std::string& s) {
  auto bad = [&] { return invalid_argument("invalid size \"" + s + "\": want e.g. 268435456, 256MiB, 1.5GB"); };
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0 || i > 40) return bad();
  const std::string num = s.substr(0, i), unit = s.substr(i);
  if (num.front() == '.' || num.back() == '.' || num.find('.') != num.rfind('.')) return bad();
  char* end = nullptr;
  const double v = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size()) return bad();
  static const struct { const char* name; double mult; } kUnits[] = {
      {"", 1},       {"KB", 1e3},           {"MB", 1e6},           {"GB", 1e9},           {"TB", 1e12},
      {"KiB", 1024}, {"MiB", 1048576.0},    {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
  };
  for (const auto& u : kUnits) {
    if (unit != u.name) continue;
    const double bytes = v * u.mult;
    if (!(bytes < 9.2e18)) return bad();
    return uint64_t(bytes);
  }
  return bad();
}

Result<uint64_t> parse_mem_limit(const std::string& s, uint64_t min_bytes) {
  VMT_ASSIGN_OR_RETURN(uint64_t bytes, parse_byte_size(s));
  if (bytes >= min_bytes) return bytes;
  const std::string min = min_bytes % (1u << 20) == 0 ? std::to_string(min_bytes >> 20) + "MiB"
                                                       : std::to_string(min_bytes >> 10) + "KiB";
  return invalid_argument("--mem-limit must be at least " + min);
}

Result<uint64_t> parse_uint64(const std::string& s, const char* what) {
  uint64_t v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) {
    return invalid_argument(std::string("invalid ") + what + " \"" + s + "\": want an unsigned decimal integer");
  }
  return v;
}

}  // namespace vmt::ops
