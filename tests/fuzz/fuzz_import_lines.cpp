// Fuzz target: arbitrary bytes as a block of exposition lines for tsdb-import's parser threads
// (ingest/block_parser.h). Differential: the block parsed with the series text index (twice, the
// texts it lists remembered in between as the importer remembers them, so that the second pass is
// served from the index) must give exactly the rows, series, values, timestamps and bad lines of
// a parse without it. Every key must decode as a canonical name and hash to its row's hash. The
// first line also goes to the two option parsers of tsdb-import (--extra-label, --mem-limit).
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "ingest/block_parser.h"
#include "ingest/raw_name.h"
#include "ingest/series_text_index.h"
#include "metric/metric_name.h"
#include "metric/tsid_gen.h"
#include "ops/import_args.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {

// The importer's side of the series text index: ids by key, and the texts the parser lists
// remembered under the id of their row's key.
struct Consumer {
  SeriesTextIndex index{size_t(1) << 20};
  std::map<std::string, uint32_t> ids;
  std::vector<std::string> keys;
};

std::string digest(const ParsedBlock& b, Consumer* c) {
  std::string out = std::to_string(b.lines) + "/" + std::to_string(b.skipped) + "\n";
  std::vector<uint32_t> row_ids;
  for (const auto& r : b.rows) {
    std::string key;
    uint64_t hash = r.hash;
    if (r.from_index()) {
      if (c == nullptr || b.generation != c->index.generation() || r.series() >= c->keys.size()) __builtin_trap();
      key = c->keys[r.series()];
      hash = metric::xxhash64(key);
    } else {
      key = b.keys.substr(r.key_off, r.key_len);
      if (metric::xxhash64(key) != r.hash) __builtin_trap();
    }
    if (c) {
      auto [it, added] = c->ids.emplace(key, uint32_t(c->keys.size()));
      if (added) c->keys.push_back(key);
      row_ids.push_back(it->second);
    }
    out += key;
    char buf[64];
    uint64_t bits;
    std::memcpy(&bits, &r.value, 8);
    std::snprintf(buf, sizeof(buf), "|%llx|%lld|%llx\n", (unsigned long long)hash, (long long)r.timestamp,
                  (unsigned long long)bits);
    out += buf;
    if (!metric::MetricName::decode_canonical(key, metric::Tenancy::kCluster).is_ok()) __builtin_trap();
  }
  if (c) {
    for (const auto& m : b.remember) {
      if (m.row >= b.rows.size() || b.rows[m.row].from_index() || size_t(m.text_off) + m.text_len > b.text.size()) __builtin_trap();
      c->index.insert(ByteView(b.text).substr(m.text_off, m.text_len), m.text_hash, row_ids[m.row], m.stats);
    }
  } else if (!b.remember.empty()) {
    __builtin_trap();
  }
  for (const auto& l : b.bad) out += std::to_string(l.line) + ":" + l.message + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string first = text.substr(0, text.find('\n'));
  (void)parse_extra_label(first);
  (void)ops::parse_byte_size(first);

  ParsedBlock a, b;
  a.text = text;
  a.first_line = 1;
  b.text = text;
  b.first_line = 1;
  const RowNaming naming{1, 2, {{"x", "y"}}, {}, metric::Tenancy::kCluster};
  Consumer c;
  BlockParser plain(naming, 1000);
  BlockParser indexed(naming, 1000, &c.index);
  plain.parse(a);
  const std::string want = digest(a, nullptr);
  indexed.parse(b);
  if (digest(b, &c) != want) __builtin_trap();  // fills the index
  indexed.parse(b);
  if (digest(b, &c) != want) __builtin_trap();  // served from it
  return 0;
}
