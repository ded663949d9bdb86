// MappedFile: a whole file mapped read-only, for formats read by offset (Prometheus TSDB blocks:
// the index is addressed by series offset, chunk files by chunk reference).
//
// The mapping costs no memory of its own, but the pages a reader touches count in its resident set
// until it lets them go: a reader walking forward calls release_before(offset) now and then, so that
// a block of any size is read in bounded RSS (the pages stay in the page cache). An empty file maps
// nothing and yields an empty view.
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt {

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps `path`; io_error naming the path when it cannot be opened or mapped.
  Status open(const std::string& path);
  ByteView view() const { return ByteView(data_, size_); }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Drops the pages below `offset`, in steps of 8 MiB, from the resident set (madvise DONTNEED on a
  // read-only file mapping: they are read again from the page cache if touched later).
  void release_before(uint64_t offset);

 private:
  void close();

  std::string path_;
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t released_ = 0;
};

}  // namespace vmt
