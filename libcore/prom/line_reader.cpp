// LineReader: chunked reading, gzip/zstd decoding, line splitting. Spec: prometheus-text.md §3.
#include "prom/line_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vmt::prom {

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::none: return "plain";
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
  }
  return "?";
}

Compression sniff_compression(ByteView head) {
  if (head.size() >= 2 && byte_at(head, 0) == 0x1f && byte_at(head, 1) == 0x8b) return Compression::gzip;
  if (head.size() >= 4 && byte_at(head, 0) == 0x28 && byte_at(head, 1) == 0xb5 &&
      byte_at(head, 2) == 0x2f && byte_at(head, 3) == 0xfd) {
    return Compression::zstd;
  }
  return Compression::none;
}

// Compressed input: raw bytes read but not yet decoded, and the codec state.
struct LineReader::Decoder {
  Bytes raw;
  size_t raw_pos = 0;
  size_t raw_end = 0;
  bool raw_eof = false;

  z_stream zs{};
  bool zs_init = false;
  bool member_done = false;  // gzip: a member ended; another may follow

  ZSTD_DStream* zds = nullptr;
  size_t zstd_last = 1;      // last ZSTD_decompressStream result: 0 = frame complete and flushed

  ~Decoder() {
    if (zs_init) inflateEnd(&zs);
    if (zds) ZSTD_freeDStream(zds);
  }
};

LineReader::LineReader() = default;

LineReader::~LineReader() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

Status LineReader::open(const std::string& path, const LineReaderOptions& opt) {
  if (path == "-") return open_fd(0, "(stdin)", false, opt);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    set_error(io_error("cannot open " + path + ": " + strerror(errno)));
    return status_;
  }
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return open_fd(fd, path, true, opt);
}

Status LineReader::open_fd(int fd, const std::string& name, bool owns_fd, const LineReaderOptions& opt) {
  fd_ = fd;
  owns_fd_ = owns_fd;
  name_ = name;
  return start(opt);
}

Status LineReader::open_file(FILE* f, const std::string& name, const LineReaderOptions& opt) {
  file_ = f;
  name_ = name;
  return start(opt);
}

bool LineReader::set_error(Status s) {
  if (status_.is_ok()) status_ = std::move(s);
  return false;
}

Status check_text_head(ByteView head, const std::string& name) {
  head = head.substr(0, kBinaryProbeBytes);
  const size_t nul = head.find('\0');
  if (nul == ByteView::npos) return Status::ok();
  std::string what = "binary data";
  if (head.size() >= 4) {
    const uint32_t magic = load_u32(head.data());
    if (magic == 0xBAAAD700 || magic == 0x85BD40DD || magic == 0x0130BA30) {
      what = "a file of a Prometheus TSDB block (tsdb-import --from prometheus reads the data directory, snapshot or block)";
    } else if (head.size() > 262 && head.substr(257, 5) == "ustar") {
      what = "a tar archive (unpack it first)";
    }
  }
  return invalid_argument(name + ": offset " + std::to_string(nul) + ": byte 0x00: this is " + what +
                          ", not text (Prometheus exposition or JSON lines; gzip and zstd are recognised by their content)");
}

bool LineReader::check_head() {
  if (head_checked_) return true;
  head_checked_ = true;
  Status st = check_text_head(ByteView(buf_.data() + begin_, end_ - begin_), name_);
  return st.is_ok() || set_error(std::move(st));
}

// Bad input data, not bad usage: exit status 1 in the tools (ops/tool.h).
Status LineReader::too_long(uint64_t line) const {
  return corruption(name_ + ": line " + std::to_string(line) +
                          ": too long line: more than " + std::to_string(opt_.max_line_size) +
                          " bytes");
}

