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

// The level that stores: src in raw blocks of one frame (the frame format's Raw_Block), for files
// this program writes and soon reads back itself (an import's index runs), where compressing costs
// more CPU than the bytes save. Any zstd decoder reads it. Never for a part the server reads:
// those take the server's levels.
constexpr int kStoreLevel = -1000;

// Whether a frame of src would surely be larger than ratio x src.size(), so that compressing it
// to find out (VM stores a column plain when its frame exceeds 90% of it, encoding.md §4.2) can be
// skipped. At libzstd's levels 1..5 a frame of a few hundred bytes costs about 4 us, mostly the
// Huffman table of its literals, and the nearest-delta streams of noisy values never shrink: 80%
// of a merge's frames were thrown away. The guess is meant as a lower bound of the frame: the
// order-0 entropy of the bytes, a Huffman header of 2 bits per distinct byte and 8 bytes of frame
// and block headers, less every byte of a run that repeats earlier bytes (4 or more, a match zstd
// could make). Entropy and repeats are bounds; the header is an estimate. Measured on the
// benchmarks' merge and imports, no stream it refused would have reached 90% (the closest reached
// 91.3%); the unit test holds it to libzstd on random streams, periodic ones included. False for
// sources under 64 bytes or over 64 KiB (not guessed: compressed).
bool surely_larger_than(ByteView src, double ratio);

// Appends the decompressed content of src (one or more concatenated frames, with or without the
// content size). Fails with corruption naming the reason on invalid or truncated data, or when
// the content would exceed max_size; never allocates more than max_size bytes for the output.
// An empty src appends nothing and succeeds. On failure `out` keeps its original size.
[[nodiscard]] Status decompress(Bytes& out, ByteView src, size_t max_size);

}  // namespace vmt::zstd
