#include <doctest/doctest.h>

#include "base/byte_reader.h"
#include "base/coding.h"
#include "base/hex.h"

using namespace vmt;

TEST_SUITE("base/coding") {
  // encoding.md §1 table: real MarshalInt64/MarshalInt16 output.
  TEST_CASE("zig-zag fixed-width matches the spec's examples") {
    Bytes b;
    put_zz_i64(b, -1);
    CHECK(to_hex(b) == "0000000000000001");
    b.clear();
    put_zz_i64(b, 1000);
    CHECK(to_hex(b) == "00000000000007d0");
    b.clear();
    put_zz_i16(b, -2);
    CHECK(to_hex(b) == "0003");
    b.clear();
    put_zz_i16(b, -1024);
    CHECK(to_hex(b) == "07ff");
    CHECK(unzigzag64(zigzag64(INT64_MIN)) == INT64_MIN);
    CHECK(unzigzag64(zigzag64(INT64_MAX)) == INT64_MAX);
    CHECK(unzigzag16(zigzag16(INT16_MIN)) == INT16_MIN);
  }

  // encoding.md §2 examples.
  TEST_CASE("varints match the spec's examples") {
    auto enc = [](int64_t v) { Bytes b; put_varint(b, v); return to_hex(b); };
    CHECK(enc(-1) == "01");
    CHECK(enc(63) == "7e");
    CHECK(enc(64) == "8001");
    CHECK(enc(-65) == "8101");
    CHECK(enc(15000) == "b0ea01");
  }

  TEST_CASE("varint round trip over edge values") {
    for (int64_t v : {int64_t(0), int64_t(1), int64_t(-1), INT64_MAX, INT64_MIN, int64_t(1) << 40}) {
      Bytes b;
      put_varint(b, v);
      ByteReader r(b);
      auto got = r.varint("v");
      REQUIRE(got.is_ok());
      CHECK(*got == v);
      CHECK(r.empty());
    }
  }
}

TEST_SUITE("base/byte_reader") {
  TEST_CASE("rejects a truncated u32 and names field and offset") {
    ByteReader r(ByteView("\x01\x02\x03", 3), 100);
    auto v = r.u32("itemsCount");
    REQUIRE(!v.is_ok());
    CHECK(v.status().code() == Code::out_of_range);
    CHECK(v.status().message() == "cannot read itemsCount (u32) at offset 100: need 4 bytes, have 3");
  }

  TEST_CASE("rejects a varint longer than 10 bytes") {
    Bytes b(11, '\x80');
    ByteReader r(b);
    auto v = r.varuint("len");
    REQUIRE(!v.is_ok());
    CHECK(v.status().code() == Code::corruption);
  }

  TEST_CASE("a 10th varint byte drops its bits above bit 63, as lib/encoding does") {
    Bytes b(9, '\xff');
    b.push_back('\x7f');
    ByteReader r(b);
    auto v = r.varuint("v");
    REQUIRE(v.is_ok());
    CHECK(*v == UINT64_MAX);
    CHECK(r.empty());
  }

  TEST_CASE("rejects a truncated varint") {
    ByteReader r(ByteView("\x80\x80", 2));
    CHECK(!r.varuint("len").is_ok());
    ByteReader e{ByteView{}};
    CHECK(!e.varuint("len").is_ok());
  }

  TEST_CASE("bytes() caps the claimed length before reading") {
    Bytes b;
    put_varuint(b, 1u << 30);
    ByteReader r(b);
    auto v = r.bytes("firstItem", 65536);
    REQUIRE(!v.is_ok());
    CHECK(v.status().code() == Code::corruption);
  }

  TEST_CASE("big-endian fixed-width reads") {
    Bytes b;
    put_u16(b, 0x0102);
    put_u32(b, 0x03040506);
    put_u64(b, 0x0708090a0b0c0d0eULL);
    ByteReader r(b);
    CHECK(*r.u16("a") == 0x0102);
    CHECK(*r.u32("b") == 0x03040506u);
    CHECK(*r.u64("c") == 0x0708090a0b0c0d0eULL);
    CHECK(r.empty());
  }
}

TEST_SUITE("base/hex") {
  TEST_CASE("part names are %016X and parse back") {
    CHECK(hex16(0x18EA24302710624CULL) == "18EA24302710624C");
    uint64_t v = 0;
    CHECK(parse_hex16("18EA24302710624C", &v));
    CHECK(v == 0x18EA24302710624CULL);
    CHECK(!parse_hex16("18ea24302710624c", &v));  // vmstorage only generates upper case
    CHECK(!parse_hex16("18EA2430271062", &v));
  }
  TEST_CASE("from_hex accepts either case and rejects junk") {
    CHECK(*from_hex("0aFf") == Bytes("\x0a\xff", 2));
    CHECK(!from_hex("0g").is_ok());
    CHECK(!from_hex("abc").is_ok());
  }
}
