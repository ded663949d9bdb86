// PartReader: opens a data part and streams its blocks in index order, checking everything.
//
// Spec: data-part.md §6 (data layout, timestamps reuse), §7 (index blocks), §8 (metaindex), §10
// (global invariants), §12 (open); storage-layout.md §4.1 (what vmstorage checks at open and
// "later"). The other side is part_writer.cpp. This is VM's blockStreamReader plus the checks of
// mustOpenFilePart, plus a few invariants VM relies on without checking (marked [extra] below).
// Every part vmstorage writes is accepted; a damaged one fails with a message naming the file,
// offset, index block, block header and field, e.g.
//   data/small/2023_11/18EA24302710624C/index.bin: offset 81000: index block 3 of 9 (4096 bytes,
//   40 block headers per the metaindex): block header #12 (block 2223): RowsCount must be > 0; got 0
// The offset is that of the compressed index block (or data block); numbers count from 0.
//
// At open: metadata.json (or the legacy name); metaindex.bin read whole and decompressed with a
// cap derived from BlocksCount and the size of index.bin; rows contiguous from offset 0, ending
// exactly at the end of index.bin [extra: no trailing bytes], within the part's Min/MaxTimestamp,
// ΣBlockHeadersCount <= BlocksCount. index.bin, timestamps.bin and values.bin are opened, never
// loaded whole (buffered forward reads, or pread).
// Per block header: BlockHeader::validate; the first header of an index block has the metaindex
// row's TSID; exactly BlockHeadersCount headers per index block (also the last one [extra]);
// TSID non-decreasing;
// MinTimestamp <= MaxTimestamp [extra: VM panics on it]; both within the part header and the
// metaindex row; running blocks/rows <= BlocksCount/RowsCount; timestamps block at the running
// end or reusing the previous stored block (same offset, same size, non-empty); values block at
// the running end; both inside their files.
// Per decoded block (next): encoding.md §8, and lossless timestamps of every type non-decreasing
// within [MinTimestamp, MaxTimestamp] [extra, §10.3; VM checks the plain types only].
// At the end, warnings, not errors: bytes after the last block of timestamps.bin or values.bin
// (the server never reads them and serves such a part exactly); blocks of a series that start
// before the series' previous block (§10.2 wants MinTimestamp non-decreasing, and the server's
// range search relies on it, but its merge writes such blocks when retention or deduplication
// trims a block's first rows, and its readers accept them: storage/part_writer.h).
// verify_totals() additionally requires the counts and time range to equal metadata.json (VM only
// checks upper bounds, storage-layout.md §4.1).
//
// A block whose data does not decode (next) is reported and skipped: the stream stays usable.
// Every other error is final: later calls return it again.
// Not thread-safe; one reader per thread. Views returned by next_raw live until the next call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "storage/block.h"
#include "storage/block_header.h"
#include "storage/inmemory_part.h"
#include "storage/metaindex_row.h"
#include "storage/part_file.h"
#include "storage/part_header.h"

namespace vmt::storage {

// More headers than this in one index block are rejected before allocating (v1.93.7 writes at
// most 737, later versions 736; a reader cannot otherwise bound a zstd frame's output).
constexpr uint32_t kMaxBlockHeadersPerIndexBlock = 1 << 16;

// A block as stored: its header and its two encoded data blocks (views valid until the next call).
struct RawBlock {
  BlockHeader header;
  ByteView timestamps_data;
  ByteView values_data;
};

class PartReader {
 public:
  // Where the last returned block header came from (for dumps and error messages).
  struct Position {
    uint64_t block = 0;               // number of the block in the part
    size_t index_block = 0;           // number of the index block (= metaindex row)
    size_t header = 0;                // number of the header inside that index block
    size_t headers_in_block = 0;      // its BlockHeadersCount
  };

  PartReader() = default;
  PartReader(const PartReader&) = delete;
  PartReader& operator=(const PartReader&) = delete;

