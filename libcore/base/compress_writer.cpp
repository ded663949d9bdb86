#include "base/compress_writer.h"

#include <zlib.h>
#include <zstd.h>

namespace vmt {

Result<Compression> parse_compression(const std::string& s) {
  if (s == "none" || s.empty()) return Compression::kNone;
  if (s == "gzip" || s == "gz") return Compression::kGzip;
  if (s == "zstd" || s == "zst") return Compression::kZstd;
  return invalid_argument("compression \"" + s + "\": want none, gzip or zstd");
}

const char* compression_suffix(Compression c) {
  switch (c) {
    case Compression::kGzip: return ".gz";
    case Compression::kZstd: return ".zst";
    default: return "";
  }
}

struct CompressWriter::Codec {
  z_stream z{};
  bool z_open = false;
  ZSTD_CCtx* zs = nullptr;
  Bytes out;   // one output chunk, reused
  ~Codec() {
    if (z_open) deflateEnd(&z);
    if (zs) ZSTD_freeCCtx(zs);
  }
};

CompressWriter::CompressWriter() = default;
CompressWriter::~CompressWriter() = default;

Status CompressWriter::open(const std::string& path, Compression c, int level) {
  c_ = c;
  VMT_TRY(file_.open(path));
  if (c == Compression::kNone) return Status::ok();
  codec_ = std::make_unique<Codec>();
  codec_->out.resize(1 << 17);
  if (c == Compression::kGzip) {
    // windowBits 15 + 16: a gzip wrapper instead of zlib's.
    if (deflateInit2(&codec_->z, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return io_error(path + ": cannot start gzip compression");
    }
    codec_->z_open = true;
  } else {
    codec_->zs = ZSTD_createCCtx();
    if (!codec_->zs) return io_error(path + ": cannot start zstd compression");
    ZSTD_CCtx_setParameter(codec_->zs, ZSTD_c_compressionLevel, level ? level : 3);
  }
  return Status::ok();
}

Status CompressWriter::write(ByteView data) {
  in_ += data.size();
  if (c_ == Compression::kNone) return file_.write(data);
  Codec& k = *codec_;
  if (c_ == Compression::kGzip) {
    k.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    k.z.avail_in = uInt(data.size());
    while (k.z.avail_in > 0) {
      k.z.next_out = reinterpret_cast<Bytef*>(k.out.data());
      k.z.avail_out = uInt(k.out.size());
      if (deflate(&k.z, Z_NO_FLUSH) == Z_STREAM_ERROR) return io_error(file_.path() + ": gzip compression failed");
      VMT_TRY(file_.write(ByteView(k.out.data(), k.out.size() - k.z.avail_out)));
    }
    return Status::ok();
  }
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{k.out.data(), k.out.size(), 0};
    const size_t r = ZSTD_compressStream2(k.zs, &out, &in, ZSTD_e_continue);
    if (ZSTD_isError(r)) return io_error(file_.path() + ": zstd compression failed: " + ZSTD_getErrorName(r));
    VMT_TRY(file_.write(ByteView(k.out.data(), out.pos)));
  }
  return Status::ok();
}

Status CompressWriter::close() {
  if (c_ == Compression::kGzip) {
    Codec& k = *codec_;
    k.z.next_in = nullptr;
    k.z.avail_in = 0;
    for (int r = Z_OK; r != Z_STREAM_END;) {
      k.z.next_out = reinterpret_cast<Bytef*>(k.out.data());
      k.z.avail_out = uInt(k.out.size());
      r = deflate(&k.z, Z_FINISH);
      if (r == Z_STREAM_ERROR) return io_error(file_.path() + ": gzip compression failed");
      VMT_TRY(file_.write(ByteView(k.out.data(), k.out.size() - k.z.avail_out)));
    }
  } else if (c_ == Compression::kZstd) {
    Codec& k = *codec_;
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (size_t left = 1; left != 0;) {
      ZSTD_outBuffer out{k.out.data(), k.out.size(), 0};
      left = ZSTD_compressStream2(k.zs, &out, &in, ZSTD_e_end);
      if (ZSTD_isError(left)) return io_error(file_.path() + ": zstd compression failed: " + ZSTD_getErrorName(left));
      VMT_TRY(file_.write(ByteView(k.out.data(), out.pos)));
    }
  }
  codec_.reset();
  return file_.close();
}

}  // namespace vmt
