// ChunkFiles: the segment files under a block's `chunks/` directory (000001, 000002, ...).
//
// Spec: tsdb/docs/format/chunks.md (Prometheus repository).
//   segment  magic 0x85BD40DD (4, big-endian) · version 1 (1) · padding (3) · chunk*
//   chunk    len uvarint · encoding (1) · data (len bytes) · CRC32C of encoding and data (4, BE)
//   ref      (u64 from the index) = segment position << 32 | byte offset in that segment, where the
//            position counts the segment files in name order from 0 (chunks.Reader).
// Encodings: 1 XOR (floats), 2 histogram, 3 float histogram, 4 XOR2, 5/6 histograms with start
// timestamps. Every reference and length is bounds-checked and every checksum verified.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/mapped_file.h"
#include "base/status.h"

namespace vmt::promtsdb {

constexpr uint32_t kChunksMagic = 0x85BD40DD;

enum class ChunkEncoding : uint8_t {
  kNone = 0,
  kXor = 1,
  kHistogram = 2,
  kFloatHistogram = 3,
  kXor2 = 4,
  kHistogramSt = 5,
  kFloatHistogramSt = 6,
};

const char* encoding_name(uint8_t e);

struct Chunk {
  uint8_t encoding = 0;
  ByteView data;
};

class ChunkFiles {
 public:
  // Maps every segment of `dir` and checks each header. A block without chunks has no segment.
  Status open(const std::string& dir);
  // Adds a segment held by the caller (tests, fuzzing), checking its header; `name` is used in errors.
  Status add_segment(ByteView data, const std::string& name);
  size_t segments() const { return segments_.size(); }
  // The chunk at `ref`: corruption naming the segment and offset when the reference is out of
  // range, the chunk runs past its segment, or its checksum does not match.
  Result<Chunk> chunk(uint64_t ref) const;
  // Lets the pages of the segment of `ref` below it leave the resident set (forward walks).
  void release_before(uint64_t ref);

 private:
  struct Segment {
    ByteView data;
    std::string name;
    MappedFile* file = nullptr;  // when mapped here
  };
  std::string dir_;
  std::vector<std::unique_ptr<MappedFile>> files_;
  std::vector<Segment> segments_;
};

}  // namespace vmt::promtsdb
