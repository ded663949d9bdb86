// One line of the server's JSON lines format, as /api/v1/export writes it and /api/v1/import
// reads it: {"metric":{"__name__":"up","job":"x"},"values":[1,0.5,"NaN"],"timestamps":[1,2,3]}.
//
// Spec: lib/protoparser/vmimport/parser.go at v1.93.7 (Row.unmarshal), what it accepts:
//   metric      an object of string values, in its own order; "__name__" is the metric name. At
//               least one label. (The server also takes a series without "__name__"; a series must
//               have a name here, as every other input of ours: a bad line otherwise.)
//   values      a non-empty array of numbers, null (NaN), or the strings [-]Inf, [-]inf,
//               [-]Infinity, [-]infinity, NaN, nan, null, Null
//   timestamps  a non-empty array of integers (milliseconds), as many as values
// Other keys are ignored. Numbers are read correctly rounded (simdjson, like Go's strconv), so that
// a value our export (or vmselect's) printed comes back as the same float64; the server's fastjson
// reads a few long mantissas one ulp off. A line is parsed with simdjson's On-Demand API.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "prom/parser.h"

namespace vmt::ingest {

struct JsonLine {
  prom::Row row;                 // metric name and tags (value, timestamp unused)
  std::vector<double> values;
  std::vector<int64_t> timestamps;
};

class JsonLineParser {
 public:
  JsonLineParser();
  ~JsonLineParser();
  JsonLineParser(const JsonLineParser&) = delete;
  JsonLineParser& operator=(const JsonLineParser&) = delete;

  // Parses one line (without its '\n'). The views in out.row stay valid until the next call.
  // Errors say what the server would say, e.g. "missing `values` array".
  Status parse(ByteView line, JsonLine& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmt::ingest
