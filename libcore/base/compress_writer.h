// CompressWriter: a file written through gzip or zstd as it streams (tsdb-route --compress), or
// plainly. The result is an ordinary .gz (RFC 1952, zlib's deflate) or .zst (one zstd frame)
// file that gzip -d / zstd -d and every reader of ours (prom::LineReader recognises both by their
// magic bytes) read back; memory stays at the codecs' windows whatever the size.
#pragma once

#include <memory>
#include <string>

#include "base/coding.h"
#include "base/fs.h"
#include "base/status.h"

namespace vmt {

enum class Compression { kNone, kGzip, kZstd };

// "none", "gzip", "zstd" (invalid_argument otherwise); the file name suffix: "", ".gz", ".zst".
Result<Compression> parse_compression(const std::string& s);
const char* compression_suffix(Compression c);

class CompressWriter {
 public:
  CompressWriter();
  ~CompressWriter();
  CompressWriter(const CompressWriter&) = delete;
  CompressWriter& operator=(const CompressWriter&) = delete;

  Status open(const std::string& path, Compression c, int level = 0);   // level 0: the codec's default
  Status write(ByteView data);
  // Ends the stream (gzip trailer, zstd frame epilogue), then fsyncs and closes the file.
  Status close();
  uint64_t bytes_in() const { return in_; }                  // uncompressed bytes given
  uint64_t bytes_written() const { return file_.bytes_written(); }

 private:
  struct Codec;
  fs::FileWriter file_;
  Compression c_ = Compression::kNone;
  std::unique_ptr<Codec> codec_;
  uint64_t in_ = 0;
};

}  // namespace vmt
