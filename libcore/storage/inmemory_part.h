// InmemoryPart: a data part held in RAM, the same four byte streams plus its part header.
//
// Spec: data-part.md §11 (there is no separate in-memory format) and §15.B (storing one to disk
// verbatim). Filled by PartWriter::open_memory (part_writer.h), read by PartReader::open_memory
// (part_reader.h), stored by store_to_disk.
#pragma once

#include <cstdint>
#include <string>

#include "base/coding.h"
#include "base/status.h"
#include "storage/part_header.h"

namespace vmt::storage {

struct InmemoryPart {
  PartHeader header;
  metric::Tenancy tenancy = metric::Tenancy::kCluster;  // the layout the writer used
  Bytes timestamps;   // timestamps.bin
  Bytes values;       // values.bin
  Bytes index;        // index.bin
  Bytes metaindex;    // metaindex.bin

  void clear();
  // The part "size" of the merge policy: the four streams (metadata.json excluded).
  uint64_t size_bytes() const { return timestamps.size() + values.size() + index.size() + metaindex.size(); }

  // inmemoryPart.MustStoreToDisk (§15.B): creates `dir` (it must not exist; its parent must),
  // fsyncs the parent, then writes timestamps.bin, values.bin, index.bin, metaindex.bin and
  // metadata.json in that order (create, write, fsync, close each) and fsyncs `dir`.
  // On failure the partly written directory is left for the caller to remove.
  Status store_to_disk(const std::string& dir) const;
};

}  // namespace vmt::storage
