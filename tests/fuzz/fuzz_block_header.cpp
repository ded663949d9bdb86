// Fuzz target: BlockHeader::decode (+ validate) and decode_metaindex on arbitrary bytes.
// Property: never crash; a header that decodes re-encodes to the same 89 (cluster) or 81 (single-node) bytes; a metaindex that
// decodes re-encodes to the same bytes. Seeds: corpus/block_header/ (see gen_storage_corpus.cpp).
#include <cstddef>
#include <cstdint>

#include "base/byte_reader.h"
#include "storage/block_header.h"
#include "storage/metaindex_row.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

void check(ByteView in, metric::Tenancy t) {
  ByteReader r(in);
  while (!r.empty()) {
    const size_t start = r.pos();
    auto bh = BlockHeader::decode(r, t);
    if (!bh.is_ok()) break;
    Bytes again;
    bh->encode(again, t);
    if (again != in.substr(start, BlockHeader::size(t))) __builtin_trap();
    (void)bh->to_string();
  }
  auto rows = decode_metaindex(in, t);
  if (rows.is_ok()) {
    Bytes again;
    for (const auto& mr : rows.value()) {
      if (!mr.validate().is_ok()) __builtin_trap();
      mr.encode(again, t);
    }
    if (again != in) __builtin_trap();
  }
}

}  // namespace

// Every input is tried as both layouts (cluster 89/64 bytes, single-node 81/56).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView in(reinterpret_cast<const char*>(data), size);
  check(in, metric::Tenancy::kCluster);
  check(in, metric::Tenancy::kSingle);
  return 0;
}
