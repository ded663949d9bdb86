#include "encoding/zstd.h"

#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cassert>
#include <string>

namespace vmt::zstd {
namespace {

struct CCtx {
  ZSTD_CCtx* p = ZSTD_createCCtx();
  ~CCtx() { ZSTD_freeCCtx(p); }
};
struct DCtx {
  ZSTD_DCtx* p = ZSTD_createDCtx();
  ~DCtx() { ZSTD_freeDCtx(p); }
};

ZSTD_DCtx* dctx() {
  thread_local DCtx d;
  return d.p;
}

Status zstd_error(const char* what, size_t code, ByteView src) {
  return corruption(std::string("cannot decompress zstd data of ") + std::to_string(src.size()) +
                    " bytes: " + what + ": " + ZSTD_getErrorName(code));
}

Status too_big(ByteView src, size_t max_size) {
  return corruption("cannot decompress zstd data of " + std::to_string(src.size()) +
                    " bytes: decompressed size exceeds the limit of " + std::to_string(max_size) +
                    " bytes");
}

// Streaming path: frames without content size, concatenated frames, or a first frame whose
// size did not account for the whole input. Output grows geometrically up to max_size.
Status decompress_stream(Bytes& out, ByteView src, size_t max_size, size_t first_guess) {
  const size_t old = out.size();
  ZSTD_DCtx* d = dctx();
  ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
  ZSTD_inBuffer in{src.data(), src.size(), 0};
  size_t cap = std::min(max_size, std::max<size_t>(first_guess, 1));
  size_t produced = 0;
  out.resize(old + cap);
  size_t ret = 1;  // != 0: a frame is in progress
  for (;;) {
    if (produced == cap) {
      if (cap == max_size) {
        // The output is at the limit: a frame may still end without producing more bytes.
        // Probe with a 1-byte buffer; any byte produced means the content is too big.
        char probe;
        ZSTD_outBuffer o{&probe, 1, 0};
        const size_t in_before = in.pos;
        ret = ZSTD_decompressStream(d, &o, &in);
        if (ZSTD_isError(ret)) { out.resize(old); return zstd_error("invalid frame", ret, src); }
        if (o.pos != 0) { out.resize(old); return too_big(src, max_size); }
        if (ret == 0 && in.pos == in.size) break;
        if (ret != 0 && (in.pos == in.size || in.pos == in_before)) {
          out.resize(old);
          return corruption("cannot decompress zstd data of " + std::to_string(src.size()) +
                            " bytes: truncated frame");
        }
        continue;
      }
      cap = cap > max_size / 2 ? max_size : std::max<size_t>(cap * 2, 4096);
      cap = std::min(cap, max_size);
      out.resize(old + cap);
    }
    ZSTD_outBuffer o{out.data() + old, cap, produced};
    ret = ZSTD_decompressStream(d, &o, &in);
    produced = o.pos;
    if (ZSTD_isError(ret)) { out.resize(old); return zstd_error("invalid frame", ret, src); }
    if (ret == 0 && in.pos == in.size) break;  // last frame complete, all input used
    if (ret != 0 && in.pos == in.size && o.pos < o.size) {
      out.resize(old);
      return corruption("cannot decompress zstd data of " + std::to_string(src.size()) +
                        " bytes: truncated frame");
    }
  }
  out.resize(old + produced);
  return Status::ok();
}

// One frame of raw blocks (RFC 8878 §3.1.1): magic, a Frame_Header_Descriptor saying
// Single_Segment with a 4-byte Frame_Content_Size (so the window is the content and blocks may be
// 128 KiB, the Block_Maximum_Size), then each block's 3-byte header (Last_Block, Block_Type 0 =
// Raw, Block_Size) and its bytes as they are.
void store(Bytes& out, ByteView src) {
  constexpr size_t kBlock = 128 << 10;
  const uint32_t magic = 0xFD2FB528;
  const uint32_t size = uint32_t(src.size());
  char head[9];
  static_assert(std::endian::native == std::endian::little, "the frame's fields are little-endian");
  std::memcpy(head, &magic, 4);
  head[4] = char(0xA0);  // FCS_Field_Size 4 bytes (flag 2), Single_Segment
  std::memcpy(head + 5, &size, 4);
  out.append(head, sizeof(head));
  for (size_t p = 0; p < src.size(); p += kBlock) {
    const size_t n = std::min(kBlock, src.size() - p);
    const uint32_t bh = uint32_t(n) << 3 | (p + n == src.size() ? 1u : 0u);
    const char b[3] = {char(bh & 0xff), char(bh >> 8 & 0xff), char(bh >> 16 & 0xff)};
    out.append(b, 3);
    out.append(src.data() + p, n);
  }
}

}  // namespace

void compress(Bytes& out, ByteView src, int level) {
  if (src.empty()) return;  // gozstd returns no frame for empty input
  if (level == kStoreLevel && src.size() <= UINT32_MAX) return store(out, src);
  thread_local CCtx c;
  const size_t old = out.size();
  const size_t bound = ZSTD_compressBound(src.size());
  out.resize(old + bound);
  size_t n = ZSTD_compressCCtx(c.p, out.data() + old, bound, src.data(), src.size(), level);
  // ZSTD_compressCCtx cannot fail with a ZSTD_compressBound-sized buffer and a valid context;
  // an error here is our bug (e.g. out of memory inside libzstd).
  assert(!ZSTD_isError(n));
  if (ZSTD_isError(n)) n = 0;
  out.resize(old + n);
}

namespace {

// c * log2(c) * 2^8, fixed point: integers, so that the 256 additions below do not wait on each
// other's floating-point latency. Counts under 4096 (every count of the few-hundred-byte streams
// the guess is for) from a table of 16 KiB built once; larger ones computed the same way.
uint32_t clog2c_exact(uint32_t c) { return c == 0 ? 0 : uint32_t(std::lround(double(c) * std::log2(double(c)) * 256)); }
struct CLog2C {
  static constexpr uint32_t kSize = 4096;
  uint32_t v[kSize];
  CLog2C() {
    for (uint32_t c = 0; c < kSize; ++c) v[c] = clog2c_exact(c);
  }
  uint32_t operator()(uint32_t c) const { return c < kSize ? v[c] : clog2c_exact(c); }
};

}  // namespace

bool surely_larger_than(ByteView src, double ratio) {
  const size_t n = src.size();
  if (n < 64 || n > 65535) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(src.data());
  // Order-0 entropy: four histograms, so that runs of one byte do not wait on one counter.
  uint16_t h[4][256] = {};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++h[0][p[i]];
    ++h[1][p[i + 1]];
    ++h[2][p[i + 2]];
    ++h[3][p[i + 3]];
  }
  for (; i < n; ++i) ++h[0][p[i]];
  static const CLog2C clog2c;
  uint64_t sum = 0;
  unsigned distinct = 0;
  for (int b = 0; b < 256; ++b) {
    const uint32_t c = uint32_t(h[0][b]) + h[1][b] + h[2][b] + h[3][b];
    sum += clog2c(c);
    distinct += c != 0;
  }
  const double entropy_bytes = (double(clog2c(uint32_t(n))) - double(sum)) / (256 * 8);
  const double limit = ratio * double(n);
  double bound = entropy_bytes + distinct / 4.0 + 8;
  if (bound <= limit) return false;
  // Repeats: a run that starts with 4 bytes seen before (a hash table of the last position of each
  // 4-byte value, 12 bits), extended as far as it goes, is taken off the bound whole, as if zstd
  // matched it for free. A run is found when any of its positions still has its twin in the table.
  // The table is the thread's, its slots tagged with the call's number instead of cleared.
  thread_local uint32_t last[4096];  // call number << 16 | position + 1 (n <= 65535)
  thread_local uint32_t call = 0;
  if (++call == 0x10000) {
    std::memset(last, 0, sizeof last);
    call = 1;
  }
  const uint32_t tag = call << 16;
  size_t repeated = 0;
  for (size_t k = 0; k + 4 <= n;) {
    uint32_t w;
    std::memcpy(&w, p + k, 4);
    const uint32_t slot = (w * 2654435761u) >> 20;
    const uint32_t prev = last[slot];
    last[slot] = tag | uint32_t(k + 1);
    uint32_t u = ~w;
    if ((prev & 0xffff0000u) == tag) std::memcpy(&u, p + (prev & 0xffff) - 1, 4);
    if (u != w) {
      ++k;
      continue;
    }
    const size_t from = (prev & 0xffff) - 1;
    size_t len = 4;
    while (k + len < n && p[from + len] == p[k + len]) ++len;
    repeated += len;
    k += len;
  }
  bound -= double(repeated);
  return bound > limit;
}

