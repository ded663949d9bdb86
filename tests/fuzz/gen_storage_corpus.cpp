// Writes the seed corpora of fuzz_block_header and fuzz_data_part from parts built by our own
// PartWriter (no fixture bytes). Not part of the build; regenerate with:
//   make BUILD=build-sto build-sto/libcore.a
//   g++ -std=c++20 -Ilibcore tests/fuzz/gen_storage_corpus.cpp build-sto/libcore.a -lzstd -lxxhash -o /tmp/gen
//   /tmp/gen tests/fuzz/corpus
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "base/fs.h"
#include "encoding/decimal.h"
#include "encoding/zstd.h"
#include "storage/part_writer.h"
#include "storage/raw_rows.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

Bytes container(const InmemoryPart& p, const std::string& json) {
  Bytes out;
  for (ByteView s : {ByteView(json), ByteView(p.metaindex), ByteView(p.index), ByteView(p.timestamps), ByteView(p.values)}) {
    put_u32(out, uint32_t(s.size()));
    out.append(s);
  }
  return out;
}

InmemoryPart build(std::vector<RawRow> rows) {
  InmemoryPart p;
  PartWriter w;
  w.open_memory(&p, kCompressLevelFromRows);
  if (!marshal_raw_rows(rows, w).is_ok() || !w.close().is_ok()) std::abort();
  return p;
}

void put(const std::string& dir, const std::string& name, ByteView data) {
  if (!fs::mkdir_p(dir).is_ok() || !fs::write_file_sync(fs::join(dir, name), data).is_ok()) std::abort();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : "tests/fuzz/corpus";
  const std::string dp = fs::join(root, "data_part"), bh = fs::join(root, "block_header");
  std::mt19937_64 rng(1);
  const int64_t t0 = 1700000000000;
  std::vector<std::pair<std::string, InmemoryPart>> parts;

  {  // data-part.md §13
    metric::TSID a{0, 0, 11, 22, 33, 44}, b = a;
    b.metric_id = 45;
    parts.push_back({"tiny", build({{a, t0, 0, 64}, {a, t0 + 15000, 1.5, 64}, {a, t0 + 30000, 3, 64},
                                    {b, t0, 42, 64}, {b, t0 + 15000, 42, 64}, {b, t0 + 30000, 42, 64}})});
  }
  {  // one row: Const timestamps and values, 0-byte data blocks
    parts.push_back({"one_row", build({{metric::TSID{1, 2, 3, 4, 5, 6}, t0, 7.25, 64}})});
  }
  {  // many series with shared timestamps (reuse across index blocks), two tenants
    std::vector<RawRow> rows;
    for (uint64_t s = 0; s < 800; ++s) {
      metric::TSID t{uint32_t(s / 400), 0, 1000 + s / 10, uint32_t(s % 7), uint32_t(s % 3), 5000 + s};
      for (int i = 0; i < 3; ++i) rows.push_back({t, t0 + i * 15000, double(s * i), 64});
    }
    parts.push_back({"reuse_800_series", build(rows)});
  }
  {  // gauges and counters, zstd and plain types, lossy precision, jittered timestamps
    std::vector<RawRow> rows;
    for (uint64_t s = 0; s < 6; ++s) {
      metric::TSID t{0, 0, 77, 1, 2, 100 + s};
      int64_t ts = t0;
      double counter = 0;
      for (int i = 0; i < 400; ++i) {
        ts += 14900 + int64_t(rng() % 200);
        counter += double(rng() % 100);
        double v = s % 2 ? std::sin(i / 7.0) * 1000 : counter;
        rows.push_back({t, ts, v, uint8_t(s < 2 ? 64 : s < 4 ? 20 : 4)});
      }
    }
    parts.push_back({"gauges_counters_lossy", build(rows)});
  }
  {  // specials: stale markers (Scale -1024 block), infinities, huge ranges
    std::vector<RawRow> rows;
    metric::TSID t{0, 0, 9, 9, 9, 1};
    rows.push_back({t, t0, decimal::stale_nan(), 64});
    t.metric_id = 2;
    rows.push_back({t, t0, HUGE_VAL, 64});
    rows.push_back({t, t0 + 1, -HUGE_VAL, 64});
    rows.push_back({t, t0 + 2, 1e300, 64});
    rows.push_back({t, t0 + 2, 5e-324, 64});
    rows.push_back({t, t0 + 3, decimal::stale_nan(), 64});
    parts.push_back({"specials", build(rows)});
  }
  {  // one series longer than a block: 8192 + 1000 rows
    std::vector<RawRow> rows;
    metric::TSID t{3, 4, 5, 6, 7, 8};
    for (int i = 0; i < 9192; ++i) rows.push_back({t, t0 + i * 1000, double(i % 50), 64});
    parts.push_back({"long_series", build(rows)});
  }

  for (auto& [name, p] : parts) {
    const std::string json = p.header.to_json();
    put(dp, name, container(p, json));
    // A few damaged variants as starting points.
    Bytes c = container(p, json);
    put(dp, name + "_truncated", ByteView(c).substr(0, c.size() * 2 / 3));
    PartHeader more = p.header;
    more.rows_count += 1;
    put(dp, name + "_rows_plus_one", container(p, more.to_json()));
    // Block headers: the decompressed index blocks, one file per part, and single headers.
    Bytes idx;
    ByteView in = p.index;
    Bytes mi;
    (void)zstd::decompress(mi, p.metaindex, 1 << 26);
    put(bh, name + "_metaindex", mi);
    Bytes all;
    (void)zstd::decompress(all, in, 1 << 26);
    put(bh, name + "_headers", ByteView(all).substr(0, std::min<size_t>(all.size(), 20 * BlockHeader::kSize)));
    put(bh, name + "_header0", ByteView(all).substr(0, BlockHeader::kSize));
  }
  Bytes ex;   // data-part.md §5
  BlockHeader h;
  h.tsid = {1, 2, 3, 4, 5, 6};
  h.min_timestamp = 1000; h.max_timestamp = 3000; h.first_value = -5;
  h.timestamps_block_offset = 16; h.values_block_offset = 32;
  h.timestamps_block_size = 1; h.values_block_size = 2; h.rows_count = 3;
  h.scale = -2; h.timestamps_marshal_type = 2; h.values_marshal_type = 6; h.precision_bits = 64;
  h.encode(ex);
  put(bh, "spec_example", ex);
  h.rows_count = 0;
  ex.clear();
  h.encode(ex);
  put(bh, "rows_zero", ex);
  put(bh, "short", ByteView("\x00\x01\x02", 3));
  std::printf("corpus written under %s\n", root.c_str());
  return 0;
}
