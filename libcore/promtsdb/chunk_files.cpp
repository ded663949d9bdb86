#include "promtsdb/chunk_files.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "base/fs.h"
#include "promtsdb/crc32c.h"

namespace vmt::promtsdb {

namespace {

constexpr uint64_t kSegmentHeader = 8;

bool is_segment_name(const std::string& n) {
  return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const char* encoding_name(uint8_t e) {
  switch (ChunkEncoding(e)) {
    case ChunkEncoding::kNone: return "none";
    case ChunkEncoding::kXor: return "XOR";
    case ChunkEncoding::kHistogram: return "histogram";
    case ChunkEncoding::kFloatHistogram: return "floathistogram";
    case ChunkEncoding::kXor2: return "XOR2";
    case ChunkEncoding::kHistogramSt: return "histogramST";
    case ChunkEncoding::kFloatHistogramSt: return "floathistogramST";
  }
  return "unknown";
}

Status ChunkFiles::open(const std::string& dir) {
  dir_ = dir;
  files_.clear();
  segments_.clear();
  if (!fs::is_dir(dir)) return Status::ok();  // a block without samples may have no chunks directory
  VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(dir));
  std::vector<std::string> names;
  for (const auto& e : entries) {
    if (is_segment_name(e.name)) names.push_back(e.name);
  }
  // Segment names have the same width (%06d), so name order is number order.
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  for (const auto& n : names) {
    auto f = std::make_unique<MappedFile>();
    VMT_TRY(f->open(fs::join(dir, n)));
    VMT_TRY(add_segment(f->view(), f->path()));
    segments_.back().file = f.get();
    files_.push_back(std::move(f));
  }
  return Status::ok();
}

Status ChunkFiles::add_segment(ByteView v, const std::string& name) {
  if (v.size() < kSegmentHeader) {
    return corruption(name + ": offset 0: segment too short for its header (" + std::to_string(v.size()) + " bytes)");
  }
  if (load_u32(v.data()) != kChunksMagic) return corruption(name + ": offset 0: not a Prometheus chunks segment (bad magic)");
  if (byte_at(v, 4) != 1) {
    return corruption(name + ": offset 4: chunks segment format version " + std::to_string(byte_at(v, 4)) +
                      " is not supported (want 1)");
  }
  segments_.push_back(Segment{v, name, nullptr});
  return Status::ok();
}

Result<Chunk> ChunkFiles::chunk(uint64_t ref) const {
  const uint64_t seg = ref >> 32, off = ref & 0xffffffffu;
  if (seg >= segments_.size()) {
    return corruption(dir_ + ": chunk ref " + std::to_string(ref) + ": segment " + std::to_string(seg) +
                      " out of range (" + std::to_string(segments_.size()) + " segment files)");
  }
  const Segment& sg = segments_[seg];
  const ByteView v = sg.data;
  auto fail = [&](uint64_t at, const std::string& what) {
    return corruption(sg.name + ": offset " + std::to_string(at) + ": chunk ref " + std::to_string(ref) + ": " + what);
  };
  if (off < kSegmentHeader || off >= v.size()) return fail(off, "offset outside the segment (" + std::to_string(v.size()) + " bytes)");
  uint64_t len = 0;
  const int n = decode_varuint(v.data() + off, std::min<uint64_t>(v.size() - off, 10), &len);
  if (n <= 0) return fail(off, "truncated chunk length");
  const uint64_t enc_off = off + uint64_t(n);
  if (len > v.size() || v.size() - enc_off < len + 5) {
    return fail(off, "chunk of " + std::to_string(len) + " bytes runs past the end of the segment");
  }
  const ByteView covered = v.substr(enc_off, len + 1);
  const uint32_t want = load_u32(v.data() + enc_off + 1 + len);
  if (want != crc32c(covered)) return fail(off, "CRC32C mismatch");
  return Chunk{byte_at(v, enc_off), v.substr(enc_off + 1, len)};
}

void ChunkFiles::release_before(uint64_t ref) {
  const uint64_t seg = ref >> 32;
  for (uint64_t s = 0; s < seg && s < segments_.size(); ++s) {
    if (segments_[s].file) segments_[s].file->release_before(segments_[s].file->size());
  }
  if (seg < segments_.size() && segments_[seg].file) segments_[seg].file->release_before(ref & 0xffffffffu);
}

}  // namespace vmt::promtsdb