Status decompress(Bytes& out, ByteView src, size_t max_size) {
  if (src.empty()) return Status::ok();
  unsigned long long fcs = ZSTD_getFrameContentSize(src.data(), src.size());
  if (fcs == ZSTD_CONTENTSIZE_ERROR) {
    return corruption("cannot decompress zstd data of " + std::to_string(src.size()) +
                      " bytes: not a zstd frame (bad magic or truncated frame header)");
  }
  if (fcs == ZSTD_CONTENTSIZE_UNKNOWN) {
    return decompress_stream(out, src, max_size, std::min<size_t>(src.size() * 4, 1 << 16));
  }
  if (fcs > max_size) {
    return corruption("cannot decompress zstd data of " + std::to_string(src.size()) +
                      " bytes: frame content size " + std::to_string(fcs) +
                      " exceeds the limit of " + std::to_string(max_size) + " bytes");
  }
  // Fast path: the (first) frame states its size. One-shot decompression into exactly that much
  // room; if more frames follow, it reports dstSize_tooSmall and we continue with streaming.
  const size_t old = out.size();
  out.resize(old + size_t(fcs));
  size_t n = ZSTD_decompressDCtx(dctx(), out.data() + old, size_t(fcs), src.data(), src.size());
  if (!ZSTD_isError(n)) {
    out.resize(old + n);
    return Status::ok();
  }
  out.resize(old);
  if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) {
    return decompress_stream(out, src, max_size, size_t(fcs) * 2);
  }
  return zstd_error("invalid frame", n, src);
}

}  // namespace vmt::zstd
