#include "layout/flavour.h"

#include <charconv>

namespace vmt::layout {

namespace {

bool parse_uint(std::string_view s, unsigned* out) {
  if (s.empty() || s.size() > 6) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

const char* index_layout_name(IndexLayout l) {
  return l == IndexLayout::kGenerations ? "generations" : "per-partition";
}

std::string Flavour::to_string() const {
  return std::string(per_partition_index() ? "v1.133+ " : "v1.93 ") + metric::tenancy_name(tenancy);
}

std::string supported_targets() {
  return "v1.93.x, v1.136.x, v1.148.x (single-node), the same with -cluster (e.g. v1.93.7-cluster)";
}

Result<Flavour> parse_target(const std::string& release) {
  auto bad = [&](const std::string& why) {
    return invalid_argument("--target \"" + release + "\": " + why + "; supported: " + supported_targets());
  };
  std::string_view s(release);
  Flavour f;
  f.tenancy = metric::Tenancy::kSingle;
  if (s.size() > 8 && s.substr(s.size() - 8) == "-cluster") {
    f.tenancy = metric::Tenancy::kCluster;
    s.remove_suffix(8);
  }
  if (!s.empty() && s[0] == 'v') s.remove_prefix(1);
  unsigned part[3] = {0, 0, 0};
  size_t n = 0;
  while (n < 3) {
    const size_t dot = s.find('.');
    if (!parse_uint(s.substr(0, dot), &part[n])) return bad("not a release like v1.148.2 or 1.93-cluster");
    ++n;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
    if (n == 3) return bad("not a release like v1.148.2 or 1.93-cluster");
  }
  if (n < 2) return bad("not a release like v1.148.2 or 1.93-cluster");
  if (part[0] != 1 || (part[1] != 93 && part[1] != 136 && part[1] != 148)) {
    return bad("release line " + std::to_string(part[0]) + "." + std::to_string(part[1]) + " is not supported");
  }
  f.index = part[1] >= 133 ? IndexLayout::kPerPartition : IndexLayout::kGenerations;
  return f;
}

}  // namespace vmt::layout
