// Fuzz target: the series selector parser (query/selector.h) and matching.
// Properties: never crash or throw; a parsed selector has at least one branch, every regexp
// filter carries its compiled regexp, and matching any name (here: one built from the input's
// bytes) terminates; a parse error names an offset inside the input.
#include <cstdint>
#include <string>

#include "query/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto s = vmt::query::parse_selector(text);
  if (!s.is_ok()) {
    const std::string& m = s.status().message();
    // selector "TEXT": offset N: what
    const std::string head = "selector \"" + text + "\": offset ";
    if (m.compare(0, head.size(), head) != 0) __builtin_trap();
    size_t off = 0, i = head.size();
    if (i >= m.size() || m[i] < '0' || m[i] > '9') __builtin_trap();
    for (; i < m.size() && m[i] >= '0' && m[i] <= '9'; ++i) off = off * 10 + size_t(m[i] - '0');
    if (off > size) __builtin_trap();
    return 0;
  }
  if (s->branches.empty()) __builtin_trap();
  vmt::metric::MetricName mn;
  mn.metric_group = text.substr(0, size / 2);
  for (const auto& b : s->branches) {
    for (const auto& m : b.matchers) {
      if ((m.op == vmt::query::Matcher::kRe || m.op == vmt::query::Matcher::kNre) && !m.re) __builtin_trap();
      mn.tags.push_back({m.label, text.substr(size / 2)});
    }
  }
  (void)s->matches(mn);
  return 0;
}
