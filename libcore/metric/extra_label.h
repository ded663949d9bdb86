// --extra-label NAME=VALUE: a label appended to every row, as vminsert's extra_label query arg
// (lib/httpserver/.../GetExtraLabels at v1.93.7: split at the first '='; no '=' is an error).
// An empty NAME names the metric (the label's name is "" in MetricNameRaw, as in VM); an empty
// VALUE makes the label skipped (InsertCtx.AddLabel drops empty values). One parser for the
// import and the route tools.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace vmt::metric {

struct ExtraLabel {
  std::string name;
  std::string value;
  bool operator==(const ExtraLabel& o) const = default;
};

inline Result<ExtraLabel> parse_extra_label(std::string_view s) {
  const size_t eq = s.find('=');
  if (eq == std::string_view::npos) {
    return invalid_argument("--extra-label must have the form name=value; got \"" + std::string(s) + "\"");
  }
  return ExtraLabel{std::string(s.substr(0, eq)), std::string(s.substr(eq + 1))};
}

}  // namespace vmt::metric
