#include "encoding/varint_stream.h"

#include <doctest/doctest.h>

#include <string>

#include "base/hex.h"

using namespace vmt;
using namespace vmt::encoding;

namespace {

std::string enc(int64_t v) {
  char buf[detail::kMaxVarintLen];
  char* end = detail::write_varint(buf, v);
  return to_hex(ByteView(buf, size_t(end - buf)));
}

bool dec(ByteView b, int64_t* v, size_t* used) {
  const char* p = b.data();
  if (!detail::read_varint(&p, b.data() + b.size(), v)) return false;
  *used = size_t(p - b.data());
  return true;
}

}  // namespace

TEST_SUITE("encoding/varint") {
  // encoding.md §2 examples (MarshalVarInt64 = zig-zag + LEB128).
  TEST_CASE("raw varint writer matches the spec's examples") {
    CHECK(enc(-1) == "01");
    CHECK(enc(63) == "7e");
    CHECK(enc(64) == "8001");
    CHECK(enc(-65) == "8101");
    CHECK(enc(15000) == "b0ea01");
    CHECK(enc(1000) == "d00f");
    CHECK(enc(INT64_MIN) == "ffffffffffffffffff01");  // 10 bytes
  }

  // encoding.md §1 zig-zag examples, through the fixed-width encoder the block headers use.
  TEST_CASE("zig-zag fixed-width examples") {
    Bytes b;
    put_zz_i64(b, -1);
    put_zz_i64(b, 1000);
    put_zz_i16(b, -2);
    put_zz_i16(b, -1024);
    CHECK(to_hex(b) == "0000000000000001" "00000000000007d0" "0003" "07ff");
  }

  TEST_CASE("raw varint reader round trips and reports the length") {
    for (int64_t v : {int64_t(0), int64_t(-1), int64_t(63), int64_t(64), int64_t(-65),
                      int64_t(15000), INT64_MAX, INT64_MIN}) {
      char buf[detail::kMaxVarintLen];
      char* end = detail::write_varint(buf, v);
      int64_t got;
      size_t used;
      REQUIRE(dec(ByteView(buf, size_t(end - buf)), &got, &used));
      CHECK(got == v);
      CHECK(used == size_t(end - buf));
    }
  }

  TEST_CASE("reader rejects empty, truncated and over-long input") {
    int64_t v;
    size_t used;
    CHECK(!dec("", &v, &used));
    CHECK(!dec(ByteView("\x80\x80", 2), &v, &used));
    // The 10th byte with the continuation bit set is an error.
    CHECK(!dec(Bytes(10, '\xff') + '\x01', &v, &used));
    // Bits above bit 63 are silently dropped (10th byte 0x7f).
    CHECK(dec(Bytes(9, '\xff') + '\x7f', &v, &used));
    CHECK(used == 10);
  }
}
