// PartSource: where the bytes of a mergeset part come from when reading it, a directory or the
// five files in memory (PartFiles), so that tests and fuzzers need no disk.
//
// Spec: mergeset.md §4 (the files). Used by part_reader.cpp only. A directory source keeps
// index.bin, items.bin and lens.bin open and reads them with pread, one index block or one block
// payload at a time; it never loads them whole. metadata.json and metaindex.bin are small and
// are read whole by the reader itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/part_files.h"

namespace vmt::mergeset {

class PartSource {
 public:
  virtual ~PartSource() = default;
  // Size of index.bin, items.bin or lens.bin (and of metaindex.bin, for size_bytes()).
  virtual uint64_t size(PartFile f) const = 0;
  // n bytes at off of index.bin, items.bin or lens.bin; the caller checked off + n <= size(f).
  // The view points into the source (memory) or into `scratch` (files) and lives until the next
  // read with the same scratch.
  [[nodiscard]] virtual Status read(PartFile f, uint64_t off, size_t n, Bytes& scratch, ByteView* out) = 0;
};

// Opens <dir>/index.bin, items.bin and lens.bin (missing: not_found naming the path).
// metaindex_size is recorded for size().
Result<std::unique_ptr<PartSource>> open_dir_source(const std::string& dir, uint64_t metaindex_size);
std::unique_ptr<PartSource> memory_source(PartFiles files);

}  // namespace vmt::mergeset
