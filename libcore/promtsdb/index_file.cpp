#include "promtsdb/index_file.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "promtsdb/crc32c.h"

namespace vmt::promtsdb {

namespace {

constexpr uint64_t kHeaderSize = 5;
constexpr uint64_t kTocSize = 6 * 8 + 4;

std::string hex32(uint32_t v) {
  char b[11];
  std::snprintf(b, sizeof b, "0x%08X", v);
  return b;
}

}  // namespace

Status IndexFile::error(uint64_t offset, const std::string& what) const {
  return corruption(path() + ": offset " + std::to_string(offset) + ": " + what);
}

Result<ByteView> IndexFile::section(uint64_t off, const char* what) const {
  const ByteView all = data_;
  if (off > all.size() || all.size() - off < 8) {
    return error(off, std::string(what) + ": section starts past the end of the file (" +
                          std::to_string(all.size()) + " bytes)");
  }
  const uint32_t len = load_u32(all.data() + off);
  if (uint64_t(len) + 8 > all.size() - off) {
    return error(off, std::string(what) + ": length " + std::to_string(len) + " runs past the end of the file");
  }
  const ByteView body = all.substr(off + 4, len);
  const uint32_t want = load_u32(all.data() + off + 4 + len);
  const uint32_t got = crc32c(body);
  if (want != got) {
    return error(off, std::string(what) + ": CRC32C mismatch (stored " + hex32(want) + ", computed " + hex32(got) + ")");
  }
  return body;
}

Status IndexFile::open(const std::string& path) {
  VMT_TRY(file_.open(path));
  return parse(file_.view(), path);
}

Status IndexFile::parse(ByteView data, const std::string& name) {
  data_ = data;
  name_ = name;
  const ByteView all = data_;
  if (all.size() < kHeaderSize + kTocSize) {
    return error(0, "file too short for a header and a table of contents (" + std::to_string(all.size()) + " bytes)");
  }
  if (load_u32(all.data()) != kIndexMagic) {
    return error(0, "not a Prometheus index: magic " + hex32(load_u32(all.data())) + ", want " + hex32(kIndexMagic));
  }
  const uint8_t version = byte_at(all, 4);
  if (version != 2) {
    return error(4, "index format version " + std::to_string(version) +
                        " is not supported (version 2 is written by every Prometheus since 2.0)");
  }
  const uint64_t toc_off = all.size() - kTocSize;
  const ByteView toc = all.substr(toc_off, 48);
  if (load_u32(all.data() + toc_off + 48) != crc32c(toc)) return error(toc_off, "table of contents: CRC32C mismatch");
  uint64_t ref[6];
  for (int i = 0; i < 6; ++i) {
    ref[i] = load_u64(toc.data() + 8 * i);
    if (ref[i] != 0 && (ref[i] < kHeaderSize || ref[i] >= toc_off)) {
      return error(toc_off + 8 * i, "table of contents: section offset " + std::to_string(ref[i]) + " out of range");
    }
  }
  // The series lie between their section offset and the next section.
  series_start_ = ref[1];
  series_end_ = toc_off;
  for (int i = 2; i < 6; ++i) {
    if (ref[i] > series_start_) series_end_ = std::min(series_end_, ref[i]);
  }
  symbols_.clear();
  all_.clear();
  if (ref[0] != 0) VMT_TRY(read_symbols(ref[0]));
  if (ref[5] == 0) return Status::ok();  // no postings: an empty block
  uint64_t all_off = 0;
  VMT_TRY(read_postings_table(ref[5], &all_off));
  if (all_off == UINT64_MAX) return Status::ok();
  return read_postings(all_off);
}

Status IndexFile::read_symbols(uint64_t off) {
  VMT_ASSIGN_OR_RETURN(ByteView body, section(off, "symbol table"));
  ByteReader r(body, off + 4);
  VMT_ASSIGN_OR_RETURN(uint32_t n, r.u32("symbol count"));
  if (n > body.size()) return error(off, "symbol table: " + std::to_string(n) + " symbols cannot fit in " + std::to_string(body.size()) + " bytes");
  symbols_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    auto s = r.bytes("symbol", body.size());
    if (!s.is_ok()) return corruption(path() + ": symbol table: " + s.status().message());
    symbols_.push_back(*s);
  }
  return Status::ok();
}

Status IndexFile::read_postings_table(uint64_t off, uint64_t* all_postings_off) {
  *all_postings_off = UINT64_MAX;
  VMT_ASSIGN_OR_RETURN(ByteView body, section(off, "postings offset table"));
  ByteReader r(body, off + 4);
  VMT_ASSIGN_OR_RETURN(uint32_t n, r.u32("postings offset count"));
  // The entries are sorted by (name, value): the all-series key ("", "") can only be the first.
  if (n == 0) return Status::ok();
  auto fail = [&](const Status& s) { return corruption(path() + ": postings offset table: " + s.message()); };
  auto keys = r.u8("key count");
  if (!keys.is_ok()) return fail(keys.status());
  if (*keys != 2) return error(r.offset() - 1, "postings offset table: entry has " + std::to_string(*keys) + " key parts, want 2");
  auto name = r.bytes("label name", body.size());
  if (!name.is_ok()) return fail(name.status());
  auto value = r.bytes("label value", body.size());
  if (!value.is_ok()) return fail(value.status());
  auto p = r.varuint("postings offset");
  if (!p.is_ok()) return fail(p.status());
  if (name->empty() && value->empty()) *all_postings_off = *p;
  return Status::ok();
}

