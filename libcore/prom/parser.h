// One line of Prometheus text exposition, parsed exactly as VictoriaMetrics v1.93.7 parses it.
//
// Spec: prometheus-text.md §4-§8 and the table of §12. Go: lib/protoparser/prometheus/parser.go
// (unmarshalRow, Row.unmarshal, unmarshalTags, findClosingQuote, unescapeValue).
//
//   line     := [ws] ( "" | '#' anything | sample ) [CR]         only ' ' and '\t' are whitespace
//   sample   := metric [ws] '{' tags '}' [' '] rest  |  metric (' '|'\t') rest
//   rest     := [ws] value [ws timestamp] [ws]  ['#' anything]    trailing comment after the value
//   tags     := ( [ws] key [ws] '=' [ws] '"' escaped '"' [ws] (',' | '}') )*   trailing ',' allowed
//
// The grammar is far more permissive than Prometheus': the metric name and tag keys are not
// validated, the FIRST '{' on the line opens the tag set (so an exemplar after a bare sample makes a
// garbage series, §5), tags with an empty key are dropped, tags with an empty value are kept.
// Values and timestamps use fastfloat (fastfloat.h). A timestamp t in [-2^31, 2^31) is taken as
// seconds and multiplied by 1000; the float -> int64 conversion truncates, and NaN / out-of-range
// values give INT64_MIN as on amd64. A timestamp of 0 (or none) means "use the default" (§7).
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "metric/metric_name.h"

namespace vmt::prom {

// A parsed sample. Every view points into the line or into the ParseScratch given to parse_line,
// and is valid until the next parse_line call with the same scratch (or until the line dies).
struct Row {
  ByteView metric;                    // never empty for a sample
  std::vector<metric::Label> tags;    // line order; duplicates and empty values kept
  double value = 0;
  int64_t timestamp = 0;              // milliseconds, after the seconds heuristic; 0 if absent
  bool has_timestamp = false;         // a timestamp token was present (it may still be 0)

  // VM replaces a missing timestamp and one that is exactly 0 by the default (§7).
  int64_t timestamp_or(int64_t default_ts) const { return timestamp != 0 ? timestamp : default_ts; }
};

// Reused across lines: holds unescaped tag values. No allocation in steady state.
struct ParseScratch {
  Bytes arena;
};

// Parses one line (without its '\n'; one trailing '\r' is dropped here).
//   ok                         row holds a sample
//   is_skip(status)            blank line or comment (VM skips it silently)
//   invalid_argument           a malformed line (VM logs it and skips it); the message is VM's
//                              reason, e.g. `cannot parse value "1.2.3"`; the caller adds file:line
// row is overwritten in every case.
Status parse_line(ByteView line, Row& row, ParseScratch& scratch);

// A timestamp token as parse_line reads it (§7): fastfloat, then the seconds rule (|t| < 2^31 is
// seconds, times 1000). nullptr with the milliseconds as a double, or why the token does not parse.
const char* parse_timestamp_ms(ByteView token, double* ms);
// Go's int64(float64) on amd64 (CVTTSD2SQ): truncation; NaN and out-of-range give INT64_MIN.
int64_t go_float_to_int64(double t);

// The status parse_line returns for a blank or comment line (code not_found, message "skip").
inline bool is_skip(const Status& s) { return s.code() == Code::not_found; }

// VM's unescapeValue: \\ -> \, \" -> ", \n -> LF, any other \x kept as both bytes, a lone trailing
// '\' kept. Appends to out (at most s.size() bytes). Exposed for tests and tools.
void unescape_value_append(Bytes& out, ByteView s);

}  // namespace vmt::prom
