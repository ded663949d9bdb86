// Fuzz target: arbitrary bytes as a block of exposition lines for tsdb-import's parser threads
// (ingest/block_parser.h). Differential: the block parsed with the series-text cache (twice, so
// the second pass is served from the cache) must give exactly the rows, keys, values,
// timestamps and bad lines of a parse without it. Every key must decode as a canonical name. The first line also
// goes to the two option parsers of tsdb-import (--extra-label, --mem-limit).
#include <cstdint>
#include <cstring>
#include <string>

#include "ingest/block_parser.h"
#include "ingest/raw_name.h"
#include "metric/metric_name.h"
#include "ops/import_args.h"

using namespace vmt;
using namespace vmt::ingest;

namespace {

std::string digest(const ParsedBlock& b) {
  std::string out = std::to_string(b.lines) + "/" + std::to_string(b.skipped) + "\n";
  for (const auto& r : b.rows) {
    out.append(b.keys, r.key_off, r.key_len);
    char buf[64];
    uint64_t bits;
    std::memcpy(&bits, &r.value, 8);
    std::snprintf(buf, sizeof(buf), "|%llx|%lld|%llx\n", (unsigned long long)r.hash, (long long)r.timestamp,
                  (unsigned long long)bits);
    out += buf;
    if (!metric::MetricName::decode_canonical(ByteView(b.keys).substr(r.key_off, r.key_len), metric::Tenancy::kCluster).is_ok()) {
      __builtin_trap();
    }
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
  BlockParser plain(naming, 1000, false);
  BlockParser cached(naming, 1000, true);
  plain.parse(a);
  const std::string want = digest(a);
  cached.parse(b);
  if (digest(b) != want) __builtin_trap();
  cached.parse(b);
  if (digest(b) != want) __builtin_trap();
  return 0;
}
