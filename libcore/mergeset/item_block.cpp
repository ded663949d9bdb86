#include "mergeset/item_block.h"

#include <cassert>
#include <cstring>

#include "encoding/zstd.h"

namespace vmt::mergeset {

namespace {

// s without its first n bytes (all of it when shorter; only our own bug could make it shorter,
// and std::string_view::substr would throw).
inline ByteView drop(ByteView s, size_t n) { return n < s.size() ? s.substr(n) : ByteView(); }

// binary.Uvarint as Go's UnmarshalVarUint64s uses it: at most 10 bytes, and the 10th byte may
// only be 0 or 1 (anything else overflows uint64). Returns false on truncation or overflow.
inline bool read_uvarint(const char*& p, const char* end, uint64_t* out) {
  if (p != end && static_cast<uint8_t>(*p) < 0x80) {  // fast path: nearly every value is small
    *out = static_cast<uint8_t>(*p++);
    return true;
  }
  uint64_t v = 0;
  unsigned shift = 0;
  for (int i = 0; i < 10 && p + i < end; ++i) {
    uint8_t b = static_cast<uint8_t>(p[i]);
    if (b < 0x80) {
      if (i == 9 && b > 1) return false;
      *out = v | uint64_t(b) << shift;
      p += i + 1;
      return true;
    }
    v |= uint64_t(b & 0x7f) << shift;
    shift += 7;
  }
  return false;
}

void put_plain(const Items& items, size_t cp_len, EncodedItemBlock& out) {
  out.header.marshal_type = MarshalType::plain;
  out.items_payload.clear();
  out.lens_payload.clear();
  const size_t n = items.size();
  out.items_payload.reserve(items.data_size());
  out.lens_payload.reserve((n - 1) * 8);
  for (size_t i = 1; i < n; ++i) {
    ByteView s = drop(items[i], cp_len);
    out.items_payload.append(s.data(), s.size());
    put_u64(out.lens_payload, s.size());
  }
}

std::string item_ctx(size_t i, size_t n) { return "item #" + std::to_string(i) + " of " + std::to_string(n); }

Status unsorted(const Items& out, size_t i, uint64_t n) {
  return corruption(item_ctx(i, n) + ": items must be sorted; item " + item_hex(out[i]) +
                    " < previous item " + item_hex(out[i - 1]));
}

Status decode_plain(const BlockHeader& bh, ByteView items_payload, ByteView lens_payload, Items& out) {
  const uint64_t n = bh.items_count;
  const ByteView cp = bh.common_prefix;
  if (uint64_t(lens_payload.size()) != (n - 1) * 8) {
    return corruption("plain lens data must hold " + std::to_string(n - 1) + " u64 lengths (" +
                      std::to_string((n - 1) * 8) + " bytes) for itemsCount=" + std::to_string(n) + "; got " +
                      std::to_string(lens_payload.size()) + " bytes");
  }
  // The decoded size is known up front when the items payload is consumed exactly.
  const uint64_t total = bh.first_item.size() + (n - 1) * cp.size() + items_payload.size();
  if (total > kMaxDecodedBlockSize) {
    return corruption("decoded block would hold " + std::to_string(total) + " bytes of items; the limit is " +
                      std::to_string(kMaxDecodedBlockSize));
  }
  out.reserve(size_t(total), size_t(n));
  out.push_back(bh.first_item);
  size_t pos = 0;
  for (uint64_t i = 1; i < n; ++i) {
    uint64_t len = load_u64(lens_payload.data() + (i - 1) * 8);
    if (len > items_payload.size() - pos) {
      return corruption(item_ctx(i, n) + ": length " + std::to_string(len) + " exceeds the " +
                        std::to_string(items_payload.size() - pos) + " bytes left in items data");
    }
    Bytes& d = out.mutable_data();
    d.append(cp.data(), cp.size());
    d.append(items_payload.data() + pos, size_t(len));
    out.end_item();
    pos += size_t(len);
    if (out[i] < out[i - 1]) return unsorted(out, size_t(i), n);
  }
  if (pos != items_payload.size()) {
    return corruption("unexpected tail of " + std::to_string(items_payload.size() - pos) +
                      " bytes after the last item in plain items data of " + std::to_string(items_payload.size()) +
                      " bytes");
  }
  return Status::ok();
}

Status decode_zstd(const BlockHeader& bh, ByteView items_payload, ByteView lens_payload, Items& out,
                   ItemBlockScratch& scratch) {
  const uint64_t n = bh.items_count;
  const ByteView cp = bh.common_prefix;
  scratch.lens.clear();
  VMT_TRY_CTX(zstd::decompress(scratch.lens, lens_payload, kMaxLensDataDecompressed), "lens data");
  // Each varint takes at least one byte: bound the count before touching anything per item.
  if ((n - 1) * 2 > scratch.lens.size()) {
    return corruption("lens data of " + std::to_string(scratch.lens.size()) + " bytes cannot hold the " +
                      std::to_string((n - 1) * 2) + " varints of itemsCount=" + std::to_string(n));
  }
  const char* lens_begin = scratch.lens.data();
  const char* lens_end = lens_begin + scratch.lens.size();
  // The first n-1 varints are the prefix-length XORs; find where the length XORs start.
  const char* mid = lens_begin;
  for (uint64_t i = 1; i < n; ++i) {
    uint64_t v;
    if (!read_uvarint(mid, lens_end, &v)) {
      return corruption("lens data: cannot read prefix length XOR #" + std::to_string(i) + " of " +
                        std::to_string(n - 1) + " at offset " + std::to_string(mid - lens_begin));
    }
  }
  scratch.items.clear();
  VMT_TRY_CTX(zstd::decompress(scratch.items, items_payload, kMaxItemsDataDecompressed), "items data");
  const ByteView data = scratch.items;

  const uint64_t want = bh.first_item.size() + data.size() + n * cp.size();
  out.reserve(size_t(want < kMaxDecodedBlockSize ? want : kMaxDecodedBlockSize), size_t(n));
  out.push_back(bh.first_item);
  const char* pa = lens_begin;
  const char* pb = mid;
  uint64_t prefix_len = 0;
  uint64_t len = bh.first_item.size() - cp.size();
  size_t prev_off = cp.size();  // offset of the previous item's suffix in out.data()
  size_t pos = 0;               // next unread byte of data
  for (uint64_t i = 1; i < n; ++i) {
    uint64_t xp = 0, xl = 0;
    (void)read_uvarint(pa, mid, &xp);  // validated by the scan above
    if (!read_uvarint(pb, lens_end, &xl)) {
      return corruption("lens data: cannot read length XOR #" + std::to_string(i) + " of " +
                        std::to_string(n - 1) + " at offset " + std::to_string(pb - lens_begin));
    }
    const uint64_t prev_len = len;
    prefix_len ^= xp;
    len ^= xl;
    if (prefix_len > len) {
      return corruption(item_ctx(i, n) + ": prefixLen=" + std::to_string(prefix_len) + " exceeds itemLen=" +
                        std::to_string(len));
    }
    if (prefix_len > prev_len) {
      return corruption(item_ctx(i, n) + ": prefixLen=" + std::to_string(prefix_len) +
                        " exceeds the previous item's length " + std::to_string(prev_len));
    }
    const uint64_t suffix_len = len - prefix_len;
    if (suffix_len > data.size() - pos) {
      return corruption(item_ctx(i, n) + ": needs " + std::to_string(suffix_len) + " bytes of items data; " +
                        std::to_string(data.size() - pos) + " left");
    }
    Bytes& d = out.mutable_data();
    const size_t old = d.size();
    if (old + cp.size() + len > kMaxDecodedBlockSize) {
      return corruption(item_ctx(i, n) + ": decoded block exceeds the limit of " +
                        std::to_string(kMaxDecodedBlockSize) + " bytes of items");
    }
    // Offsets, not pointers: resize may move the buffer; source and destination never overlap.
    d.resize(old + cp.size() + size_t(len));
    char* dst = d.data() + old;
    if (!cp.empty()) std::memcpy(dst, cp.data(), cp.size());  // memcpy(_, nullptr, 0) is UB
    if (prefix_len) std::memcpy(dst + cp.size(), d.data() + prev_off, size_t(prefix_len));
    if (suffix_len) std::memcpy(dst + cp.size() + prefix_len, data.data() + pos, size_t(suffix_len));
    out.end_item();
    pos += size_t(suffix_len);
    prev_off = old + cp.size();
    if (out[i] < out[i - 1]) return unsorted(out, size_t(i), n);
  }
  if (pb != lens_end) {
    return corruption("lens data: unexpected tail of " + std::to_string(lens_end - pb) + " bytes after " +
                      std::to_string(2 * (n - 1)) + " varints");
  }
  if (pos != data.size()) {
    return corruption("items data: unexpected tail of " + std::to_string(data.size() - pos) +
                      " bytes after the last item");
  }
  return Status::ok();
}

}  // namespace

void encode_item_block(const Items& items, int compress_level, EncodedItemBlock& out, ItemBlockScratch& scratch) {
  assert(!items.empty());
  const size_t n = items.size();
  const ByteView first = items[0];
  // updateCommonPrefixSorted (v1.93.7): a single-item block's prefix is the whole item, except
  // (ours) for items over kMaxSingleItemCommonPrefix, which get "" as HEAD writes for every
  // single-item block: the header would otherwise hold the item twice and its index block could
  // compress to more than the 131072 bytes a reader accepts.
  const size_t cp_len = n == 1 ? (first.size() > kMaxSingleItemCommonPrefix ? 0 : first.size())
                               : common_prefix_len(first, items[n - 1]);
  BlockHeader& bh = out.header;
  bh = BlockHeader{};
  bh.common_prefix = first.substr(0, cp_len);
  bh.first_item = first;
  bh.items_count = uint32_t(n);

  const size_t raw = items.data_size() - cp_len * n;
  if (raw < 64 || n < 2) {
    put_plain(items, cp_len, out);
  } else {
    // zstd form (marshalData): suffixes after the shared prefix with the previous item.
    Bytes& plain_items = scratch.items;
    Bytes& lens = scratch.lens;
    plain_items.clear();
    lens.clear();
    ByteView prev = drop(first, cp_len);
    uint64_t prev_prefix = 0;
    for (size_t i = 1; i < n; ++i) {
      ByteView s = drop(items[i], cp_len);
      size_t p = common_prefix_len(prev, s);
      plain_items.append(s.data() + p, s.size() - p);
      put_varuint(lens, p ^ prev_prefix);
      prev_prefix = p;
      prev = s;
    }
    uint64_t prev_len = first.size() - cp_len;
    for (size_t i = 1; i < n; ++i) {
      uint64_t l = items[i].size() - cp_len;
      put_varuint(lens, l ^ prev_len);
      prev_len = l;
    }
    out.items_payload.clear();
    zstd::compress(out.items_payload, plain_items, compress_level);
    // Same float arithmetic as Go: float64(len(itemsData)) > 0.9*float64(raw).
    if (double(out.items_payload.size()) > 0.9 * double(raw)) {
      put_plain(items, cp_len, out);
    } else {
      bh.marshal_type = MarshalType::zstd;
      out.lens_payload.clear();
      zstd::compress(out.lens_payload, lens, compress_level);
    }
  }
  bh.items_block_size = uint32_t(out.items_payload.size());
  bh.lens_block_size = uint32_t(out.lens_payload.size());
}

Status decode_item_block(const BlockHeader& bh, ByteView items_payload, ByteView lens_payload, Items& out,
                         ItemBlockScratch& scratch) {
  out.clear();
  if (bh.items_count == 0) return corruption("itemsCount must be >= 1; got 0");
  if (bh.first_item.substr(0, bh.common_prefix.size()) != bh.common_prefix) {
    return corruption("commonPrefix is not a prefix of firstItem");
  }
  switch (bh.marshal_type) {
    case MarshalType::plain: return decode_plain(bh, items_payload, lens_payload, out);
    case MarshalType::zstd: return decode_zstd(bh, items_payload, lens_payload, out, scratch);
  }
  return corruption("marshalType must be 0 (plain) or 1 (zstd); got " + std::to_string(unsigned(bh.marshal_type)));
}

}  // namespace vmt::mergeset
