#include "ingest/partition_rows.h"

#include <sys/mman.h>

#include <cstdio>
#include <deque>
#include <mutex>
#include <new>

#include "base/civil_time.h"
#include "base/huge_array.h"

namespace vmt::ingest {

namespace {

constexpr int64_t kMsPerDay = 86400000;

}  // namespace

namespace {

// The chunk pool: slabs of 32 MiB, 2 MiB-aligned, never unmapped (the pool holds at most what the
// buffers held at their peak, which --mem-limit bounds).
struct ChunkPool {
  std::mutex mu;
  std::vector<void*> free;
  std::deque<HugeMapping> slabs;  // kept for the life of the process
  char* slab = nullptr;
  size_t slab_left = 0;
};
ChunkPool& pool() {
  static ChunkPool* p = new ChunkPool;  // never destroyed: chunks may be returned during exit
  return *p;
}
constexpr size_t kSlab = 32u << 20;

}  // namespace

PartitionRows::Chunk* PartitionRows::take_chunk() {
  ChunkPool& p = pool();
  std::lock_guard<std::mutex> lk(p.mu);
  if (!p.free.empty()) {
    void* c = p.free.back();
    p.free.pop_back();
    populate_for_write(c, sizeof(Chunk));   // its pages may have been dropped (trim_pool)
    return static_cast<Chunk*>(c);
  }
  if (p.slab_left < sizeof(Chunk)) {
    p.slabs.emplace_back(kSlab, /*reserve_only=*/false);
    p.slab = p.slabs.back().data;
    p.slab_left = kSlab;
  }
  void* c = p.slab;
  p.slab += sizeof(Chunk);
  p.slab_left -= sizeof(Chunk);
  // A chunk is filled in full: its 40 pages faulted in at once (at 20k series the consumer had
  // spent a tenth of its time in page faults here).
  populate_for_write(c, sizeof(Chunk));
  return static_cast<Chunk*>(c);
}

void PartitionRows::trim_pool() {
  ChunkPool& p = pool();
  std::lock_guard<std::mutex> lk(p.mu);
  for (void* c : p.free) ::madvise(c, sizeof(Chunk) / 4096 * 4096, MADV_DONTNEED);
}

void PartitionRows::clear() {
  if (!chunks_.empty()) {
    ChunkPool& p = pool();
    std::lock_guard<std::mutex> lk(p.mu);
    p.free.insert(p.free.end(), chunks_.begin(), chunks_.end());
  }
  chunks_.clear();
  chunks_.shrink_to_fit();
  size_ = 0;
}

Month month_of(int64_t ts_ms) {
  int64_t y;
  unsigned m, d;
  civil_from_days(floor_days(ts_ms), &y, &m, &d);
  Month out;
  out.index = y * 12 + (m - 1);
  out.min_ts = days_from_civil(y, m, 1) * kMsPerDay;
  const int64_t ny = m == 12 ? y + 1 : y;
  const unsigned nm = m == 12 ? 1 : m + 1;
  out.max_ts = days_from_civil(ny, nm, 1) * kMsPerDay - 1;
  return out;
}

std::string Month::name() const {
  const int64_t y = index >= 0 ? index / 12 : (index - 11) / 12;
  const int64_t m = index - y * 12 + 1;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld_%02lld", static_cast<long long>(y), static_cast<long long>(m));
  return buf;
}

}  // namespace vmt::ingest
