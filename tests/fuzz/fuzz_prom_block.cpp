// Fuzz target: the Prometheus TSDB block reader (libcore/promtsdb): an index file, a chunks
// segment, XOR chunk data, a tombstones file and meta.json, all bounds-checked and checksummed.
// The input is split at the u32 (big-endian) in its first 4 bytes: the bytes after it up to that
// length are an index file, the rest a chunks segment; every series the index lists is decoded and
// its chunks read from the segment, as a block read does. The whole input is also read as one XOR
// chunk's data, a tombstones file and a meta.json. Properties: never crash, never read out of
// bounds (ASan), decoded samples never outnumber what a chunk announces, and a series' chunk
// metas are only accepted with a checksum that matches.
#include <cstdint>
#include <vector>

#include "promtsdb/block.h"
#include "promtsdb/block_meta.h"
#include "promtsdb/chunk_files.h"
#include "promtsdb/index_file.h"
#include "promtsdb/tombstones.h"
#include "promtsdb/xor_chunk.h"

using namespace vmt;
using namespace vmt::promtsdb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView in(reinterpret_cast<const char*>(data), size);
  std::vector<Sample> samples;
  if (decode_xor(in, &samples).is_ok() && samples.size() != chunk_sample_count(in)) __builtin_trap();
  samples.clear();
  Tombstones stones;
  (void)stones.parse(in, "tombstones");
  (void)parse_block_meta(in, "meta.json");

  if (size < 4) return 0;
  const uint32_t index_len = load_u32(in.data());
  const ByteView rest = in.substr(4);
  const ByteView index_bytes = rest.substr(0, std::min<size_t>(index_len, rest.size()));
  const ByteView segment = rest.substr(index_bytes.size());
  IndexFile index;
  if (!index.parse(index_bytes, "index").is_ok()) return 0;
  ChunkFiles chunks;
  (void)chunks.add_segment(segment, "chunks/000001");
  SeriesEntry e;
  SkipCounts skipped;
  size_t budget = 1 << 16;  // samples decoded per input: keep each run short
  for (uint32_t ref : index.all_series()) {
    if (!index.series(ref, &e).is_ok()) continue;
    for (const auto& l : e.labels) {
      if (l.name.data() < index_bytes.data() || l.name.data() + l.name.size() > index_bytes.data() + index_bytes.size()) {
        __builtin_trap();  // a label must point into the symbol table
      }
    }
    samples.clear();
    (void)series_samples(chunks, stones.find(ref), e, INT64_MIN, INT64_MAX, &samples, &skipped, "block");
    if (samples.size() >= budget) break;
    budget -= samples.size();
  }
  return 0;
}
