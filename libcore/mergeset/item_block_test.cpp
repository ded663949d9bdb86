#include "mergeset/item_block.h"

#include <doctest/doctest.h>

#include "encoding/zstd.h"
#include "mergeset/test_util.h"

using namespace vmt;
using namespace vmt::mergeset;

namespace {

Items make_items(const std::vector<Bytes>& v) {
  Items it;
  for (const auto& s : v) it.push_back(s);
  return it;
}

// Encodes, then decodes through an encoded+decoded header (as the reader sees it).
Items round_trip(const Items& items, EncodedItemBlock* enc_out = nullptr) {
  EncodedItemBlock enc;
  ItemBlockScratch scratch;
  encode_item_block(items, -5, enc, scratch);
  Bytes hb;
  enc.header.encode(hb);
  ByteReader in(hb);
  auto bh = BlockHeader::decode(in);
  REQUIRE(bh.is_ok());
  Items out;
  Status st = decode_item_block(*bh, enc.items_payload, enc.lens_payload, out, scratch);
  REQUIRE_MESSAGE(st.is_ok(), st.message());
  if (enc_out) *enc_out = enc;
  return out;
}

Bytes unzstd(ByteView b) {
  Bytes out;
  REQUIRE(zstd::decompress(out, b, 1 << 20).is_ok());
  return out;
}

}  // namespace

