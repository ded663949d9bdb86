// CRC-32C (Castagnoli), the checksum of every Prometheus TSDB structure.
//
// Spec: tsdb/docs/format/{index,chunks,tombstones}.md in the Prometheus repository: index sections,
// series entries and the TOC carry a CRC32 of their `len` bytes; a chunk carries one of its encoding
// byte and data; the tombstones file one of its stones. All are stored big-endian (4 bytes), and all
// use the Castagnoli polynomial (Go's crc32.MakeTable(crc32.Castagnoli)), not zlib's IEEE one.
// The SSE4.2 crc32 instruction computes exactly this polynomial; without it a table is used.
#pragma once

#include <cstdint>

#include "base/coding.h"

namespace vmt::promtsdb {

uint32_t crc32c(ByteView data);

}  // namespace vmt::promtsdb
