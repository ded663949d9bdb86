// Fuzz target: one JSON line of /api/v1/import (ingest/json_line.h). Must never crash; what it
// accepts is a named series with as many timestamps as values, at least one.
#include <cstdint>
#include <cstdlib>

#include "ingest/json_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static vmt::ingest::JsonLineParser parser;
  vmt::ingest::JsonLine line;
  vmt::ByteView in(reinterpret_cast<const char*>(data), size);
  if (parser.parse(in, line).is_ok()) {
    if (line.row.metric.empty() || line.values.empty() || line.values.size() != line.timestamps.size()) {
      __builtin_trap();
    }
  }
  return 0;
}
