// LineReader: '\n'-separated lines from a file, stdin, a descriptor or a FILE*, plain or compressed.
//
// Spec: prometheus-text.md §3 (lib/protoparser/common/lines_reader.go). The only terminator is
// '\n' ('\r' is the parser's business); a last line without '\n' is still a line.
//
// Compression is recognised by content, not by name: 1F 8B = gzip (zlib; concatenated members are
// read one after another, like Go's gzip.Reader), 28 B5 2F FD = zstd (libzstd streaming; several
// frames in a row are fine). Anything else is plain text. Input is read in chunks (1 MiB by
// default); memory stays around chunk_size + max_line_size whatever the file size.
//
// Maximum line size: VM's limit is 262144 bytes, but VM only checks it when a read brings no '\n',
// so whether a 300 KiB line passes depends on read sizes (§3). We apply it to every line, exactly:
// a line longer than max_line_size bytes (without its '\n') is an error, like VM reading byte by
// byte. As in VM the error ends the stream; the lines returned before it stand.
// A truncated gzip/zstd stream is an error here (Go's io.ErrUnexpectedEOF would end VM's request
// silently); the lines decoded before it have been returned.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::prom {

constexpr size_t kMaxLineSize = 256 * 1024;  // maxLineSize in lines_reader.go

enum class Compression : uint8_t { none, gzip, zstd };
const char* compression_name(Compression c);
// Recognises the format from the first bytes of the input (at least 4 for zstd, 2 for gzip).
Compression sniff_compression(ByteView head);

// The first bytes of an input (decompressed) are checked for a NUL byte, which text never holds:
// a binary file is refused with its offset and what it looks like (a Prometheus block file, a tar
// archive), instead of being read as thousands of bad lines.
constexpr size_t kBinaryProbeBytes = 64 * 1024;
// OK, or invalid_argument naming `name`, the offset of the NUL and what the bytes look like.
Status check_text_head(ByteView head, const std::string& name);

// Room a text buffer keeps beyond chunk_size, for the partial line carried over to the next read:
// with it, buffers of chunk_size + slack never grow on ordinary lines.
inline constexpr size_t kLineReaderSlack = size_t(64) << 10;

struct LineReaderOptions {
  size_t chunk_size = 1 << 20;           // bytes read (and decompressed) per refill; 0 = the default
  size_t max_line_size = kMaxLineSize;   // 0 = no limit (memory then grows with the longest line)
};

// The capacity a text buffer is given: a read (chunk_size) and kLineReaderSlack.
inline size_t text_buffer_room(const LineReaderOptions& o) {
  return (o.chunk_size ? o.chunk_size : LineReaderOptions().chunk_size) + kLineReaderSlack;
}

class LineReader {
 public:
  LineReader();
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Opens a path; "-" means stdin. Reads the first chunk to recognise the compression.
  Status open(const std::string& path, const LineReaderOptions& opt = {});
  // Reads from fd (closed by the reader when owns_fd). name is used in messages.
  Status open_fd(int fd, const std::string& name, bool owns_fd, const LineReaderOptions& opt = {});
  // Reads from f with fread (never closed by the reader).
  Status open_file(FILE* f, const std::string& name, const LineReaderOptions& opt = {});

  // The next line without its '\n', valid until the next call. false at the end of the input or
  // on an error: then status() tells which.
  bool next(ByteView* line);
  // 1-based number of the line next() returned last (0 before the first).
  uint64_t line_number() const { return line_no_; }

  // The next run of whole lines (joined by '\n', without the final '\n') copied into *block, for
  // parsing on other threads; *first_line is the number of its first line. Do not mix with next().
  bool next_block(Bytes* block, uint64_t* first_line);

  const Status& status() const { return status_; }
  Compression compression() const { return compression_; }
  const std::string& name() const { return name_; }
  uint64_t input_bytes() const { return input_bytes_; }  // raw (compressed) bytes read so far

 private:
  struct Decoder;
  Status start(const LineReaderOptions& opt);
  Status read_raw(char* dst, size_t cap, size_t* n);  // 0 bytes at end of input
  Status fill();                                      // appends decoded bytes at end_
  bool set_error(Status s);                           // records the first error; returns false
  bool check_head();                                  // check_text_head once, on the first bytes
  Status too_long(uint64_t line) const;

  std::string name_;
  int fd_ = -1;
  bool owns_fd_ = false;
  FILE* file_ = nullptr;
  LineReaderOptions opt_;
  Compression compression_ = Compression::none;
  std::unique_ptr<Decoder> dec_;

  Bytes buf_;             // decoded text: [begin_, end_) not yet returned
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t scanned_ = 0;    // [begin_, scanned_) is known to hold no '\n'
  bool eof_ = false;      // no more decoded bytes will come
  uint64_t line_no_ = 0;
  bool head_checked_ = false;
  uint64_t input_bytes_ = 0;
  Status status_;
};

}  // namespace vmt::prom
