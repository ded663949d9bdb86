// BlockParser: one block of whole lines -> parsed rows with their series keys, on one thread.
//
// Spec: prometheus-text.md §4-§8 (prom::parse_line; a bad line is reported with its number and
// skipped), §7 (a missing or zero timestamp becomes the default timestamp), §10.1 (raw names,
// raw_name.h; the key of a row is the canonical name vmstorage makes of the raw name,
// RawNameBuilder::append_canonical). A line whose series text the shared SeriesTextIndex knows
// (series_text_index.h) is not parsed further: its row names the registry's series directly
// (ParsedRow::from_index), the same series the full parse's key would find, by construction;
// tests/fuzz/fuzz_import_lines.cpp checks that it is. The lines the consumer may remember are listed
// (ParsedBlock::remember). One BlockParser per parser thread (line_pipeline.h); nothing is
// allocated per line once the buffers have grown.
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
#include "ingest/series_text_index.h"

namespace vmt::ingest {

struct ParsedRow {
  uint64_t hash = 0;       // xxhash64 of the key
  int64_t timestamp = 0;   // ms, default applied
  double value = 0;
  uint32_t key_off = 0;    // key = keys[key_off, key_off + key_len): the series' canonical name
  uint32_t key_len = 0;    // 0: no key (a key is never empty), the row is from the index:
  // The row's series was found in the SeriesTextIndex: key_off is its id in the registry, of the
  // block's generation (ParsedBlock::generation).
  bool from_index() const { return key_len == 0; }
  uint32_t series() const { return key_off; }
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
  // The index's generation when the block was parsed, and how many rows it served.
  uint32_t generation = 0;
  uint64_t index_rows = 0;
  // A row with a key whose series text the consumer may put in the index once it knows the
  // series: the full parse agreed with the text's shape (series_text_index.h).
  struct Remember {
    uint32_t row;
    uint32_t text_off, text_len;  // the series text, in `text`
    uint64_t text_hash;           // series_text_hash of it
    metric::RawStats stats;       // the row's label-limit counters
  };
  std::vector<Remember> remember;
};

class BlockParser {
 public:
  // `naming`: the tenant, extra labels and limits of the raw names, the tenancy of the keys;
  // `index`: the series texts known (shared, filled by the consumer), or none: every line is
  // parsed in full.
  BlockParser(const RowNaming& naming, int64_t default_timestamp_ms, const SeriesTextIndex* index = nullptr);
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
  // A line of exposition text and its shape, when it has it (prom::split_sample_line).
  struct LineSplit {
    ByteView line;
    uint64_t line_no = 0;
    ByteView series, value_tok, ts_tok;  // series text, value and timestamp tokens
    bool shaped = false;
    uint64_t text_hash = 0;              // series_text_hash(series)
  };
  // One line into b: its row from the index when its series text is known there, else parsed
  // in full (then its series text remembered for the consumer when the rule allows).
  void parse_text_line(ParsedBlock& b, const LineSplit& l);
  // The key of `row` appended to b.keys, its stats counted, r's key and hash set; false (a bad
  // line recorded, nothing appended) when the builder refuses the row.
  bool append_key(ParsedBlock& b, const prom::Row& row, uint64_t line_no, ParsedRow& r, metric::RawStats& rs);

  RawNameBuilder builder_;
  metric::Tenancy tenancy_;
  const SeriesTextIndex* index_;
  int64_t default_ts_;
  bool json_lines_ = false;
  JsonLineParser json_;
  JsonLine json_line_;
  prom::Row row_;
  prom::ParseScratch scratch_;
};

}  // namespace vmt::ingest
