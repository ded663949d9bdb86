// Fuzz target: the block stream merge (storage/block_stream_merge.h) over parts built from the
// input, with random dedup, retention and deleted series.
//
// Input: byte 0 = options (bit 0 dedup, bit 1 retention, bit 2 a deleted series, bit 3 the
// background writer), bytes 1-2 = dedup interval / deadline (u16 BE), then records of 8 bytes:
//   u8  part (low 2 bits) | series (bits 2-4) | lossy pb (bit 5) | scale shift (bits 6-7)
//   u16 timestamp step (BE; 0 repeats a timestamp)   u8 unused   i32 value (BE)
// Rows go to their part in input order; a part's rows of one series form blocks of <= 8192.
//
// Properties: never crash; the merged part reads back completely and its totals match; the row
// accounting adds up; with lossless PrecisionBits and without dedup, retention and deletions every
// (series, timestamp) of the input is in the output exactly as often as in the input; with them,
// never more often.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "base/coding.h"
#include "storage/block_stream_merge.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

struct Row {
  int64_t ts;
  int64_t value;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t flags = data[0];
  const int64_t knob = (int64_t(data[1]) << 8) | data[2];
  // parts[p][series] = rows, plus per-series scale and pb of each part
  std::vector<std::map<uint64_t, std::vector<Row>>> parts(4);
  std::map<std::pair<uint64_t, uint64_t>, std::pair<int16_t, uint8_t>> shape;
  std::map<std::pair<uint64_t, int64_t>, int> want;
  bool lossy = false;
  int64_t t = 0;
  for (size_t off = 3; off + 8 <= size && off < 3 + 8 * 40000; off += 8) {
    const uint8_t h = data[off];
    const size_t p = h & 3;
    const uint64_t series = 1 + ((h >> 2) & 7);
    t += (int64_t(data[off + 1]) << 8) | data[off + 2];
    const int32_t v = int32_t(load_u32(reinterpret_cast<const char*>(data + off + 4)));
    auto& rows = parts[p][series];
    if (!rows.empty() && t < rows.back().ts) continue;
    rows.push_back({t, v});
    auto [it, fresh] = shape.try_emplace({p, series}, int16_t(-int((h >> 6) & 3)), uint8_t((h & 0x20) ? 20 : 64));
    lossy = lossy || it->second.second < 64;
    (void)fresh;
    ++want[{series, t}];
  }
  std::vector<InmemoryPart> mem(4);
  std::vector<std::unique_ptr<PartReader>> readers;
  std::vector<PartReader*> ptrs;
  std::vector<PartHeader> headers;
  for (size_t p = 0; p < 4; ++p) {
    if (parts[p].empty()) continue;
    PartWriter w;
    w.open_memory(&mem[p], vmt::metric::Tenancy::kCluster, kCompressLevelFromRows);
    for (const auto& [series, rows] : parts[p]) {
      metric::TSID tsid;
      tsid.metric_id = series;
      const auto [scale, pb] = shape[{p, series}];
      std::vector<int64_t> ts, vals;
      for (size_t i = 0; i < rows.size(); ++i) {
        ts.push_back(rows[i].ts);
        vals.push_back(rows[i].value);
        if (ts.size() == kMaxRowsPerBlock || i + 1 == rows.size()) {
          if (!w.write_rows(tsid, ts.data(), vals.data(), ts.size(), scale, pb).is_ok()) __builtin_trap();
          ts.clear();
          vals.clear();
        }
      }
    }
    if (!w.close().is_ok()) __builtin_trap();
    readers.push_back(std::make_unique<PartReader>());
    if (!readers.back()->open_memory(mem[p]).is_ok()) __builtin_trap();
    ptrs.push_back(readers.back().get());
    headers.push_back(mem[p].header);
  }
  if (ptrs.empty()) return 0;

  BlockMergeOptions opt;
  std::vector<uint64_t> deleted;
  if (flags & 1) opt.dedup_interval_ms = 1 + knob;
  if (flags & 2) opt.retention_deadline_ms = knob * 16;
  if (flags & 4) {
    deleted.push_back(1 + (knob & 7));
    opt.deleted_metric_ids = deleted;
  }
  opt.background_writer = (flags & 8) != 0;
  const bool exact = (flags & 7) == 0 && !lossy;   // lossy PrecisionBits also move timestamps

  InmemoryPart out;
  PartWriter w;
  w.open_memory(&out, vmt::metric::Tenancy::kCluster, compress_level_for_sources(headers));
  BlockMergeStats st;
  if (!merge_parts(ptrs, w, opt, &st).is_ok()) __builtin_trap();   // valid parts always merge
  if (!w.close(opt.dedup_interval_ms).is_ok()) __builtin_trap();
  if (st.rows_out != out.header.rows_count || st.rows_in != st.rows_merged + st.rows_deleted_series +
                                                                 st.rows_deleted_retention) {
    __builtin_trap();
  }
  if (st.rows_out == 0) return 0;
  PartReader r;
  if (!r.open_memory(out).is_ok()) __builtin_trap();
  std::map<std::pair<uint64_t, int64_t>, int> got;
  for (;;) {
    Block b;
    bool eof = false;
    if (!r.next(b, &eof).is_ok()) __builtin_trap();
    if (eof) break;
    for (int64_t ts : b.timestamps) ++got[{b.header.tsid.metric_id, ts}];
  }
  if (!r.verify_totals().is_ok()) __builtin_trap();
  if (!lossy) {
    for (const auto& [k, n] : got) {
      auto it = want.find(k);
      if (it == want.end() || n > it->second) __builtin_trap();
      if (exact && n != it->second) __builtin_trap();
    }
    if (exact && got.size() != want.size()) __builtin_trap();
  }
  return 0;
}
