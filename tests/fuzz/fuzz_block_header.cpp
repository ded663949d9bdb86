// Fuzz target: BlockHeader::decode (+ validate) and decode_metaindex on arbitrary bytes.
// Property: never crash; a header that decodes re-encodes to the same 89 bytes; a metaindex that
// decodes re-encodes to the same bytes. Seeds: corpus/block_header/ (see gen_storage_corpus.cpp).
#include <cstddef>
#include <cstdint>

#include "base/byte_reader.h"
#include "storage/block_header.h"
#include "storage/metaindex_row.h"

using namespace vmt;
using namespace vmt::storage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView in(reinterpret_cast<const char*>(data), size);
  ByteReader r(in);
  while (!r.empty()) {
    const size_t start = r.pos();
    auto bh = BlockHeader::decode(r);
    if (!bh.is_ok()) break;
    Bytes again;
    bh->encode(again);
    if (again != in.substr(start, BlockHeader::kSize)) __builtin_trap();
    (void)bh->to_string();
  }
  auto rows = decode_metaindex(in);
  if (rows.is_ok()) {
    Bytes again;
    for (const auto& mr : rows.value()) {
      if (!mr.validate().is_ok()) __builtin_trap();
      mr.encode(again);
    }
    if (again != in) __builtin_trap();
  }
  return 0;
}
