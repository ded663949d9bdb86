// LinePipeline: input files -> parsed rows, on several threads, delivered in input order.
//
// Spec: prometheus-text.md §3 (lines; gzip and zstd recognised by content by prom::LineReader),
// §4-§8 (prom::parse_line; a bad line is reported and skipped), §7 (a missing or zero timestamp
// becomes the default timestamp), §10.1 (raw names, raw_name.h).
// Threads (prom/block_pipeline.h): `parsers` parser threads, each cutting the input's next block
// of whole lines (read and decompressed one thread at a time) and parsing it (each line's raw name
// and, into the block's key arena, the canonical name vmstorage makes of it, hashed with xxhash64;
// or its series text found in the shared SeriesTextIndex, which the consumer fills), and the
// consumer (the caller of next()), which receives the blocks strictly in input order, so
// everything downstream is deterministic. Blocks are recycled through a fixed
// pool: memory is bounded by pool size x block size, and nothing is allocated per row.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "ingest/block_parser.h"
#include "ingest/raw_name.h"
#include "ingest/row_source.h"
#include "metric/metric_name.h"
#include "prom/block_pipeline.h"

namespace vmt::ingest {

// The server's -import.maxLineLen default: one JSON line holds a whole series.
constexpr size_t kMaxJsonLineSize = 100 * 1024 * 1024;

struct PipelineOptions {
  std::vector<std::string> inputs;  // "-" = stdin
  unsigned parsers = 2;
  size_t pool_blocks = 8;
  RowNaming naming;                 // tenant, extra labels, -maxLabelsPerTimeseries, -maxLabelValueLen
  int64_t default_timestamp_ms = 0;
  bool series_cache = true;         // series_text_index.h (off: every line fully parsed; tests)
  size_t series_cache_bytes = size_t(64) << 20;  // the most the series text index holds
  // JSON lines (/api/v1/export's format) instead of exposition text; lines up to the server's
  // -import.maxLineLen (100MiB): one line holds a whole series.
  bool json_lines = false;
  bool multitenant = false;         // raw_name.h: tenants from vm_account_id / vm_project_id labels
  size_t chunk_bytes = 0;           // prom::LineReaderOptions::chunk_size (0: its default)
};

class LinePipeline final : public RowSource {
 public:
  LinePipeline() = default;
  ~LinePipeline() override;
  LinePipeline(const LinePipeline&) = delete;
  LinePipeline& operator=(const LinePipeline&) = delete;

  void start(const PipelineOptions& opt);
  // The next block in input order, or nullptr at the end of the input or after an input error
  // (then status() says which). Give every block back with release().
  ParsedBlock* next() override { return pipe_.next(); }
  void release(ParsedBlock* b) override { pipe_.release(b); }
  // Stops the threads early (idempotent); next() returns nullptr afterwards.
  void stop() override { pipe_.stop(); }
  // An input error (unreadable file, too long line, corrupt gzip/zstd), with the file name.
  Status status() override { return pipe_.status(); }
  // The name a file is reported by ("-" is "stdin").
  const std::string& display_name(size_t file) const override { return names_[file]; }
  // The series texts the parser threads look up, for the consumer to fill (series_text_index.h);
  // null with series_cache off and for JSON lines.
  SeriesTextIndex* series_index() { return index_.get(); }

 private:
  PipelineOptions opt_;
  std::unique_ptr<SeriesTextIndex> index_;
  std::vector<std::string> names_;
  prom::BlockPipeline<ParsedBlock> pipe_;
};

}  // namespace vmt::ingest