TEST_SUITE("mergeset/item_block") {
  TEST_CASE("single-item block: commonPrefix is the whole item, plain, empty payloads (§12)") {
    Items items = make_items({"\x05single-item"});
    EncodedItemBlock enc;
    Items out = round_trip(items, &enc);
    CHECK(out == items);
    CHECK(enc.header.common_prefix == "\x05single-item");
    CHECK(enc.header.first_item == "\x05single-item");
    CHECK(enc.header.marshal_type == MarshalType::plain);
    CHECK(enc.header.items_count == 1);
    CHECK(enc.items_payload.empty());
    CHECK(enc.lens_payload.empty());
  }

  TEST_CASE("raw < 64 gives plain with the exact §7.3 payloads") {
    Items items = make_items({"pre-a", "pre-bb", "pre-ccc"});
    EncodedItemBlock enc;
    CHECK(round_trip(items, &enc) == items);
    CHECK(enc.header.marshal_type == MarshalType::plain);
    CHECK(enc.header.common_prefix == "pre-");
    CHECK(enc.items_payload == "bbccc");
    CHECK(to_hex(enc.lens_payload) == "0000000000000002" "0000000000000003");
  }

  TEST_CASE("the §12 block: zstd, 34 bytes of lens, 571 bytes of items data") {
    Items items;
    for (const auto& s : testutil::worked_example_items()) items.push_back(s);
    EncodedItemBlock enc;
    CHECK(round_trip(items, &enc) == items);
    CHECK(enc.header.marshal_type == MarshalType::zstd);
    CHECK(enc.header.common_prefix.empty());
    CHECK(to_hex(unzstd(enc.lens_payload)) ==
          "0900000017001e00000011000000370026" "043b002e19001f7f5737040b001e090051");
    CHECK(unzstd(enc.items_payload).size() == 571);
  }

  TEST_CASE("incompressible items fall back to plain (compressed > 0.9 raw)") {
    testutil::Rng rng;
    std::vector<Bytes> v;
    for (int i = 0; i < 20; ++i) v.push_back(rng.bytes(40));
    std::sort(v.begin(), v.end());
    EncodedItemBlock enc;
    Items items = make_items(v);
    CHECK(round_trip(items, &enc) == items);
    CHECK(enc.header.marshal_type == MarshalType::plain);
  }

  TEST_CASE("runs of duplicate items round trip in both encodings") {
    std::vector<Bytes> v(10, Bytes(40, 'x'));
    EncodedItemBlock enc;
    Items items = make_items(v);
    CHECK(round_trip(items, &enc) == items);
    // cp is the whole item, raw = 0 < 64: plain with empty suffixes.
    CHECK(enc.header.marshal_type == MarshalType::plain);
    // With a differing last item cp shrinks and raw grows past 64; duplicates add no items data.
    v.back() = Bytes(40, 'y');
    items = make_items(v);
    CHECK(round_trip(items, &enc) == items);
    CHECK(enc.header.marshal_type == MarshalType::zstd);
  }

  TEST_CASE("round trips empty items, long items and shared prefixes") {
    std::vector<Bytes> v = {"", "", "a", "ab", "abc", "abd", Bytes(1000, 'q'), Bytes(1000, 'q') + "r", "z"};
    Items items = make_items(v);
    CHECK(round_trip(items) == items);
    Items big = make_items({Bytes(65536, 'm')});
    CHECK(round_trip(big) == big);
  }

  TEST_CASE("rejects plain lens of the wrong size, too-long lengths and tails") {
    BlockHeader bh;
    bh.first_item = "a";
    bh.items_count = 2;
    Items out;
    ItemBlockScratch scratch;
    Bytes lens;
    put_u64(lens, 1);
    CHECK(decode_item_block(bh, "b", lens, out, scratch).is_ok());
    CHECK(decode_item_block(bh, "b", lens + "x", out, scratch).message().find("plain lens") != std::string::npos);
    CHECK(decode_item_block(bh, "bc", lens, out, scratch).message().find("tail") != std::string::npos);
    Bytes big;
    put_u64(big, 5);
    CHECK(decode_item_block(bh, "b", big, out, scratch).message().find("item #1 of 2") != std::string::npos);
    Bytes huge;
    put_u64(huge, ~uint64_t(0));
    CHECK(!decode_item_block(bh, "b", huge, out, scratch).is_ok());
  }

  TEST_CASE("rejects unsorted items") {
    BlockHeader bh;
    bh.first_item = "b";
    bh.items_count = 2;
    Items out;
    ItemBlockScratch scratch;
    Bytes lens;
    put_u64(lens, 1);
    Status st = decode_item_block(bh, "a", lens, out, scratch);
    CHECK(st.message().find("sorted") != std::string::npos);
  }

  TEST_CASE("zstd: rejects varint count mismatches, prefixLen > itemLen and > previous length") {
    BlockHeader bh;
    bh.first_item = "abc";
    bh.marshal_type = MarshalType::zstd;
    bh.items_count = 2;
    Items out;
    ItemBlockScratch scratch;
    auto z = [](ByteView s) { Bytes b; zstd::compress(b, s, 1); return b; };
    // item 1 = "abd": p = 2 (xor 2), len 3 (xor 0), data "d".
    CHECK(decode_item_block(bh, z("d"), z(ByteView("\x02\x00", 2)), out, scratch).is_ok());
    CHECK(out[1] == "abd");
    CHECK(decode_item_block(bh, z("d"), z(ByteView("\x02", 1)), out, scratch).message().find("varints") !=
          std::string::npos);
    CHECK(decode_item_block(bh, z("d"), z(ByteView("\x02\x00\x00", 3)), out, scratch).message().find("tail") !=
          std::string::npos);
    CHECK(decode_item_block(bh, z("dd"), z(ByteView("\x02\x00", 2)), out, scratch).message().find("tail") !=
          std::string::npos);
    // p = 5 > len 3.
    CHECK(decode_item_block(bh, z("d"), z(ByteView("\x05\x00", 2)), out, scratch).message().find("prefixLen") !=
          std::string::npos);
    // len 6, p = 5 > previous length 3.
    CHECK(decode_item_block(bh, z("d"), z(ByteView("\x05\x05", 2)), out, scratch).message().find("previous") !=
          std::string::npos);
    // Overflowing 10-byte varint (Go's binary.Uvarint rejects a 10th byte > 1).
    CHECK(!decode_item_block(bh, z("d"), z(ByteView("\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11)), out, scratch)
               .is_ok());
    // Garbage instead of a frame.
    CHECK(decode_item_block(bh, "junk", z(ByteView("\x02\x00", 2)), out, scratch).message().find("items data") !=
          std::string::npos);
  }

  TEST_CASE("caps: itemsCount far beyond the lens data fails before allocating") {
    BlockHeader bh;
    bh.first_item = "a";
    bh.items_count = 0xffffffffu;
    Items out;
    ItemBlockScratch scratch;
    CHECK(!decode_item_block(bh, "", "", out, scratch).is_ok());
    bh.marshal_type = MarshalType::zstd;
    CHECK(!decode_item_block(bh, "", "", out, scratch).is_ok());
  }

  TEST_CASE("caps: a zstd block expanding past 1 MiB of items is rejected") {
    // 40000 items, each repeating a 60000-byte prefix of the previous one: tiny payloads, huge output.
    BlockHeader bh;
    Bytes first(60000, 'a');
    bh.first_item = first;
    bh.marshal_type = MarshalType::zstd;
    bh.items_count = 40000;
    Bytes lens;
    put_varuint(lens, 60000);  // p[1] = 60000
    for (int i = 2; i < 40000; ++i) put_varuint(lens, 0);
    for (int i = 1; i < 40000; ++i) put_varuint(lens, 0);  // len stays 60000
    Bytes zl;
    zstd::compress(zl, lens, 1);
    Items out;
    ItemBlockScratch scratch;
    Status st = decode_item_block(bh, "", zl, out, scratch);
    CHECK(st.message().find("limit") != std::string::npos);
  }
}
