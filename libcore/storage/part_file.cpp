#include "storage/part_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vmt::storage {

PartFile::~PartFile() { close(); }

void PartFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  mem_ = {};
  size_ = 0;
}

Status PartFile::open(const std::string& path, std::string name) {
  close();
  name_ = std::move(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    return Status(e == ENOENT ? Code::not_found : Code::io_error,
                  name_ + ": cannot open " + path + ": " + std::strerror(e));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return io_error(name_ + ": cannot stat " + path + ": " + std::strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error(name_ + ": " + path + " is not a regular file");
  }
  fd_ = fd;
  size_ = uint64_t(st.st_size);
  return Status::ok();
}

void PartFile::open_memory(ByteView data, std::string name) {
  close();
  name_ = std::move(name);
  mem_ = data;
  size_ = data.size();
}

Result<ByteView> PartFile::read_at(uint64_t off, size_t n, Bytes& scratch) const {
  if (off > size_ || n > size_ - off) {
    return corruption(name_ + ": offset " + std::to_string(off) + ": cannot read " + std::to_string(n) +
                      " bytes: the file has " + std::to_string(size_) + " bytes");
  }
  if (fd_ < 0) return mem_.substr(size_t(off), n);
  scratch.resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, scratch.data() + got, n - got, off_t(off + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return io_error(name_ + ": offset " + std::to_string(off + got) + ": cannot read: " +
                      std::strerror(errno));
    }
    if (r == 0) {
      return corruption(name_ + ": offset " + std::to_string(off + got) +
                        ": unexpected end of file (it shrank while open?)");
    }
    got += size_t(r);
  }
  return ByteView(scratch.data(), n);
}

void SeqReader::reset(const PartFile* file, size_t buffer_size) {
  file_ = file;
  buffer_size_ = buffer_size;
  buf_.clear();
  buf_off_ = 0;
  min_next_ = 0;
}

Result<ByteView> SeqReader::read(uint64_t off, size_t n) {
  if (off < min_next_) {
    return corruption(file_->name() + ": offset " + std::to_string(off) +
                      ": internal: sequential read went backwards from " + std::to_string(min_next_));
  }
  if (file_->in_memory()) {
    Bytes unused;
    auto r = file_->read_at(off, n, unused);
    if (r.is_ok()) min_next_ = off + n;
    return r;
  }
  if (off >= buf_off_ && off - buf_off_ <= buf_.size() && n <= buf_.size() - (off - buf_off_)) {
    min_next_ = off + n;
    return ByteView(buf_.data() + (off - buf_off_), n);
  }
  // Refill: at least n bytes, up to the buffer size, never past the end of the file.
  if (off > file_->size() || n > file_->size() - off) {
    Bytes unused;
    return file_->read_at(off, n, unused);   // the bounds error with file, offset and size
  }
  uint64_t want = std::max<uint64_t>(n, buffer_size_);
  want = std::min<uint64_t>(want, file_->size() - off);
  auto r = file_->read_at(off, size_t(want), buf_);
  if (!r.is_ok()) {
    buf_.clear();
    return r.take_status();
  }
  buf_off_ = off;
  min_next_ = off + n;
  return ByteView(buf_.data(), n);
}

}  // namespace vmt::storage
