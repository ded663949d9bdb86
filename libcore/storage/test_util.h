// Helpers shared by the storage unit tests (not part of the library).
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/fs.h"
#include "encoding/zstd.h"
#include "storage/block_header.h"
#include "storage/inmemory_part.h"
#include "storage/metaindex_row.h"
#include "../tests/test_support.h"

namespace vmt::storage::testutil {

inline Bytes unzstd(ByteView b) {
  Bytes out;
  Status st = zstd::decompress(out, b, 1 << 28);
  return st.is_ok() ? out : Bytes("<zstd error: " + st.message() + ">");
}

// A part assembled from headers exactly as given (no writer checks), `per_block` headers per
// index block; the part header is computed from the headers unless `ph` is given.
inline InmemoryPart assemble_part(const std::vector<BlockHeader>& hdrs, ByteView timestamps, ByteView values,
                                  size_t per_block = 1000, const PartHeader* ph = nullptr) {
  InmemoryPart p;
  p.timestamps.assign(timestamps);
  p.values.assign(values);
  Bytes metaindex;
  for (size_t i = 0; i < hdrs.size(); i += per_block) {
    Bytes raw;
    MetaindexRow mr;
    for (size_t j = i; j < hdrs.size() && j < i + per_block; ++j) {
      hdrs[j].encode(raw, vmt::metric::Tenancy::kCluster);
      mr.register_block_header(hdrs[j]);
    }
    mr.index_block_offset = p.index.size();
    zstd::compress(p.index, raw, 1);
    mr.index_block_size = uint32_t(p.index.size() - mr.index_block_offset);
    mr.encode(metaindex, vmt::metric::Tenancy::kCluster);
  }
  zstd::compress(p.metaindex, metaindex, 1);
  if (ph) {
    p.header = *ph;
  } else {
    for (const auto& bh : hdrs) p.header.update(bh);
  }
  return p;
}

// Directories <root>/**/data/small/<partition>/<part> holding metadata.json, relative to root.
inline void find_parts(const std::string& root, const std::string& rel, int depth, std::vector<std::string>& out) {
  if (depth > 8) return;
  auto entries = fs::list_dir(fs::join(root, rel));
  if (!entries.is_ok()) return;
  const std::string base = fs::base_name(rel);
  const std::string parent = rel.empty() ? "" : fs::base_name(fs::dir_name(rel));
  for (const auto& e : entries.value()) {
    if (!e.is_dir) continue;
    const std::string sub = rel.empty() ? e.name : rel + "/" + e.name;
    if (parent == "data" && base == "small" && e.name != "snapshots") {
      // sub is data/small/<partition>: its subdirectories with metadata.json are parts.
      auto parts = fs::list_dir(fs::join(root, sub));
      if (!parts.is_ok()) continue;
      for (const auto& p : parts.value()) {
        if (p.is_dir && fs::is_file(fs::join(root, sub + "/" + p.name + "/metadata.json"))) {
          out.push_back(sub + "/" + p.name);
        }
      }
      continue;
    }
    find_parts(root, sub, depth + 1, out);
  }
}

inline std::vector<std::string> fixture_parts() {
  std::vector<std::string> out;
  find_parts(test::fixtures_dir(), "", 0, out);
  return out;
}

// Overwrites a file without fsync (tests rewrite files thousands of times).
inline void write_plain(const std::string& path, ByteView data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), std::streamsize(data.size()));
}

// Overwrites one byte in place (no truncation: ext4 flushes a truncated-and-rewritten file on
// close, which makes byte-flip loops crawl).
inline void poke_byte(const std::string& path, size_t off, char value) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(std::streamoff(off));
  f.put(value);
}

inline Status copy_file(const std::string& from, const std::string& to) {
  VMT_ASSIGN_OR_RETURN(Bytes b, fs::read_file(from, 1 << 30));
  return fs::write_file_sync(to, b);
}

inline Status copy_part(const std::string& from, const std::string& to) {
  VMT_TRY(fs::mkdir_p(to));
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(from));
  for (const auto& e : entries) {
    if (!e.is_dir) VMT_TRY(copy_file(fs::join(from, e.name), fs::join(to, e.name)));
  }
  return Status::ok();
}

}  // namespace vmt::storage::testutil
