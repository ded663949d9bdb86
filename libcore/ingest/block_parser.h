// BlockParser: one block of whole lines -> parsed rows with their series keys, on one thread.
//
// Spec: prometheus-text.md §4-§8 (prom::parse_line; a bad line is reported with its number and
// skipped), §7 (a missing or zero timestamp becomes the default timestamp), §10.1 (raw names,
// raw_name.h; the key of a row is the canonical name vmstorage makes of the raw name,
// RawNameBuilder::append_canonical). A series seen before by this parser skips the label parse through the
// SeriesTextCache (prom/series_text_cache.h), whose result is the same by construction; the fuzz target
// tests/fuzz/fuzz_import_lines.cpp checks that it is. One BlockParser per parser thread
// (line_pipeline.h); nothing is allocated per line once the buffers have grown.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "ingest/json_line.h"
#include "ingest/raw_name.h"
#include "metric/metric_name.h"
#include "prom/block_pipeline.h"
#include "prom/parser.h"
#include "prom/series_text_cache.h"

namespace vmt::ingest {

struct ParsedRow {
  uint64_t hash = 0;       // xxhash64 of the key
  int64_t timestamp = 0;   // ms, default applied
  double value = 0;
  uint32_t key_off = 0;    // key = keys[key_off, key_off + key_len): the series' canonical name
  uint32_t key_len = 0;
};

struct BadLine {
  uint64_t line = 0;       // 1-based, in its file
  std::string message;     // VM's reason
};

// A block of lines (prom::LineBlock: text, seq, file, first_line, input_bytes) and what was
// parsed from it.
struct ParsedBlock : prom::LineBlock {
  uint64_t lines = 0;
  uint64_t skipped = 0;         // blank and comment lines
  Bytes keys;
  std::vector<ParsedRow> rows;
  std::vector<BadLine> bad;
  metric::RawStats raw_stats;
};

class BlockParser {
 public:
  // `naming`: the tenant, extra labels and limits of the raw names, the tenancy of the keys;
  // `cache_bytes`: the most the series text cache holds.
  BlockParser(const RowNaming& naming, int64_t default_timestamp_ms, bool use_cache = true,
              size_t cache_bytes = size_t(32) << 20);
  // JSON lines (json_line.h) instead of exposition text: each line is one series with many rows,
  // which share the line's key; timestamps are taken as they are (no default).
  void set_json_lines(bool on) { json_lines_ = on; }
  // raw_name.h: the tenant of each row from its vm_account_id / vm_project_id labels.
  void set_multitenant(bool on) { builder_.set_multitenant(on); }
  // Parses b.text (lines joined by '\n'; b.first_line numbers the first) into b's rows, keys and
  // bad lines, replacing what they held.
  void parse(ParsedBlock& b);

 private:
  void parse_json_lines(ParsedBlock& b);
  // The key of `row` appended to b.keys, its stats counted, r's key and hash set; false (a bad
  // line recorded, nothing appended) when the builder refuses the row.
  bool append_key(ParsedBlock& b, const prom::Row& row, uint64_t line_no, ParsedRow& r, metric::RawStats& rs);

  RawNameBuilder builder_;
  metric::Tenancy tenancy_;
  prom::SeriesTextCache cache_;
  bool use_cache_;
  int64_t default_ts_;
  bool json_lines_ = false;
  size_t last_file_ = 0;
  JsonLineParser json_;
  JsonLine json_line_;
  prom::Row row_;
  prom::ParseScratch scratch_;
};

}  // namespace vmt::ingest
