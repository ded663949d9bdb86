#include "promtsdb/xor_chunk.h"

#include <bit>
#include <cstring>
#include <string>

namespace vmt::promtsdb {

namespace {

// MSB-first bit reader over a byte range; reads past the end fail.
class BitReader {
 public:
  BitReader(const uint8_t* p, size_t n) : p_(p), n_(n), nbits_(uint64_t(n) * 8) {}

  bool bits(unsigned k, uint64_t* v) {
    if (k == 0) {
      *v = 0;
      return true;
    }
    if (nbits_ - pos_ < k) return false;
    *v = peek64() >> (64 - k);
    pos_ += k;
    return true;
  }
  bool bit(unsigned* b) {
    if (pos_ >= nbits_) return false;
    *b = (p_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1;
    ++pos_;
    return true;
  }
  bool uvarint(uint64_t* out) {
    uint64_t u = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
      uint64_t b;
      if (!bits(8, &b)) return false;
      if (shift == 63 && b > 1) return false;  // binary.ReadUvarint: overflow
      u |= (b & 0x7f) << shift;
      if (b < 0x80) {
        *out = u;
        return true;
      }
    }
    return false;
  }
  bool varint(int64_t* out) {
    uint64_t u;
    if (!uvarint(&u)) return false;
    *out = int64_t(u >> 1) ^ -int64_t(u & 1);
    return true;
  }

 private:
  // The 64 bits from pos_ on, zero beyond the end.
  uint64_t peek64() const {
    const size_t byte = size_t(pos_ >> 3);
    const unsigned shift = unsigned(pos_ & 7);
    uint64_t w = 0;
    if (byte + 9 <= n_) {
      uint64_t be;
      std::memcpy(&be, p_ + byte, 8);
      w = __builtin_bswap64(be);
      if (shift) w = (w << shift) | (p_[byte + 8] >> (8 - shift));
      return w;
    }
    for (size_t i = 0; i < 8; ++i) w |= uint64_t(byte + i < n_ ? p_[byte + i] : 0) << (56 - 8 * i);
    if (shift) w = (w << shift) | (byte + 8 < n_ ? p_[byte + 8] >> (8 - shift) : 0);
    return w;
  }

  const uint8_t* p_;
  size_t n_;
  uint64_t nbits_;
  uint64_t pos_ = 0;
};

}  // namespace

Status decode_xor(ByteView data, std::vector<Sample>* out) {
  if (data.size() < 2) return corruption("XOR chunk of " + std::to_string(data.size()) + " bytes has no sample count");
  const unsigned total = load_u16(data.data());
  BitReader br(reinterpret_cast<const uint8_t*>(data.data()) + 2, data.size() - 2);
  auto fail = [&](unsigned i, const char* what) {
    return corruption("XOR chunk (" + std::to_string(total) + " samples, " + std::to_string(data.size()) +
                      " bytes): sample " + std::to_string(i) + ": " + what);
  };
  int64_t t = 0;
  uint64_t vbits = 0, tdelta = 0;
  unsigned leading = 0xff, trailing = 0;
  for (unsigned i = 0; i < total; ++i) {
    if (i == 0) {
      if (!br.varint(&t)) return fail(i, "truncated timestamp");
      if (!br.bits(64, &vbits)) return fail(i, "truncated value");
      out->push_back({t, std::bit_cast<double>(vbits)});
      continue;
    }
    if (i == 1) {
      if (!br.uvarint(&tdelta)) return fail(i, "truncated timestamp delta");
    } else {
      // Delta of deltas: up to four prefix bits choose the width.
      unsigned d = 0, b = 0;
      for (int k = 0; k < 4; ++k) {
        if (!br.bit(&b)) return fail(i, "truncated timestamp");
        if (b == 0) break;
        d = d * 2 + 1;
      }
      unsigned width = 0;
      int64_t dod = 0;
      switch (d) {
        case 0: break;
        case 1: width = 14; break;
        case 3: width = 17; break;
        case 7: width = 20; break;
        default: {
          uint64_t raw;
          if (!br.bits(64, &raw)) return fail(i, "truncated timestamp");
          dod = int64_t(raw);
        }
      }
      if (width) {
        uint64_t raw;
        if (!br.bits(width, &raw)) return fail(i, "truncated timestamp");
        if (raw > (uint64_t(1) << (width - 1))) raw -= uint64_t(1) << width;  // as xorIterator does
        dod = int64_t(raw);
      }
      tdelta = uint64_t(int64_t(tdelta) + dod);
    }
    t = int64_t(uint64_t(t) + tdelta);
    // The value.
    unsigned b;
    if (!br.bit(&b)) return fail(i, "truncated value");
    if (b == 1) {
      if (!br.bit(&b)) return fail(i, "truncated value");
      if (b == 1) {
        uint64_t lead, sig;
        if (!br.bits(5, &lead) || !br.bits(6, &sig)) return fail(i, "truncated value window");
        if (sig == 0) sig = 64;
        if (lead + sig > 64) return fail(i, "value window wider than 64 bits");
        leading = unsigned(lead);
        trailing = unsigned(64 - lead - sig);
      } else if (leading == 0xff) {
        return fail(i, "value reuses a window before any was set");
      }
      const unsigned sig = 64 - leading - trailing;
      uint64_t x;
      if (!br.bits(sig, &x)) return fail(i, "truncated value");
      vbits ^= trailing < 64 ? x << trailing : 0;
    }
    out->push_back({t, std::bit_cast<double>(vbits)});
  }
  return Status::ok();
}

}  // namespace vmt::promtsdb
