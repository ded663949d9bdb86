#include "mergeset/part_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fs.h"

namespace vmt::mergeset {

namespace {

class MemorySource : public PartSource {
 public:
  explicit MemorySource(PartFiles files) : files_(std::move(files)) {}
  uint64_t size(PartFile f) const override { return files_.file(f).size(); }
  Status read(PartFile f, uint64_t off, size_t n, Bytes&, ByteView* out) override {
    *out = ByteView(files_.file(f)).substr(size_t(off), n);
    return Status::ok();
  }

 private:
  PartFiles files_;
};

class DirSource : public PartSource {
 public:
  ~DirSource() override {
    for (int fd : fds_) {
      if (fd >= 0) ::close(fd);
    }
  }
  Status open(const std::string& dir, uint64_t metaindex_size) {
    sizes_[int(PartFile::metaindex)] = metaindex_size;
    for (PartFile f : {PartFile::index, PartFile::items, PartFile::lens}) {
      const int i = int(f);
      paths_[i] = fs::join(dir, part_file_name(f));
      fds_[i] = ::open(paths_[i].c_str(), O_RDONLY | O_CLOEXEC);
      if (fds_[i] < 0) {
        const int e = errno;
        const Code code = (e == ENOENT || e == ENOTDIR) ? Code::not_found : Code::io_error;
        return Status(code, "cannot open " + paths_[i] + ": " + std::strerror(e));
      }
      struct stat st;
      if (::fstat(fds_[i], &st) != 0) return io_error("cannot stat " + paths_[i] + ": " + std::strerror(errno));
      if (!S_ISREG(st.st_mode)) return io_error(paths_[i] + ": not a regular file");
      sizes_[i] = uint64_t(st.st_size);
    }
    return Status::ok();
  }
  uint64_t size(PartFile f) const override { return sizes_[int(f)]; }
  Status read(PartFile f, uint64_t off, size_t n, Bytes& scratch, ByteView* out) override {
    const int i = int(f);
    scratch.resize(n);
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fds_[i], scratch.data() + got, n - got, off_t(off + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return io_error("cannot read " + std::to_string(n) + " bytes at offset " + std::to_string(off) + " of " +
                        paths_[i] + ": " + std::strerror(errno));
      }
      if (r == 0) {  // the file shrank since open
        return out_of_range(paths_[i] + ": unexpected end of file at offset " + std::to_string(off + got) +
                            " while reading " + std::to_string(n) + " bytes at offset " + std::to_string(off));
      }
      got += size_t(r);
    }
    *out = scratch;
    return Status::ok();
  }

 private:
  int fds_[kPartFileCount] = {-1, -1, -1, -1, -1};
  uint64_t sizes_[kPartFileCount] = {};
  std::string paths_[kPartFileCount];
};

}  // namespace

Result<std::unique_ptr<PartSource>> open_dir_source(const std::string& dir, uint64_t metaindex_size) {
  auto src = std::make_unique<DirSource>();
  VMT_TRY(src->open(dir, metaindex_size));
  return std::unique_ptr<PartSource>(std::move(src));
}

std::unique_ptr<PartSource> memory_source(PartFiles files) {
  return std::make_unique<MemorySource>(std::move(files));
}

}  // namespace vmt::mergeset
