// RowSource: where the importer's parsed rows come from, in order.
//
// Implemented by LinePipeline (exposition text and JSON lines, line_pipeline.h) and PromBlockSource
// (Prometheus TSDB blocks, prom_block_source.h). Blocks of rows arrive strictly in order on the
// caller's thread; each is given back with release(). next() returns nullptr at the end or after an
// error (then status() says which).
#pragma once

#include <string>

#include "base/status.h"
#include "ingest/block_parser.h"

namespace vmt::ingest {

class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual ParsedBlock* next() = 0;
  virtual void release(ParsedBlock* b) = 0;
  // Stops the producing threads early (idempotent); next() returns nullptr afterwards.
  virtual void stop() = 0;
  virtual Status status() = 0;
  // The name an input is reported by (ParsedBlock::file indexes the inputs).
  virtual const std::string& display_name(size_t file) const = 0;
};

}  // namespace vmt::ingest