  // Opens the part directory `dir`. `display` names the part in errors (for example the path
  // relative to the storage root); empty means `dir`.
  // `tenancy` chooses the 89/64-byte (cluster) or 81/56-byte (single-node) header and row layouts.
  Status open(const std::string& dir, metric::Tenancy tenancy, const std::string& display = "");
  // Opens in-memory files. The views must outlive the reader. The header is validated.
  Status open_memory(const PartHeader& header, metric::Tenancy tenancy, ByteView metaindex, ByteView index,
                     ByteView timestamps, ByteView values, const std::string& display = "<in-memory part>");
  Status open_memory(const InmemoryPart& part, const std::string& display = "<in-memory part>") {
    return open_memory(part.header, part.tenancy, part.metaindex, part.index, part.timestamps, part.values,
                       display);
  }

  const PartHeader& part_header() const { return ph_; }
  const std::vector<MetaindexRow>& metaindex() const { return mrs_; }
  const std::string& display() const { return display_; }
  // The part size of the merge policy: the four .bin files.
  uint64_t size_bytes() const;

  // The next block header, with every header and layout check; data blocks are not read.
  Status next_header(BlockHeader& out, bool* eof);
  // The next block with its encoded data (for merges that copy blocks through).
  Status next_raw(RawBlock& out, bool* eof);
  // The next block, decoded (encoding.md §8 post-processing included).
  Status next(Block& out, bool* eof);

  const Position& position() const { return pos_; }
  // Oddities the server accepts, each naming file and offset, known at EOF: bytes after the last
  // block of timestamps.bin or values.bin, blocks of a series out of MinTimestamp order.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // After EOF: blocks, rows and Min/MaxTimestamp seen must equal metadata.json.
  Status verify_totals() const;

 private:
  Status init(ByteView metaindex_compressed);
  Status advance(bool* eof);                 // next header into cur_, layout bookkeeping
  Status load_index_block();
  Status check_header(const BlockHeader& bh, size_t h);
  Status check_data_layout(const BlockHeader& bh, size_t h, bool* reuse);
  void accept_header(const BlockHeader& bh, bool reuse);
  Status read_data(RawBlock& out);
  Status at_eof();
  Status fail(Status st);                    // makes the error sticky
  std::string index_block_ctx() const;
  std::string header_ctx(size_t h) const;
  std::string data_ctx(const char* file, uint64_t off) const;

  std::string display_;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  PartHeader ph_;
  std::vector<MetaindexRow> mrs_;
  PartFile index_file_, timestamps_file_, values_file_;
  uint64_t metaindex_size_ = 0;
  SeqReader index_seq_, timestamps_seq_, values_seq_;
  bool opened_ = false;
  Status sticky_;
  std::vector<std::string> warnings_;
  bool eof_ = false;

  // Stream state.
  Bytes index_data_;              // decompressed current index block
  size_t mr_next_ = 0;            // next metaindex row to load
  size_t hdr_next_ = 0;           // next header inside index_data_
  size_t hdrs_in_block_ = 0;
  Position pos_;
  BlockHeader cur_;
  bool have_prev_ = false;
  metric::TSID prev_tsid_;
  int64_t prev_min_timestamp_ = 0;
  uint64_t min_backwards_ = 0;            // blocks that start before their series' previous block
  std::string first_min_backwards_;       // where the first of them is
  uint64_t blocks_read_ = 0;
  uint64_t rows_read_ = 0;
  int64_t min_seen_ = 0, max_seen_ = 0;
  // Data layout (§6).
  uint64_t ts_end_ = 0;           // running end of timestamps.bin
  uint64_t values_end_ = 0;       // running end of values.bin
  uint64_t prev_ts_off_ = 0;      // offset and size of the last stored timestamps block
  uint32_t prev_ts_size_ = 0;
  bool cur_reuses_ts_ = false;
  bool prev_ts_loaded_ = false;   // prev_ts_ holds the bytes of that block
  Bytes prev_ts_;
  Bytes scratch_;
};

}  // namespace vmt::storage
