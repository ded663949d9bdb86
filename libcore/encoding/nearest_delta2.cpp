#include "encoding/nearest_delta2.h"

#include "encoding/nearest_delta.h"
#include "encoding/varint_stream.h"

namespace vmt::encoding {
namespace {

inline int64_t wsub(int64_t a, int64_t b) { return int64_t(uint64_t(a) - uint64_t(b)); }
inline int64_t wadd(int64_t a, int64_t b) { return int64_t(uint64_t(a) + uint64_t(b)); }

}  // namespace

void encode_nearest_delta2(Bytes& out, const int64_t* a, size_t n, uint8_t precision_bits) {
  if (n < 2) return;
  const uint8_t pb = precision_bits < 1 ? 1 : precision_bits > 64 ? 64 : precision_bits;
  const size_t old = out.size();
  out.resize(old + (n - 1) * detail::kMaxVarintLen);
  char* p = out.data() + old;
  int64_t d1 = wsub(a[1], a[0]);
  p = detail::write_varint(p, d1);  // the first difference is always exact
  int64_t v = a[1];
  if (pb == 64) {
    for (size_t i = 2; i < n; ++i) {
      const int64_t d2 = wsub(wsub(a[i], v), d1);
      d1 = wadd(d1, d2);
      v = wadd(v, d1);
      p = detail::write_varint(p, d2);
    }
  } else {
    // The starting tz comes from the value a[1], later ones from the first differences.
    uint8_t tz = nd_trailing_zeros(v, pb);
    for (size_t i = 2; i < n; ++i) {
      const NearestDelta nd = nearest_delta(wsub(a[i], v), d1, pb, tz);
      tz = nd.tz;
      d1 = wadd(d1, nd.d);
      v = wadd(v, d1);
      p = detail::write_varint(p, nd.d);
    }
  }
  out.resize(size_t(p - out.data()));
}

Status decode_nearest_delta2(int64_t* out, ByteView data, int64_t first, size_t n) {
  if (n < 2) return corruption("cannot unmarshal nearest delta2 data: itemsCount must be > 1");
  const char* begin = data.data();
  const char* p = begin;
  const char* end = begin + data.size();
  int64_t d;
  if (!detail::read_varint(&p, end, &d)) return detail::bad_varint(0, n - 1, p, begin, end);
  uint64_t d1 = uint64_t(d);
  uint64_t v = uint64_t(first);
  out[0] = first;
  v += d1;
  out[1] = int64_t(v);
  for (size_t i = 2; i < n; ++i) {
    if (!detail::read_varint(&p, end, &d)) return detail::bad_varint(i - 1, n - 1, p, begin, end);
    d1 += uint64_t(d);
    v += d1;
    out[i] = int64_t(v);
  }
  if (p != end) return detail::trailing_bytes(n - 1, data.size(), size_t(end - p));
  return Status::ok();
}

}  // namespace vmt::encoding
