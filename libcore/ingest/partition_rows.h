// PartitionRows: the accepted samples of one partition (one UTC month), waiting to become a part.
//
// Spec: data-part.md §1 (a partition holds the rows whose timestamp lies in one UTC calendar
// month; a row in the wrong month's partition is invisible to queries), storage-layout.md §2.2.
// A sample is (series id in the SeriesRegistry, timestamp ms, float64 value): 20 bytes, kept in
// fixed chunks of 8192 rows so that growing never copies nor doubles the memory, and the buffer's
// size is known exactly for --mem-limit. data_part_builder.h turns it into a part.
// The chunks come from a process-wide pool of slabs, and go back to it when the rows are cleared:
// the buffer refilled after an early flush touches memory that is already mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vmt::ingest {

class PartitionRows {
 public:
  static constexpr size_t kChunkShift = 13;  // 8192 rows, 160 KiB
  static constexpr size_t kChunkRows = size_t(1) << kChunkShift;

  void append(uint32_t series, int64_t timestamp, double value) {
    const size_t off = size_ & (kChunkRows - 1);
    if (off == 0 && (size_ >> kChunkShift) == chunks_.size()) chunks_.push_back(take_chunk());
    Chunk& c = *chunks_[size_ >> kChunkShift];
    c.series[off] = series;
    c.timestamps[off] = timestamp;
    c.values[off] = value;
    ++size_;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint32_t series(size_t i) const { return chunks_[i >> kChunkShift]->series[i & (kChunkRows - 1)]; }
  int64_t timestamp(size_t i) const { return chunks_[i >> kChunkShift]->timestamps[i & (kChunkRows - 1)]; }
  double value(size_t i) const { return chunks_[i >> kChunkShift]->values[i & (kChunkRows - 1)]; }

  uint64_t memory_bytes() const { return chunks_.size() * sizeof(Chunk); }
  void clear();  // gives the memory back to the pool
  // Drops the pages of the pool's free chunks from the resident set (they stay mapped, and read as
  // zeros when reused): once the buffers are flushed for good, merges and the index need the memory.
  static void trim_pool();
  ~PartitionRows() { clear(); }
  PartitionRows() = default;
  PartitionRows(const PartitionRows&) = delete;
  PartitionRows& operator=(const PartitionRows&) = delete;

 private:
  struct Chunk {
    int64_t timestamps[kChunkRows];
    double values[kChunkRows];
    uint32_t series[kChunkRows];
  };
  static Chunk* take_chunk();
  std::vector<Chunk*> chunks_;
  size_t size_ = 0;
};

// The month a timestamp belongs to, as a number (year * 12 + month - 1) and as the partition name
// "YYYY_MM" (layout::partition_name_for); [min_ts, max_ts] is the month's range in ms.
struct Month {
  int64_t index = 0;
  int64_t min_ts = 0, max_ts = 0;
  std::string name() const;
};
Month month_of(int64_t ts_ms);

}  // namespace vmt::ingest
