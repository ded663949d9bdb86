// Series selectors: the `match[]` argument of the server's API, parsed and matched against names.
//
// Syntax (MetricsQL's series selector, app/vmselect/searchutils.ParseMetricSelector at v1.93.7):
//   selector := [name] '{' [filters] '}' | name
//   filters  := filter { ',' filter } [','] { 'or' filter { ',' filter } [','] }
//   filter   := label ('=' | '!=' | '=~' | '!~') string
//   string   := "..." (Go escapes) | '...' (Go escapes) | `...` (raw)
//   name, label := [A-Za-z_:] [A-Za-z0-9_:.]*   ('\' escapes any one character); '#' starts a comment
// A name before the braces is the filter __name__="name" of every `or` branch.
//
// Semantics (Prometheus', as lib/storage/tag_filters.go implements them): a label the series lacks
// has the value ""; regexps are RE2 (Go's syntax), anchored at both ends, '.' not matching '\n';
// a branch without filters is {__name__!=""}; the selector matches when any branch matches, a
// branch when all its filters do.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "metric/metric_name.h"
#include "query/go_unquote.h"

namespace re2 {
class RE2;
}

namespace vmt::query {

struct Matcher {
  enum Op { kEq, kNeq, kRe, kNre };
  std::string label;  // "__name__" for the metric name
  Op op = kEq;
  std::string value;
  std::shared_ptr<const re2::RE2> re;  // kRe, kNre

  bool is_name() const { return label == "__name__"; }
  bool negative() const { return op == kNeq || op == kNre; }
  // Whether the label's value v ("" when the series lacks the label) satisfies the filter.
  bool matches(std::string_view v) const;
  // The filter's positive form holds for v: equality or regexp match, whatever the negation.
  bool positive_matches(std::string_view v) const;
  // `name="value"`, `name=~"re"`, ... with the value quoted as the server prints it.
  std::string to_string() const;
};

// One `or` branch: every filter must hold.
struct Conjunction {
  std::vector<Matcher> matchers;
  bool matches(const metric::MetricName& mn) const;
};

struct Selector {
  std::string text;  // as given
  std::vector<Conjunction> branches;
  bool matches(const metric::MetricName& mn) const;
};

// Parses one selector; errors name the offset: `selector "x{": offset 2: expected a label name`.
Result<Selector> parse_selector(std::string_view text);

// Several selectors OR-ed, like repeated match[]: a name matches when any selector does, and an
// empty list matches everything.
bool matches_any(const std::vector<Selector>& sels, const metric::MetricName& mn);

}  // namespace vmt::query