Status LineReader::read_raw(char* dst, size_t cap, size_t* n) {
  *n = 0;
  if (file_ != nullptr) {
    *n = fread(dst, 1, cap, file_);
    if (*n == 0 && ferror(file_)) return io_error("cannot read " + name_ + ": " + strerror(errno));
  } else {
    ssize_t r;
    do {
      r = ::read(fd_, dst, cap);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return io_error("cannot read " + name_ + ": " + strerror(errno));
    *n = static_cast<size_t>(r);
  }
  input_bytes_ += *n;
  return Status::ok();
}

Status LineReader::start(const LineReaderOptions& opt) {
  opt_ = opt;
  if (opt_.chunk_size == 0) opt_.chunk_size = LineReaderOptions().chunk_size;
  dec_ = std::make_unique<Decoder>();
  Decoder& d = *dec_;
  d.raw.resize(opt_.chunk_size < 4 ? 4 : opt_.chunk_size);
  // Short reads (pipes) may deliver fewer bytes than the magic needs: read until 4 or EOF.
  while (d.raw_end < 4) {
    size_t n = 0;
    if (Status st = read_raw(d.raw.data() + d.raw_end, d.raw.size() - d.raw_end, &n); !st.is_ok()) {
      set_error(st);
      return st;
    }
    if (n == 0) {
      d.raw_eof = true;
      break;
    }
    d.raw_end += n;
  }
  compression_ = sniff_compression(ByteView(d.raw.data(), d.raw_end));
  buf_.reserve(text_buffer_room(opt_));
  switch (compression_) {
    case Compression::none:
      // Plain text: hand the first bytes over and read directly into buf_ from now on.
      buf_.assign(d.raw.data(), d.raw_end);
      end_ = d.raw_end;
      eof_ = d.raw_eof;
      dec_.reset();
      break;
    case Compression::gzip:
      if (inflateInit2(&d.zs, 16 + MAX_WBITS) != Z_OK) {
        set_error(io_error(name_ + ": cannot initialise zlib"));
        return status_;
      }
      d.zs_init = true;
      break;
    case Compression::zstd:
      d.zds = ZSTD_createDStream();
      if (d.zds == nullptr || ZSTD_isError(ZSTD_initDStream(d.zds))) {
        set_error(io_error(name_ + ": cannot initialise zstd"));
        return status_;
      }
      break;
  }
  return Status::ok();
}

Status LineReader::fill() {
  if (begin_ > 0) {  // move the partial line to the front
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    scanned_ -= begin_;
    begin_ = 0;
  }
  const size_t chunk = opt_.chunk_size;
  if (buf_.size() < end_ + chunk) buf_.resize(end_ + chunk);
  char* out = buf_.data() + end_;

  if (compression_ == Compression::none) {
    size_t n = 0;
    VMT_TRY(read_raw(out, chunk, &n));
    if (n == 0) eof_ = true;
    end_ += n;
    return Status::ok();
  }

  Decoder& d = *dec_;
  size_t produced = 0;
  auto offset = [&] { return std::to_string(input_bytes_ - (d.raw_end - d.raw_pos)); };
  while (produced == 0 && !eof_) {
    if (d.raw_pos == d.raw_end && !d.raw_eof) {
      size_t n = 0;
      VMT_TRY(read_raw(d.raw.data(), d.raw.size(), &n));
      d.raw_pos = 0;
      d.raw_end = n;
      if (n == 0) d.raw_eof = true;
    }
    const bool input_done = d.raw_pos == d.raw_end && d.raw_eof;
    if (compression_ == Compression::gzip) {
      if (d.member_done) {
        if (input_done) {
          eof_ = true;
          break;
        }
        if (d.raw_pos == d.raw_end) continue;
        inflateReset(&d.zs);  // another gzip member follows (cat a.gz b.gz)
        d.member_done = false;
      }
      d.zs.next_in = reinterpret_cast<Bytef*>(d.raw.data() + d.raw_pos);
      d.zs.avail_in = static_cast<uInt>(d.raw_end - d.raw_pos);
      d.zs.next_out = reinterpret_cast<Bytef*>(out);
      d.zs.avail_out = static_cast<uInt>(chunk);
      int ret = inflate(&d.zs, Z_NO_FLUSH);
      d.raw_pos = d.raw_end - d.zs.avail_in;
      produced = chunk - d.zs.avail_out;
      if (ret == Z_STREAM_END) {
        d.member_done = true;
      } else if (ret == Z_BUF_ERROR) {
        if (input_done) {
          return corruption(name_ + ": gzip: unexpected end of compressed data at offset " + offset());
        }
      } else if (ret != Z_OK) {
        return corruption(name_ + ": gzip: " + (d.zs.msg ? std::string(d.zs.msg) : "error " + std::to_string(ret)) +
                          " near compressed offset " + offset());
      }
    } else {
      if (input_done && d.zstd_last == 0) {
        eof_ = true;
        break;
      }
      ZSTD_inBuffer in{d.raw.data() + d.raw_pos, d.raw_end - d.raw_pos, 0};
      ZSTD_outBuffer o{out, chunk, 0};
      size_t ret = ZSTD_decompressStream(d.zds, &o, &in);
      if (ZSTD_isError(ret)) {
        return corruption(name_ + ": zstd: " + ZSTD_getErrorName(ret) + " near compressed offset " +
                          offset());
      }
      d.raw_pos += in.pos;
      d.zstd_last = ret;
      produced = o.pos;
      if (produced == 0 && input_done && ret != 0) {
        return corruption(name_ + ": zstd: unexpected end of compressed data at offset " + offset());
      }
    }
  }
  end_ += produced;
  return Status::ok();
}

bool LineReader::next(ByteView* line) {
  if (!status_.is_ok()) return false;
  const size_t max = opt_.max_line_size;
  for (;;) {
    const char* base = buf_.data();
    const void* p = std::memchr(base + scanned_, '\n', end_ - scanned_);
    if (p != nullptr) {
      if (!check_head()) return false;
      size_t nl = static_cast<size_t>(static_cast<const char*>(p) - base);
      if (max != 0 && nl - begin_ > max) return set_error(too_long(line_no_ + 1));
      *line = ByteView(base + begin_, nl - begin_);
      begin_ = scanned_ = nl + 1;
      ++line_no_;
      return true;
    }
    scanned_ = end_;
    size_t partial = end_ - begin_;
    if (max != 0 && partial > max) return set_error(too_long(line_no_ + 1));
    if (eof_) {
      if (partial == 0) return false;
      if (!check_head()) return false;
      *line = ByteView(base + begin_, partial);  // the last line has no '\n'
      begin_ = scanned_ = end_;
      ++line_no_;
      return true;
    }
    if (Status st = fill(); !st.is_ok()) return set_error(std::move(st));
  }
}

namespace {

// The number of '\n' bytes in [p, p + n): 16 bytes a step (SSE2, every x86-64), counted in bytes
// for up to 255 steps, then summed. A block's lines are counted here once, while the input is
// read (one thread at a time, prom/block_pipeline.h): a memchr per line cost a tenth of the read.
uint64_t count_newlines(const char* p, size_t n) {
  uint64_t count = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  while (n - i >= 16) {
    __m128i acc = _mm_setzero_si128();
    const size_t steps = std::min<size_t>((n - i) / 16, 255);
    for (size_t s = 0; s < steps; ++s, i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));  // a match is 0xff, i.e. -1
    }
    const __m128i sums = _mm_sad_epu8(acc, _mm_setzero_si128());
    count += uint64_t(_mm_cvtsi128_si64(sums)) + uint64_t(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#endif
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

// The offset of the first line in [b, e) longer than max bytes (without its '\n'), or npos.
// A line of more than max bytes is a run of at least max + 1 bytes without '\n', and such a run
// covers a whole window of h = (max + 1) / 2 bytes counted from b: so only a window without any
// '\n' (memchr finds none) needs the exact look around it. Every other window costs one memchr that
// stops at its first line's end.
size_t find_too_long_line(const char* b, const char* e, size_t max) {
  const size_t h = std::max<size_t>(1, (max + 1) / 2);
  for (const char* w = b; size_t(e - w) >= h; w += h) {
    if (std::memchr(w, '\n', h) != nullptr) continue;
    const void* before = w > b ? memrchr(b, '\n', size_t(w - b)) : nullptr;
    const char* start = before ? static_cast<const char*>(before) + 1 : b;
    const void* after = std::memchr(w + h, '\n', size_t(e - (w + h)));
    const char* end = after ? static_cast<const char*>(after) : e;
    if (size_t(end - start) > max) return size_t(start - b);
  }
  return ByteView::npos;
}

}  // namespace

bool LineReader::next_block(Bytes* block, uint64_t* first_line) {
  if (!status_.is_ok()) return false;
  const size_t max = opt_.max_line_size;
  for (;;) {
    const char* base = buf_.data();
    const void* p = end_ > begin_ ? memrchr(base + begin_, '\n', end_ - begin_) : nullptr;
    if (p != nullptr || eof_) {
      size_t stop = p ? static_cast<size_t>(static_cast<const char*>(p) - base) : end_;
      if (p == nullptr && stop == begin_) return false;
      if (!check_head()) return false;
      if (max != 0) {
        if (size_t at = find_too_long_line(base + begin_, base + stop, max); at != ByteView::npos) {
          return set_error(too_long(line_no_ + 1 + count_newlines(base + begin_, at)));
        }
      }
      *first_line = line_no_ + 1;
      line_no_ += count_newlines(base + begin_, stop - begin_) + 1;
      const size_t rest = p ? stop + 1 : end_;
      if (begin_ == 0) {
        // The block takes the buffer as it is, and the buffer the block's old storage with the
        // partial line after the block: no copy of the block's text. The sizes only shrink here,
        // so fill() grows the buffer back by a few bytes, not by a chunk of zeroes.
        block->swap(buf_);
        const size_t tail = end_ - rest;
        if (buf_.size() < tail) buf_.resize(tail);
        std::memcpy(buf_.data(), block->data() + rest, tail);
        block->resize(stop);
        begin_ = 0;
        scanned_ = end_ = tail;
      } else {
        block->assign(base + begin_, stop - begin_);
        begin_ = scanned_ = rest;
      }
      return true;
    }
    if (max != 0 && end_ - begin_ > max) return set_error(too_long(line_no_ + 1));
    scanned_ = end_;
    if (Status st = fill(); !st.is_ok()) return set_error(std::move(st));
  }
}

}  // namespace vmt::prom
