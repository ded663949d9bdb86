// PartFiles: the five files of a mergeset part held in memory, and their file names.
//
// Spec: mergeset.md §4. A part directory holds metadata.json, metaindex.bin, index.bin, items.bin
// and lens.bin; v1.93.7's in-memory parts hold the same four buffers plus the header. Produced by
// PartWriter::open_in_memory (part_writer.h), consumed by PartReader::open_in_memory
// (part_reader.h) so tests and fuzzers need no disk.
//
// pack()/unpack(): a bundle for fuzz inputs and corpora (ours, not VictoriaMetrics'):
//   5 x ( u32 BE length · bytes ) in the order metadata.json, metaindex.bin, index.bin, items.bin,
//   lens.bin. unpack() tolerates a short input: missing files are empty, lengths are clamped.
#pragma once

#include <cstdint>

#include "base/coding.h"

namespace vmt::mergeset {

enum class PartFile : uint8_t { metadata = 0, metaindex = 1, index = 2, items = 3, lens = 4 };
constexpr int kPartFileCount = 5;
const char* part_file_name(PartFile f);  // "metadata.json", "metaindex.bin", ...

struct PartFiles {
  Bytes metadata_json;
  Bytes metaindex;
  Bytes index;
  Bytes items;
  Bytes lens;

  Bytes& file(PartFile f);
  const Bytes& file(PartFile f) const;
  // The part size of the merge policy (§4): the four .bin files.
  uint64_t size_bytes() const { return metaindex.size() + index.size() + items.size() + lens.size(); }

  Bytes pack() const;
  static PartFiles unpack(ByteView bundle);
};

}  // namespace vmt::mergeset
