#include "promtsdb/xor_chunk.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>

namespace vmt::promtsdb {

namespace {

// An XOR chunk writer following tsdb/chunkenc/xor.go (Append, xorWrite, bitRange): the decoder
// is checked against the writer's rules, including every width boundary of the delta of deltas.
class XorWriter {
 public:
  void append(int64_t t, double v) {
    const uint64_t vb = std::bit_cast<uint64_t>(v);
    if (n_ == 0) {
      put_varint(t);
      bits(vb, 64);
    } else if (n_ == 1) {
      tdelta_ = uint64_t(t - t_);
      put_uvarint(tdelta_);
      put_value(vb);
    } else {
      const uint64_t delta = uint64_t(t - t_);
      const int64_t dod = int64_t(delta - tdelta_);
      auto in = [&](int n) { return -((int64_t(1) << (n - 1)) - 1) <= dod && dod <= (int64_t(1) << (n - 1)); };
      if (dod == 0) bits(0, 1);
      else if (in(14)) { bits(0b10, 2); bits(uint64_t(dod), 14); }
      else if (in(17)) { bits(0b110, 3); bits(uint64_t(dod), 17); }
      else if (in(20)) { bits(0b1110, 4); bits(uint64_t(dod), 20); }
      else { bits(0b1111, 4); bits(uint64_t(dod), 64); }
      tdelta_ = delta;
      put_value(vb);
    }
    t_ = t;
    v_ = vb;
    ++n_;
  }
  std::string data() const {
    std::string out(2, '\0');
    out[0] = char(n_ >> 8);
    out[1] = char(n_ & 0xff);
    std::string b((nbits_ + 7) / 8, '\0');
    for (size_t i = 0; i < nbits_; ++i) {
      if (bitv_[i]) b[i / 8] |= char(0x80 >> (i % 8));
    }
    return out + b;
  }

 private:
  void bits(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      bitv_.push_back((v >> i) & 1);
      ++nbits_;
    }
  }
  void put_uvarint(uint64_t u) {
    while (u >= 0x80) {
      bits((u & 0x7f) | 0x80, 8);
      u >>= 7;
    }
    bits(u, 8);
  }
  void put_varint(int64_t v) { put_uvarint((uint64_t(v) << 1) ^ uint64_t(v >> 63)); }
  void put_value(uint64_t vb) {
    const uint64_t delta = vb ^ v_;
    if (delta == 0) {
      bits(0, 1);
      return;
    }
    bits(1, 1);
    unsigned lead = unsigned(std::countl_zero(delta)), trail = unsigned(std::countr_zero(delta));
    if (lead >= 32) lead = 31;
    if (leading_ != 0xff && lead >= leading_ && trail >= trailing_) {
      bits(0, 1);
      bits(delta >> trailing_, int(64 - leading_ - trailing_));
      return;
    }
    leading_ = lead;
    trailing_ = trail;
    bits(1, 1);
    bits(lead, 5);
    const unsigned sig = 64 - lead - trail;
    bits(sig, 6);  // 64 wraps to 0
    bits(delta >> trail, int(sig));
  }

  std::vector<bool> bitv_;
  size_t nbits_ = 0;
  unsigned n_ = 0;
  int64_t t_ = 0;
  uint64_t v_ = 0, tdelta_ = 0;
  unsigned leading_ = 0xff, trailing_ = 0;
};

void check_round_trip(const std::vector<Sample>& in) {
  XorWriter w;
  for (const auto& s : in) w.append(s.t, s.v);
  std::vector<Sample> out;
  REQUIRE(decode_xor(w.data(), &out).is_ok());
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    CHECK(out[i].t == in[i].t);
    CHECK(std::bit_cast<uint64_t>(out[i].v) == std::bit_cast<uint64_t>(in[i].v));
  }
}

}  // namespace

TEST_SUITE("promtsdb/xor_chunk") {
  TEST_CASE("one and two samples") {
    check_round_trip({{1700000000123, 1.5}});
    check_round_trip({{-5, -0.0}, {7, 0.0}});
  }
  TEST_CASE("every delta-of-delta width and its boundaries") {
    std::vector<Sample> in{{1000, 1}, {16000, 1}};
    int64_t t = 16000, d = 15000;
    for (int64_t dod : {0LL, 1LL, -1LL, 8191LL, 8192LL, -8191LL, -8192LL, 65536LL, -65535LL, -65536LL, 524288LL,
                        -524287LL, -524288LL, 1LL << 40, -(1LL << 40), 3LL}) {
      d += dod;
      t += d;
      in.push_back({t, double(t % 97)});
    }
    check_round_trip(in);
  }
  TEST_CASE("values: repeats, reused windows, full 64-bit windows, NaN payloads, infinities") {
    std::vector<Sample> in;
    const double vals[] = {0.1, 0.1, 0.2, 0.30000000000000004, 1e308, 5e-324, -0.0, INFINITY, -INFINITY,
                           std::bit_cast<double>(uint64_t(0x7ff0000000000002)),  // Prometheus' stale marker
                           std::bit_cast<double>(uint64_t(0x8000000000000001)), 123456789.123456789, 42, 42, 43};
    int64_t t = 0;
    for (double v : vals) in.push_back({t += 15000, v});
    check_round_trip(in);
  }
  TEST_CASE("random walks") {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 50; ++round) {
      std::vector<Sample> in;
      int64_t t = int64_t(rng() % (1ull << 41));
      double v = double(rng() % 1000);
      const int n = 1 + int(rng() % 300);
      for (int i = 0; i < n; ++i) {
        t += int64_t(rng() % 3 == 0 ? rng() % 100000 : 15000);
        if (rng() % 4) v += double(int64_t(rng() % 2000) - 1000) / 100;
        in.push_back({t, v});
      }
      check_round_trip(in);
    }
  }
  TEST_CASE("damage is reported, not read past") {
    XorWriter w;
    for (int i = 0; i < 20; ++i) w.append(1000 * i, i * 1.25);
    const std::string d = w.data();
    for (size_t cut = 0; cut < d.size() - 1; ++cut) {
      std::vector<Sample> out;
      CHECK_FALSE(decode_xor(std::string_view(d).substr(0, cut), &out).is_ok());
    }
    std::string more = d;
    more[1] = char(uint8_t(more[1]) + 5);  // announces more samples than the stream holds
    std::vector<Sample> out;
    Status s = decode_xor(more, &out);
    CHECK_FALSE(s.is_ok());
    // The padding bits of the last byte may decode as a repeat or two; the damage shows right after.
    CHECK(out.size() >= 20);
    CHECK(out.size() < 25);
    CHECK(s.message().find("truncated") != std::string::npos);
  }
}

}  // namespace vmt::promtsdb
