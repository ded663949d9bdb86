// One routed row as a line of Prometheus text exposition that VictoriaMetrics parses back to the
// same MetricNameRaw records, the same value bits and the same timestamp.
//
// Spec: prometheus-text.md §4 (grammar), §4.1 (escapes), §6 (fastfloat), §7 (timestamps).
//
//   line   := metric [ '{' name '="' escaped '"' (',' ...)* '}' ] ' ' value [ ' ' timestamp ] '\n'
//   metric := the first label with an empty name (the metric name); every other label of the raw
//             name follows in hashed order, a later empty-named one as __name__="..."
//   escaped: '\' -> \\, '"' -> \", LF -> \n (exactly what unescapeValue undoes; other bytes as is)
//   value  : the shortest decimal that VM's fastfloat parses to the same bits, else 17 significant
//            digits (the strconv fallback, correctly rounded); NaN, +Inf, -Inf by name
//   timestamp: absent when 0 (VM then uses its default, as for the input row); an integer number of
//            milliseconds outside [-2^31, 2^31); inside that range VM reads seconds, so it is written
//            as seconds with a fraction and checked to come back to the same milliseconds
// The braces are written when there are labels or the metric holds a space or tab.
//
// Not every raw name can be written this way: a name with leading/trailing whitespace, '=', '"',
// LF or a leading '}' would parse differently, as would a metric holding '{' or LF or starting
// with '#' (such bytes come from --extra-label or from truncation, never from a parsed line), and a
// raw name without a metric name (dropped by the label-count limit). render_prom_line() then
// returns false and appends nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "metric/metric_name.h"

namespace vmt::route {

// labels: the labels in hashed order after MarshalMetricNameRaw's mutation; only the first `kept`
// are in the raw name, and empty-valued ones are not. Appends one line with its '\n'.
bool render_prom_line(Bytes& out, const std::vector<metric::Label>& labels, size_t kept, double value,
                      int64_t timestamp_ms);

// The value token (no allocation).
void append_value_token(Bytes& out, double value);
// The timestamp token for a non-zero timestamp in milliseconds.
void append_timestamp_token(Bytes& out, int64_t timestamp_ms);

}  // namespace vmt::route
