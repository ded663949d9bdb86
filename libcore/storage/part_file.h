// PartFile and SeqReader: reading the files of a data part without loading them whole.
//
// Spec: data-part.md §12 (timestamps.bin, values.bin and index.bin are opened for random access;
// a part can be gigabytes). A PartFile is an open file read with pread, or a view of an in-memory
// buffer (in-memory parts, fuzzing); either way reads are bounds-checked against the size seen at
// open. A SeqReader serves the front-to-back reads of the block stream reader from one buffer, so
// a block costs no syscall and no allocation.
//
// Used by part_reader.cpp. Errors name the file as given to open (the part's display path).
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::storage {

class PartFile {
 public:
  PartFile() = default;
  ~PartFile();
  PartFile(const PartFile&) = delete;
  PartFile& operator=(const PartFile&) = delete;

  // `name` is how errors call the file, e.g. "data/small/2023_11/18EA24302710624C/index.bin".
  Status open(const std::string& path, std::string name);
  void open_memory(ByteView data, std::string name);
  void close();

  uint64_t size() const { return size_; }
  const std::string& name() const { return name_; }
  bool in_memory() const { return fd_ < 0; }

  // Exactly n bytes at off: a view into the memory buffer, or read into `scratch` (resized to n).
  // A range beyond the end is corruption naming the file, offset and size.
  Result<ByteView> read_at(uint64_t off, size_t n, Bytes& scratch) const;

 private:
  int fd_ = -1;
  ByteView mem_;
  uint64_t size_ = 0;
  std::string name_;
};

// Forward-only buffered reads: each read must start at or after the end of the previous one
// (a gap is skipped). The returned view stays valid until the next read.
class SeqReader {
 public:
  static constexpr size_t kDefaultBuffer = 256 << 10;

  void reset(const PartFile* file, size_t buffer_size = kDefaultBuffer);
  Result<ByteView> read(uint64_t off, size_t n);

 private:
  const PartFile* file_ = nullptr;
  size_t buffer_size_ = kDefaultBuffer;
  Bytes buf_;
  uint64_t buf_off_ = 0;   // file offset of buf_[0]
  uint64_t min_next_ = 0;  // reads must not go backwards
};

}  // namespace vmt::storage
