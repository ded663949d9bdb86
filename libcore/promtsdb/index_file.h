// IndexFile: a Prometheus TSDB block's `index` file (index format version 2).
//
// Spec: tsdb/docs/format/index.md (Prometheus repository). Bytes are big-endian; varints are Go's
// (LEB128, zig-zag for signed). What this reader uses:
//   header   magic 0xBAAAD700 (4) · version 2 (1)
//   TOC      the last 52 bytes: six u64 section offsets (symbols, series, label indices, label
//            offset table, postings, postings offset table) · CRC32C of those 48 bytes
//   symbols  len u32 · count u32 · (uvarint len · bytes)* · CRC32C(count..): sorted strings, referred
//            to by their position (index version 2)
//   series   at 16-aligned offsets; a series' ref is offset/16: uvarint len · (labels count uvarint ·
//            (name ref, value ref uvarint)* · chunks count uvarint · chunk metas) · CRC32C of the len
//            bytes. Chunk meta 0: mint varint · maxt-mint uvarint · ref uvarint; meta i: mint -
//            prev maxt uvarint · maxt-mint uvarint · ref - prev ref varint.
//   postings offset table: len u32 · count u32 · (n=2 · name · value (uvarint len + bytes each) ·
//            offset uvarint)* · CRC32C; sorted by (name, value). The pair ("", "") is the list of
//            every series (index.AllPostingsKey).
//   postings at an offset from that table: len u32 · count u32 · count x u32 series ref · CRC32C.
// Every offset, length, count and symbol reference is bounds-checked and every checksum verified;
// errors name the file and the byte offset. Label indices and the label offset table are not read
// (Prometheus itself no longer uses them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/mapped_file.h"
#include "base/status.h"

namespace vmt::promtsdb {

constexpr uint32_t kIndexMagic = 0xBAAAD700;

struct LabelPair {
  ByteView name, value;  // views into the index file's symbol table
};

struct ChunkMeta {
  int64_t mint = 0, maxt = 0;  // first and last sample's timestamp, ms
  uint64_t ref = 0;            // segment index << 32 | offset in that segment file
};

struct SeriesEntry {
  uint32_t ref = 0;  // offset / 16
  std::vector<LabelPair> labels;  // sorted by name, as stored
  std::vector<ChunkMeta> chunks;
};

class IndexFile {
 public:
  // Maps the file and checks its header, TOC, symbol table and postings offset table; reads the
  // list of all series.
  Status open(const std::string& path);
  // The same over bytes held by the caller (tests, fuzzing); `name` stands for the path in errors.
  Status parse(ByteView data, const std::string& name);
  const std::string& path() const { return name_; }

  // Every series ref, ascending (= label sets ascending).
  const std::vector<uint32_t>& all_series() const { return all_; }
  size_t symbol_count() const { return symbols_.size(); }
  // Decodes the series at `ref` into *out (its vectors reused). Corruption naming the offset when
  // the entry is truncated, fails its checksum, or refers to a symbol that does not exist.
  Status series(uint32_t ref, SeriesEntry* out) const;
  // Lets the pages below the series at `ref` leave the resident set (forward walks).
  void release_before_series(uint32_t ref) { file_.release_before(uint64_t(ref) * 16); }

 private:
  Status error(uint64_t offset, const std::string& what) const;
  Status read_symbols(uint64_t off);
  Status read_postings_table(uint64_t off, uint64_t* all_postings_off);
  Status read_postings(uint64_t off);
  // The `len u32 · body · CRC32C` section at `off`: its body, checksum verified.
  Result<ByteView> section(uint64_t off, const char* what) const;

  MappedFile file_;  // when opened from a path
  ByteView data_;
  std::string name_;
  std::vector<ByteView> symbols_;
  std::vector<uint32_t> all_;
  uint64_t series_start_ = 0, series_end_ = 0;  // where series entries may lie
};

}  // namespace vmt::promtsdb
