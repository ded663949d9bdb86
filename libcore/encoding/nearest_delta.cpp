#include "encoding/nearest_delta.h"

#include <bit>

#include "encoding/varint_stream.h"

namespace vmt::encoding {
namespace {

// Wrapping int64 arithmetic, as in Go.
inline int64_t wsub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
inline int64_t wadd(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }
// |v| viewed as uint64; |MinInt64| = 2^63.
inline uint64_t absu(int64_t v) { return v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v); }
inline uint8_t bitlen(uint64_t u) { return uint8_t(std::bit_width(u)); }
inline uint8_t dec_if_nonzero(uint8_t tz) { return tz > 0 ? uint8_t(tz - 1) : 0; }
inline uint8_t clamp_pb(uint8_t pb) { return pb < 1 ? 1 : pb > 64 ? 64 : pb; }

}  // namespace

uint8_t nd_trailing_zeros(int64_t v, uint8_t precision_bits) {
  const uint8_t bits = bitlen(absu(v));
  return bits <= precision_bits ? 0 : uint8_t(bits - precision_bits);
}

NearestDelta nearest_delta(int64_t next, int64_t prev, uint8_t precision_bits, uint8_t prev_tz) {
  const int64_t d = wsub(next, prev);
  if (d == 0) return {0, dec_if_nonzero(prev_tz)};
  const uint8_t origin_bits = bitlen(absu(next));
  if (origin_bits <= precision_bits) return {d, dec_if_nonzero(prev_tz)};  // nothing to drop
  const uint8_t tz = uint8_t(origin_bits - precision_bits);                 // 1..63
  // A jump of the value's magnitude is probably a counter reset: keep d exact and move tz slowly.
  if (tz > prev_tz + 4) return {d, uint8_t(prev_tz + 2)};
  if (tz + 4 < prev_tz) return {d, uint8_t(prev_tz - 2)};
  // Truncate |d| toward zero to a multiple of 2^tz ("nearest" in VM's naming).
  const uint64_t m = absu(d) & (~uint64_t(0) << tz);
  return {d < 0 ? int64_t(uint64_t(0) - m) : int64_t(m), tz};
}

void encode_nearest_delta(Bytes& out, const int64_t* a, size_t n, uint8_t precision_bits) {
  if (n < 2) return;
  const uint8_t pb = clamp_pb(precision_bits);
  const size_t old = out.size();
  out.resize(old + (n - 1) * detail::kMaxVarintLen);
  char* p = out.data() + old;
  if (pb == 64) {
    for (size_t i = 1; i < n; ++i) p = detail::write_varint(p, wsub(a[i], a[i - 1]));
  } else {
    int64_t v = a[0];
    uint8_t tz = nd_trailing_zeros(v, pb);
    for (size_t i = 1; i < n; ++i) {
      const NearestDelta nd = nearest_delta(a[i], v, pb, tz);
      tz = nd.tz;
      v = wadd(v, nd.d);  // track the reconstructed value so errors do not accumulate
      p = detail::write_varint(p, nd.d);
    }
  }
  out.resize(size_t(p - out.data()));
}

Status decode_nearest_delta(int64_t* out, ByteView data, int64_t first, size_t n) {
  if (n == 0) return corruption("cannot unmarshal nearest delta data: itemsCount must be > 0");
  const char* begin = data.data();
  const char* p = begin;
  const char* end = begin + data.size();
  uint64_t v = uint64_t(first);
  out[0] = first;
  for (size_t i = 1; i < n; ++i) {
    int64_t d;
    if (!detail::read_varint(&p, end, &d)) return detail::bad_varint(i - 1, n - 1, p, begin, end);
    v += uint64_t(d);
    out[i] = int64_t(v);
  }
  if (p != end) return detail::trailing_bytes(n - 1, data.size(), size_t(end - p));
  return Status::ok();
}

}  // namespace vmt::encoding
