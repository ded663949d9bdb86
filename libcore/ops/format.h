// Text renderings that must match VictoriaMetrics byte for byte.
//
// /api/v1/export prints through quicktemplate (app/vmselect/prometheus/export.qtpl, util.qtpl):
//   numbers   {%f= v %}: if float64(int(v)) == v, the integer (so -0 prints "0"); otherwise Go's
//             strconv.AppendFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an
//             exponent (1e300 prints as 301 digits). Infinities are the JSON strings "Infinity" and
//             "-Infinity" (seen in the tiny fixture's export); NaN is "NaN".
//   strings   {%qz= s %}: JSON-quoted with \" \\ \n \r \t, and \u003c for '<', \u0027 for ''' and
//             \u00XX (lower-case hex) for other bytes below 0x20. Other bytes, UTF-8 included,
//             pass through unchanged.
// Prometheus exposition (our `export --format prom`, re-readable by tsdb-import / vminsert): label
// values escape \\, \" and \n; values print like the export numbers but with NaN, +Inf, -Inf.
#pragma once

#include <cstdint>
#include <vector>

#include "base/coding.h"
#include "base/json_string.h"  // append_json_string: the {%qz= %} quoting
#include "metric/metric_name.h"

namespace vmt::ops {

// The longest number either form prints: 309 integer digits of the largest double ('f' never
// uses an exponent), or "0." and 323 zeros and digits of the smallest.
constexpr size_t kMaxNumberBytes = 400;
void append_export_number(Bytes& out, double v);  // JSON export form: "Infinity", "-Infinity", null for NaN
void append_prom_number(Bytes& out, double v);    // exposition form (bare NaN, +Inf, -Inf)
void append_int(Bytes& out, int64_t v);
void append_prom_label_value(Bytes& out, ByteView s);  // with the quotes

// One series as a line of /api/v1/export ({"metric":{...},"values":[...],"timestamps":[...]}\n),
// and as exposition lines (one per sample), its samples taken in `order`.
// labels_json: the members of its "metric" object (append_labels_json).
void append_export_series(Bytes& out, ByteView labels_json, const std::vector<double>& values,
                          const std::vector<int64_t>& timestamps, const std::vector<size_t>& order);
void append_prom_series(Bytes& out, const metric::MetricName& name, const std::vector<double>& values,
                        const std::vector<int64_t>& timestamps, const std::vector<size_t>& order);

// The labels of a canonical name (as in ns 3) as the members of a JSON object, without the braces:
// "__name__" first when the metric group is not empty, then the tags in stored order, each quoted
// as {%qz= %} quotes. Straight from the canonical bytes (one pass when nothing needs escaping:
// /api/v1/series prints millions of them). Errors as MetricName::decode_canonical's, with nothing
// appended.
Status append_labels_json(Bytes& out, ByteView canonical, metric::Tenancy t);

}  // namespace vmt::ops
