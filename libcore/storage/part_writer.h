// PartWriter: the block stream writer that lays out a data part.
//
// Spec: data-part.md §6 (data blocks, timestamps reuse), §7 (index blocks: flush AFTER appending
// a header once the pending buffer is >= 65536 bytes; compression level), §8 (one metaindex row
// per index block, all rows as one zstd frame at close), §9.3 (part header), §15.A (close order).
// The other side is part_reader.cpp; byte-compatible with VM's blockStreamWriter in v1.93.7.
//
//   timestamps.bin  data blocks back to back; a block byte-identical to the last STORED non-empty
//                   one is not stored again, its header points at that one (offset and size)
//   values.bin      data blocks back to back, in header order
//   index.bin       zstd(header_1 ‖ … ‖ header_k) per index block, back to back
//   metaindex.bin   zstd(row_1 ‖ … ‖ row_m) at close
//   metadata.json   written last by the directory sink, then the directory is fsynced
//
// The bytes go to a PartSink: a directory (buffered files, §15.A order) or an InmemoryPart
// (store it later with InmemoryPart::store_to_disk, §15.B). Blocks must come in the order the
// reader requires (TSID non-decreasing, for one TSID MinTimestamp non-decreasing); a block that
// breaks it is refused with invalid_argument, so a writer bug never produces an unreadable part.
//
// A part with no blocks has RowsCount 0 and no metaindex: vmstorage removes such a directory
// (§15.A step 6); so must the caller.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/coding.h"
#include "base/fs.h"
#include "base/status.h"
#include "metric/tsid.h"
#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/inmemory_part.h"
#include "storage/metaindex_row.h"
#include "storage/part_header.h"

namespace vmt::storage {

// Compression level for the index blocks and metaindex of parts built from ingested rows.
constexpr int kCompressLevelFromRows = -5;
// getCompressLevel (partition.go) for merge outputs; rows_per_block = Σ RowsCount / Σ BlocksCount
// of the source parts: <=10 -5, <=50 -2, <=200 -1, <=500 1, <=1000 2, <=2000 3, <=4000 4, else 5.
int compress_level_for_merge(double rows_per_block);

enum class PartStream { kTimestamps, kValues, kIndex, kMetaindex };

// Where the four byte streams of a part go.
class PartSink {
 public:
  virtual ~PartSink() = default;
  virtual Status append(PartStream stream, ByteView data) = 0;
  // Called once by PartWriter::close after the last append: make everything durable.
  virtual Status finish(const PartHeader& header) = 0;
};

// Files in a directory (created if missing; its parent is not fsynced: that is the partition's
// job, §15.A step 1). finish closes timestamps.bin → values.bin → index.bin → metaindex.bin
// (flush, fsync, close each), writes metadata.json (write_file_sync) and fsyncs the directory.
class DirPartSink : public PartSink {
 public:
  Status open(const std::string& dir);
  Status append(PartStream stream, ByteView data) override;
  Status finish(const PartHeader& header) override;

 private:
  std::string dir_;
  fs::FileWriter files_[4];
};

// The streams of an InmemoryPart (cleared at construction); finish stores the header.
class MemoryPartSink : public PartSink {
 public:
  explicit MemoryPartSink(InmemoryPart* part);
  Status append(PartStream stream, ByteView data) override;
  Status finish(const PartHeader& header) override;

 private:
  InmemoryPart* part_;
};

class PartWriter {
 public:
  PartWriter() = default;
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  // `tenancy` chooses the block header and metaindex row layouts (metric/tenancy.h).
  Status open_dir(const std::string& dir, metric::Tenancy tenancy, int compress_level);
  void open_memory(InmemoryPart* part, metric::Tenancy tenancy, int compress_level);
  void open(PartSink* sink, metric::Tenancy tenancy, int compress_level);   // sink not owned; outlives us

  // An encoded block (merges copy blocks through). Every header field but the two offsets is
  // taken from `bh`; the sizes must equal the data sizes.
  Status write_raw(const BlockHeader& bh, ByteView timestamps_data, ByteView values_data);
  // What write_rows accepts: 1..kMaxRowsPerBlockRead rows, PrecisionBits 1..64.
  static Status check_rows(size_t n, uint8_t precision_bits);
  // Encodes n rows (sorted timestamps, mantissas at `scale`) with `precision_bits` and writes them.
  Status write_rows(const metric::TSID& tsid, const int64_t* timestamps, const int64_t* values, size_t n,
                    int16_t scale, uint8_t precision_bits);
  // Encodes b.timestamps / b.values with b.header's tsid, scale and precision_bits.
  Status write_block(const Block& b);

  // Flushes the pending index block and the metaindex, then finishes the sink. After close the
  // part header holds the totals (with MinDedupInterval = min_dedup_interval_ms).
  Status close(int64_t min_dedup_interval_ms = 0);

  const PartHeader& part_header() const { return ph_; }

  // A block of a series that starts before the series' previous block is refused (data-part.md
  // §10.2: the server's range search stops at a series' first block that starts after the range)
  // unless allowed here. The server's own merge writes such blocks: retention or deduplication
  // drops the first rows of a merged block after its place was decided by its old MinTimestamp,
  // and the next block may hold rows older than the new first one (merge.md §4). The block stream
  // merge allows them, to write what the server writes, and counts them.
  void allow_series_min_backwards() { allow_min_backwards_ = true; }
  uint64_t series_min_backwards() const { return min_backwards_; }

 private:
  Status flush_index_block();
  Status append(PartStream stream, ByteView data);

  std::unique_ptr<PartSink> owned_sink_;
  PartSink* sink_ = nullptr;
  int level_ = kCompressLevelFromRows;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  bool closed_ = false;
  Status sticky_;

  PartHeader ph_;
  uint64_t offsets_[4] = {0, 0, 0, 0};   // bytes appended per stream
  Bytes index_buf_;            // pending block headers
  Bytes compressed_;           // scratch for zstd output
  Bytes metaindex_buf_;        // all metaindex rows so far
  MetaindexRow mr_;            // row of the pending index block
  Bytes prev_ts_;              // last stored timestamps block
  uint64_t prev_ts_off_ = 0;
  bool have_prev_ = false;
  BlockHeader prev_;
  bool allow_min_backwards_ = false;
  uint64_t min_backwards_ = 0;
  Bytes ts_buf_, values_buf_;  // encode scratch
};

}  // namespace vmt::storage