Status IndexFile::read_postings(uint64_t off) {
  VMT_ASSIGN_OR_RETURN(ByteView body, section(off, "postings list of all series"));
  ByteReader r(body, off + 4);
  VMT_ASSIGN_OR_RETURN(uint32_t n, r.u32("postings count"));
  if (uint64_t(n) * 4 != r.remaining()) {
    return error(off, "postings list: " + std::to_string(n) + " entries in " + std::to_string(r.remaining()) + " bytes");
  }
  all_.resize(n);
  const char* p = body.data() + 4;
  for (uint32_t i = 0; i < n; ++i) {
    all_[i] = load_u32(p + 4 * i);
    if (i > 0 && all_[i] <= all_[i - 1]) {
      return error(off + 8 + 4 * uint64_t(i), "postings list: series ref " + std::to_string(all_[i]) + " after " +
                                                 std::to_string(all_[i - 1]) + " (must increase)");
    }
  }
  return Status::ok();
}

Status IndexFile::series(uint32_t ref, SeriesEntry* out) const {
  const uint64_t off = uint64_t(ref) * 16;
  out->ref = ref;
  out->labels.clear();
  out->chunks.clear();
  if (off < series_start_ || off >= series_end_ || series_start_ == 0) {
    return error(off, "series ref " + std::to_string(ref) + " outside the series section [" +
                          std::to_string(series_start_) + ", " + std::to_string(series_end_) + ")");
  }
  const ByteView all = data_;
  uint64_t len = 0;
  const int n = decode_varuint(all.data() + off, series_end_ - off, &len);
  if (n <= 0) return error(off, "series " + std::to_string(ref) + ": truncated length");
  const uint64_t body_off = off + uint64_t(n);
  if (len > series_end_ - body_off || series_end_ - body_off - len < 4) {
    return error(off, "series " + std::to_string(ref) + ": length " + std::to_string(len) + " runs past the series section");
  }
  const ByteView body = all.substr(body_off, len);
  if (load_u32(all.data() + body_off + len) != crc32c(body)) {
    return error(off, "series " + std::to_string(ref) + ": CRC32C mismatch");
  }
  ByteReader r(body, body_off);
  auto fail = [&](const Status& s) { return corruption(path() + ": series " + std::to_string(ref) + ": " + s.message()); };
  auto nl = r.varuint("labels count");
  if (!nl.is_ok()) return fail(nl.status());
  if (*nl > len) return error(body_off, "series " + std::to_string(ref) + ": " + std::to_string(*nl) + " labels in " + std::to_string(len) + " bytes");
  out->labels.resize(*nl);
  for (auto& l : out->labels) {
    const uint64_t at = r.offset();
    auto a = r.varuint("label name ref");
    if (!a.is_ok()) return fail(a.status());
    auto b = r.varuint("label value ref");
    if (!b.is_ok()) return fail(b.status());
    if (*a >= symbols_.size() || *b >= symbols_.size()) {
      return error(at, "series " + std::to_string(ref) + ": symbol ref " + std::to_string(std::max(*a, *b)) +
                           " out of range (" + std::to_string(symbols_.size()) + " symbols)");
    }
    l.name = symbols_[*a];
    l.value = symbols_[*b];
  }
  auto nc = r.varuint("chunks count");
  if (!nc.is_ok()) return fail(nc.status());
  if (*nc > len) return error(body_off, "series " + std::to_string(ref) + ": " + std::to_string(*nc) + " chunks in " + std::to_string(len) + " bytes");
  out->chunks.resize(*nc);
  for (uint64_t i = 0; i < *nc; ++i) {
    ChunkMeta& c = out->chunks[i];
    if (i == 0) {
      auto mint = r.varint("chunk mint");
      if (!mint.is_ok()) return fail(mint.status());
      c.mint = *mint;
    } else {
      auto d = r.varuint("chunk mint delta");
      if (!d.is_ok()) return fail(d.status());
      c.mint = int64_t(uint64_t(out->chunks[i - 1].maxt) + *d);
    }
    auto span = r.varuint("chunk maxt delta");
    if (!span.is_ok()) return fail(span.status());
    c.maxt = int64_t(uint64_t(c.mint) + *span);
    if (i == 0) {
      auto cr = r.varuint("chunk ref");
      if (!cr.is_ok()) return fail(cr.status());
      c.ref = *cr;
    } else {
      auto d = r.varint("chunk ref delta");
      if (!d.is_ok()) return fail(d.status());
      c.ref = out->chunks[i - 1].ref + uint64_t(*d);
    }
  }
  return Status::ok();
}

}  // namespace vmt::promtsdb
