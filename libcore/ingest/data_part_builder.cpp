#include "ingest/data_part_builder.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "base/fs.h"
#include "base/huge_array.h"
#include "base/worker_pool.h"
#include "encoding/decimal.h"
#include "layout/part_size.h"
#include "storage/block.h"
#include "storage/dedup.h"
#include "storage/part_writer.h"

namespace vmt::ingest {

// zstd level floor for our parts: libzstd's negative levels compress far worse than the pure-Go
// encoder vmstorage uses at the same nominal level (mergeset.md §2: zstd bytes are not normative).
constexpr int kMinCompressLevel = 1;

namespace {

struct BlockPlan {
  uint32_t series;
  uint32_t rows;
  uint64_t begin;      // into the sorted order
  bool whole_series;   // the series' only block: its rows are put in time order by encode_blocks
};

struct EncodedBlock {
  storage::BlockHeader header;
  Bytes timestamps;
  Bytes values;
};

// Per-thread scratch: no allocation per block once grown.
struct EncodeScratch {
  std::vector<int64_t> timestamps;
  std::vector<double> floats;
  std::vector<int64_t> mantissas;
  std::vector<uint32_t> by_time;  // a block's rows in time order, when they go backwards
  std::vector<int64_t> ts_sorted;
  std::vector<double> floats_sorted;
};

// The block's gathered rows in time order, stably (equal timestamps keep their input order): what
// the stable sort of a series' order gives when the series has one block.
void sort_block_by_time(EncodeScratch& s, uint32_t n) {
  s.by_time.resize(n);
  for (uint32_t k = 0; k < n; ++k) s.by_time[k] = k;
  std::stable_sort(s.by_time.begin(), s.by_time.end(), [&](uint32_t x, uint32_t y) { return s.timestamps[x] < s.timestamps[y]; });
  s.ts_sorted.resize(n);
  s.floats_sorted.resize(n);
  for (uint32_t k = 0; k < n; ++k) {
    s.ts_sorted[k] = s.timestamps[s.by_time[k]];
    s.floats_sorted[k] = s.floats[s.by_time[k]];
  }
  s.timestamps.swap(s.ts_sorted);
  s.floats.swap(s.floats_sorted);
}

void encode_blocks(const PartitionRows& rows, const SeriesRegistry& reg, const uint32_t* order,
                   const DataPartOptions& opt, const BlockPlan* plan, EncodedBlock* out, size_t n, EncodeScratch& s) {
  for (size_t b = 0; b < n; ++b) {
    const BlockPlan& p = plan[b];
    s.timestamps.resize(p.rows);
    s.floats.resize(p.rows);
    for (uint32_t k = 0; k < p.rows; ++k) {
      const uint32_t i = order[p.begin + k];
      s.timestamps[k] = rows.timestamp(i);
      s.floats[k] = rows.value(i);
    }
    if (p.whole_series && !std::is_sorted(s.timestamps.begin(), s.timestamps.end())) sort_block_by_time(s, p.rows);
    s.mantissas.clear();
    const int16_t scale = decimal::append_float_to_decimal(s.mantissas, s.floats.data(), p.rows, opt.exact_values);
    size_t m = p.rows;
    if (opt.dedup_interval_ms > 0) m = storage::dedup_samples(s.timestamps.data(), s.mantissas.data(), m, opt.dedup_interval_ms);
    EncodedBlock& e = out[b];
    e.header = storage::BlockHeader();
    e.header.tsid = reg.at(p.series).tsid;
    storage::encode_block(e.header, e.timestamps, e.values, s.timestamps.data(), s.mantissas.data(), m, scale,
                          opt.precision_bits);
  }
}

}  // namespace

Status write_data_part(const PartitionRows& rows, const SeriesRegistry& reg, const DataPartOptions& opt,
                       const std::string& dir, storage::InmemoryPart* memory, DataPartResult* out) {
  const size_t n = rows.size();
  if (n == 0) return invalid_argument("write_data_part: no rows");
  if (n > UINT32_MAX) return unsupported("write_data_part: more than 2^32 rows in one part");
  if (opt.precision_bits < 1 || opt.precision_bits > 64) {
    return invalid_argument("precision bits must be in 1..64; got " + std::to_string(opt.precision_bits));
  }

  // Counting sort by series, then the series by TSID (data-part.md §10 step 1).
  std::vector<uint64_t> pos(reg.size(), 0);
  std::vector<uint32_t> present;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t s = rows.series(i);
    if (pos[s]++ == 0) present.push_back(s);
  }
  {
    // The series by TSID, their keys side by side: sorting through reg.at() missed the cache at
    // every compare (0.1 s of each spill at a million series).
    struct Key {
      metric::TSID tsid;
      uint32_t series;
    };
    std::vector<Key> keys;
    keys.reserve(present.size());
    for (uint32_t s : present) {
      const Series& ser = reg.at(s);
      if (ser.origin == SeriesOrigin::pending) return invalid_argument("write_data_part: series without a TSID");
      keys.push_back(Key{ser.tsid, s});
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.tsid < b.tsid; });
    for (size_t i = 0; i < keys.size(); ++i) present[i] = keys[i].series;
  }
  std::vector<BlockPlan> plan;
  {
    uint64_t off = 0;
    for (uint32_t s : present) {
      const uint64_t cnt = pos[s];
      pos[s] = off;
      for (uint64_t b = 0; b < cnt; b += storage::kMaxRowsPerBlock) {
        plan.push_back(BlockPlan{s, uint32_t(std::min<uint64_t>(storage::kMaxRowsPerBlock, cnt - b)), off + b,
                                 cnt <= storage::kMaxRowsPerBlock});
      }
      off += cnt;
    }
  }
  // Every slot is written below: no zero-filling of n entries first (4 bytes per row of the part).
  HugeArray<uint32_t> order_buf(n);
  uint32_t* order = order_buf.data();
  for (size_t i = 0; i < n; ++i) order[pos[rows.series(i)]++] = uint32_t(i);
  // Sort a series' rows by timestamp only where they go backwards: here for a series of several
  // blocks (rows move between its blocks); a series of one block is put in order by encode_blocks,
  // which reads its rows anyway (at 2k series this pass read every row through the order a second
  // time, serially: 0.019 s of the 0.07 s data stage).
  {
    size_t b = 0;
    while (b < plan.size()) {
      if (plan[b].whole_series) {
        ++b;
        continue;
      }
      size_t e = b;
      const uint32_t s = plan[b].series;
      uint64_t rows_of_series = 0;
      while (e < plan.size() && plan[e].series == s) rows_of_series += plan[e++].rows;
      const uint64_t begin = plan[b].begin;
      const uint64_t end = begin + rows_of_series;
      bool sorted = true;
      for (uint64_t k = begin + 1; k < end && sorted; ++k) sorted = rows.timestamp(order[k - 1]) <= rows.timestamp(order[k]);
      if (!sorted) {
        std::stable_sort(order + begin, order + end,
                         [&](uint32_t x, uint32_t y) { return rows.timestamp(x) < rows.timestamp(y); });
      }
      b = e;
    }
  }

  storage::PartWriter w;
  const int level = std::max(storage::compress_level_for_merge(double(n) / double(plan.size())), kMinCompressLevel);
  if (memory) {
    w.open_memory(memory, opt.tenancy, level);
  } else {
    if (fs::exists(dir)) return invalid_argument(dir + ": already exists; a new part needs a fresh directory");
    VMT_TRY(w.open_dir(dir, opt.tenancy, level));
  }

  // Encode in batches on opt.threads threads (one pool for the whole part), written in order.
  // Within a batch the threads take runs of kRun blocks as they come free, and the caller's thread
  // writes every run encoded so far, in order, between its own: halves fixed in advance had left
  // one core idle while the other, shared with the index stage's thread, finished its half, and
  // then both idle but one while the batch was written (at 2k series, a fifth of the data stage).
  const unsigned threads = std::max(1u, opt.threads);
  const size_t batch = 4096;
  constexpr size_t kRun = 32;
  std::vector<EncodedBlock> enc(std::min(batch, plan.size()));
  std::vector<EncodeScratch> scratch(threads);
  WorkerPool pool(plan.size() >= 64 ? threads - 1 : 0);
  std::unique_ptr<std::atomic<bool>[]> encoded(new std::atomic<bool>[batch / kRun]);
  for (size_t b0 = 0; b0 < plan.size(); b0 += batch) {
    const size_t cnt = std::min(batch, plan.size() - b0);
    const BlockPlan* p = plan.data() + b0;
    const size_t runs = (cnt + kRun - 1) / kRun;
    for (size_t r = 0; r < runs; ++r) encoded[r].store(false, std::memory_order_relaxed);
    std::atomic<size_t> next_run{0};
    size_t written = 0;   // runs written (the caller's thread alone)
    Status write_status;
    auto encode_one = [&](size_t t) {
      const size_t r = next_run.fetch_add(1, std::memory_order_relaxed);
      if (r >= runs) return false;
      const size_t from = r * kRun, to = std::min(cnt, from + kRun);
      encode_blocks(rows, reg, order, opt, p + from, enc.data() + from, to - from, scratch[t]);
      encoded[r].store(true, std::memory_order_release);
      return true;
    };
    auto write_ready = [&] {
      for (; written < runs && encoded[written].load(std::memory_order_acquire); ++written) {
        for (size_t k = written * kRun; k < std::min(cnt, (written + 1) * kRun) && write_status.is_ok(); ++k) {
          write_status = w.write_raw(enc[k].header, enc[k].timestamps, enc[k].values);
        }
      }
    };
    pool.run(pool.size(), [&](size_t t) {
      if (t != 0) {
        while (encode_one(t)) {
        }
        return;
      }
      for (bool more = true; more;) {
        more = encode_one(0);
        write_ready();
      }
    });
    write_ready();   // the runs the other threads finished last
    VMT_TRY(write_status);
  }
  VMT_TRY(w.close(opt.dedup_interval_ms));

  out->header = w.part_header();
  out->rows_in = n;
  if (memory) {
    out->size_bytes = memory->size_bytes();
  } else {
    VMT_ASSIGN_OR_RETURN(out->size_bytes, layout::part_size(dir));
  }
  return Status::ok();
}

}  // namespace vmt::ingest
