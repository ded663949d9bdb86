#include "encoding/int64_array.h"

#include <string>

#include "encoding/nearest_delta.h"
#include "encoding/nearest_delta2.h"
#include "encoding/varint_stream.h"
#include "encoding/zstd.h"

namespace vmt::encoding {
namespace {

inline int64_t wsub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }

bool is_const(const int64_t* a, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    if (a[i] != a[0]) return false;
  }
  return true;
}

bool is_delta_const(const int64_t* a, size_t n) {
  if (n < 2) return false;
  const int64_t d1 = wsub(a[1], a[0]);
  for (size_t i = 2; i < n; ++i) {
    if (wsub(a[i], a[i - 1]) != d1) return false;
  }
  return true;
}

// Scratch for the plain stream before compression and for decompressed streams: one per thread,
// so steady-state encoding and decoding do not allocate.
Bytes& scratch() {
  thread_local Bytes b;
  return b;
}

}  // namespace

bool is_gauge(const int64_t* a, size_t n) {
  if (n < 2) return false;
  int64_t prev = a[0];
  if (prev < 0) return true;  // counters are never negative
  size_t resets = 0;
  for (size_t i = 1; i < n; ++i) {
    const int64_t v = a[i];
    if (v < prev) {
      if (v < 0) return true;
      if (v > (prev >> 3)) return true;  // decreased but stayed above prev/8: a gauge
      ++resets;                          // fell to <= prev/8: a counter reset
    }
    prev = v;
  }
  if (resets <= 2) return false;
  return resets > (n >> 3);
}

int compress_level_for_items(size_t n) {
  if (n <= 64) return 1;
  if (n <= 256) return 2;
  if (n <= 1024) return 3;
  if (n <= 4096) return 4;
  return 5;
}

EncodedInt64s encode_int64_array(Bytes& out, const int64_t* a, size_t n, uint8_t precision_bits) {
  if (n == 0) return {MarshalType::kConst, 0};  // VM panics; nothing sensible to encode
  const int64_t first = a[0];
  if (is_const(a, n)) return {MarshalType::kConst, first};
  if (is_delta_const(a, n)) {
    put_varint(out, wsub(a[1], a[0]));
    return {MarshalType::kDeltaConst, first};
  }
  Bytes& plain = scratch();
  plain.clear();
  MarshalType zt, pt;
  if (is_gauge(a, n)) {
    // Gauges suffer more from low precision than counters: VM gives them 2 more bits.
    uint8_t pb = precision_bits;
    if (pb < 6) pb = uint8_t(pb + 2);
    encode_nearest_delta(plain, a, n, pb);
    zt = MarshalType::kZstdNearestDelta;
    pt = MarshalType::kNearestDelta;
  } else {
    encode_nearest_delta2(plain, a, n, precision_bits);
    zt = MarshalType::kZstdNearestDelta2;
    pt = MarshalType::kNearestDelta2;
  }
  // VM keeps the frame unless it is strictly larger than 90% of the plain stream; a stream whose
  // frame surely would be is not compressed to find out.
  constexpr double kKeptRatio = 0.9;
  if (plain.size() >= kMinCompressibleBlockSize && !zstd::surely_larger_than(plain, kKeptRatio)) {
    const size_t old = out.size();
    zstd::compress(out, plain, compress_level_for_items(n));
    const size_t comp = out.size() - old;
    if (!(double(comp) > kKeptRatio * double(plain.size()))) return {zt, first};
    out.resize(old);
  }
  out.append(plain);
  return {pt, first};
}

Status decode_int64_array(std::vector<int64_t>& out, ByteView data, uint8_t type, int64_t first,
                          size_t n) {
  switch (type) {
    case uint8_t(MarshalType::kZstdNearestDelta):
    case uint8_t(MarshalType::kZstdNearestDelta2): {
      const bool nd2 = type == uint8_t(MarshalType::kZstdNearestDelta2);
      if (n < (nd2 ? 2u : 1u)) {
        return corruption(std::string("cannot unmarshal ") + marshal_type_name(type) +
                          " data: itemsCount must be > " + (nd2 ? "1" : "0") + "; got " +
                          std::to_string(n));
      }
      Bytes& plain = scratch();
      plain.clear();
      // A stream of n-1 varints has at most 10*(n-1) bytes; anything longer is corrupt anyway.
      VMT_TRY_CTX(zstd::decompress(plain, data, (n - 1) * detail::kMaxVarintLen),
                  std::string("cannot unmarshal ") + marshal_type_name(type) + " data");
      out.resize(n);
      Status s = nd2 ? decode_nearest_delta2(out.data(), plain, first, n)
                     : decode_nearest_delta(out.data(), plain, first, n);
      if (!s.is_ok()) {
        return std::move(s).with_context(std::string("cannot unmarshal ") +
                                         marshal_type_name(type) + " data after zstd decompression");
      }
      return Status::ok();
    }
    case uint8_t(MarshalType::kNearestDelta):
    case uint8_t(MarshalType::kNearestDelta2): {
      const bool nd2 = type == uint8_t(MarshalType::kNearestDelta2);
      if (n < (nd2 ? 2u : 1u)) {
        return corruption(std::string("cannot unmarshal ") + marshal_type_name(type) +
                          " data: itemsCount must be > " + (nd2 ? "1" : "0") + "; got " +
                          std::to_string(n));
      }
      out.resize(n);
      Status s = nd2 ? decode_nearest_delta2(out.data(), data, first, n)
                     : decode_nearest_delta(out.data(), data, first, n);
      if (!s.is_ok()) {
        return std::move(s).with_context(std::string("cannot unmarshal ") +
                                         marshal_type_name(type) + " data");
      }
      return Status::ok();
    }
    case uint8_t(MarshalType::kConst):
      if (!data.empty()) {
        return corruption("unexpected data left in const encoding: " +
                          std::to_string(data.size()) + " bytes");
      }
      out.assign(n, first);
      return Status::ok();
    case uint8_t(MarshalType::kDeltaConst): {
      const char* p = data.data();
      const char* end = p + data.size();
      int64_t d;
      if (!detail::read_varint(&p, end, &d)) {
        return corruption("cannot unmarshal delta value for delta const from " +
                          std::to_string(data.size()) + " bytes");
      }
      if (p != end) {
        return corruption("unexpected trailing data after delta const (d=" + std::to_string(d) +
                          "): " + std::to_string(end - p) + " bytes");
      }
      out.resize(n);
      uint64_t v = uint64_t(first);
      for (size_t i = 0; i < n; ++i, v += uint64_t(d)) out[i] = int64_t(v);
      return Status::ok();
    }
    default:
      return corruption("unknown MarshalType=" + std::to_string(type));
  }
}

void ensure_non_decreasing(int64_t* ts, size_t n, int64_t min_ts, int64_t max_ts) {
  if (n == 0) return;
  ts[0] = min_ts;
  int64_t prev = ts[0];
  for (size_t i = 1; i < n; ++i) {
    if (ts[i] < prev) ts[i] = prev;
    prev = ts[i];
  }
  size_t i = n - 1;
  if (ts[i] != max_ts) {
    ts[i] = max_ts;
    while (i > 0 && ts[i - 1] > max_ts) {
      ts[i - 1] = max_ts;
      --i;
    }
  }
}

}  // namespace vmt::encoding
