// zstd: one-shot compression of one frame and bounded decompression, on libzstd.
//
// Spec: encoding.md §3. Every compressed item in a part (value/timestamp blocks, index blocks,
// the metaindex) is one self-contained zstd frame. VM's cgo builds write frames with the content
// size (ZSTD_compressCCtx); its pure-Go builds (klauspost) may leave the Frame_Content_Size out,
// so the reader must not depend on it. Compressed bytes differ between builds and libzstd
// versions: only the decompressed content is compared.
//
// Both functions keep one ZSTD_CCtx / ZSTD_DCtx per thread, so hot loops do not allocate.
#pragma once

#include <cstddef>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::zstd {

// Appends exactly one frame holding src, compressed at `level` (negative "fast" levels such as
// -5, -2, -1 work). An empty src appends nothing, like gozstd. Never fails.
void compress(Bytes& out, ByteView src, int level);

// Appends the decompressed content of src (one or more concatenated frames, with or without the
// content size). Fails with corruption naming the reason on invalid or truncated data, or when
// the content would exceed max_size; never allocates more than max_size bytes for the output.
// An empty src appends nothing and succeeds. On failure `out` keeps its original size.
[[nodiscard]] Status decompress(Bytes& out, ByteView src, size_t max_size);

}  // namespace vmt::zstd
