#include "base/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vmt::fs {

namespace {

Status errno_status(const std::string& what, const std::string& path, int err) {
  Code code = (err == ENOENT || err == ENOTDIR) ? Code::not_found : Code::io_error;
  return Status(code, what + " " + path + ": " + std::strerror(err));
}

Status write_all(int fd, const char* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot write", path, errno);
    }
    p += w;
    n -= size_t(w);
  }
  return Status::ok();
}

std::atomic<uint64_t> g_tmp_counter{0};

}  // namespace

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

std::string base_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dir_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<uint64_t> file_size(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return errno_status("cannot stat", path, errno);
  return uint64_t(st.st_size);
}

Result<Bytes> read_file(const std::string& path, uint64_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return errno_status("cannot stat", path, e);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return io_error("cannot read " + path + ": is a directory");
  }
  if (uint64_t(st.st_size) > max_size) {
    ::close(fd);
    return corruption(path + ": size " + std::to_string(st.st_size) + " exceeds the limit " +
                      std::to_string(max_size) + " for this file");
  }
  Bytes out;
  out.resize(size_t(st.st_size));
  size_t got = 0;
  while (got < out.size()) {
    ssize_t r = ::read(fd, out.data() + got, out.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return errno_status("cannot read", path, e);
    }
    if (r == 0) break;
    got += size_t(r);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Result<std::vector<DirEntry>> list_dir(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (!d) return errno_status("cannot open directory", path, errno);
  std::vector<DirEntry> out;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    DirEntry de;
    de.name = name;
    if (e->d_type == DT_DIR) {
      de.is_dir = true;
    } else if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
      de.is_dir = is_dir(join(path, name));
    }
    out.push_back(std::move(de));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Status mkdir_p(const std::string& path) {
  if (path.empty() || is_dir(path)) return Status::ok();
  std::string parent = dir_name(path);
  if (parent != path && !parent.empty() && parent != "." && parent != "/") VMT_TRY(mkdir_p(parent));
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return errno_status("cannot create directory", path, errno);
  return Status::ok();
}

Status fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open for fsync", path, errno);
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return errno_status("cannot fsync", path, e);
  return Status::ok();
}

Status write_file_sync(const std::string& path, ByteView data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot create", path, errno);
  Status st = write_all(fd, data.data(), data.size(), path);
  if (st.is_ok() && ::fsync(fd) != 0) st = errno_status("cannot fsync", path, errno);
  if (::close(fd) != 0 && st.is_ok()) st = errno_status("cannot close", path, errno);
  return st;
}

Status write_file_atomic(const std::string& path, ByteView data) {
  // Temporary files of this path left by an interrupted write (ours: <path>.tmp.<N>) go first.
  const std::string prefix = base_name(path) + ".tmp.";
  if (auto entries = list_dir(dir_name(path)); entries.is_ok()) {
    for (const auto& e : *entries) {
      if (!e.is_dir && e.name.rfind(prefix, 0) == 0) ::unlink(join(dir_name(path), e.name).c_str());
    }
  }
  std::string tmp = path + ".tmp." + std::to_string(++g_tmp_counter);
  Status st = write_file_sync(tmp, data);
  if (!st.is_ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return errno_status("cannot rename " + tmp + " to", path, e);
  }
  return fsync_path(dir_name(path));
}

Status rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_status("cannot rename " + from + " to", to, errno);
  return Status::ok();
}

Status remove_all(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::ok();
    return errno_status("cannot stat", path, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    VMT_ASSIGN_OR_RETURN(auto entries, list_dir(path));
    for (const auto& e : entries) VMT_TRY(remove_all(join(path, e.name)));
    if (::rmdir(path.c_str()) != 0) return errno_status("cannot remove directory", path, errno);
  } else if (::unlink(path.c_str()) != 0) {
    return errno_status("cannot remove", path, errno);
  }
  return Status::ok();
}

// ---- FileWriter --------------------------------------------------------------------------------

namespace {
constexpr size_t kWriteBuffer = 1 << 20;
constexpr uint64_t kWritebackStep = 8 << 20;
}

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileWriter::open(const std::string& path, bool durable) {
  path_ = path;
  durable_ = durable;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return errno_status("cannot create", path, errno);
  buf_.reserve(kWriteBuffer);
  written_ = on_disk_ = writeback_ = 0;
  return Status::ok();
}

Status FileWriter::flush() {
  if (buf_.empty()) return Status::ok();
  Status st = write_all(fd_, buf_.data(), buf_.size(), path_);
  if (st.is_ok()) {
    on_disk_ += buf_.size();
    start_writeback(kWritebackStep);
  }
  buf_.clear();
  return st;
}

// A hint only: where sync_file_range is refused (not every filesystem has it), close()'s fsync
// does all the work as before, so its result is not checked.
void FileWriter::start_writeback(uint64_t at_least) {
  if (!durable_ || on_disk_ - writeback_ < std::max<uint64_t>(at_least, 1)) return;
  ::sync_file_range(fd_, off_t(writeback_), off_t(on_disk_ - writeback_), SYNC_FILE_RANGE_WRITE);
  writeback_ = on_disk_;
}

Status FileWriter::write(ByteView data) {
  written_ += data.size();
  if (buf_.size() + data.size() > kWriteBuffer) {
    VMT_TRY(flush());
    if (data.size() >= kWriteBuffer) {
      VMT_TRY(write_all(fd_, data.data(), data.size(), path_));
      on_disk_ += data.size();
      start_writeback(kWritebackStep);
      return Status::ok();
    }
  }
  buf_.append(data);
  return Status::ok();
}

Status FileWriter::flush_and_start_writeback() {
  if (fd_ < 0) return Status::ok();
  VMT_TRY(flush());
  start_writeback(0);
  return Status::ok();
}

Status FileWriter::close() {
  if (fd_ < 0) return Status::ok();
  Status st = flush();
  if (st.is_ok() && durable_ && ::fsync(fd_) != 0) st = errno_status("cannot fsync", path_, errno);
  if (::close(fd_) != 0 && st.is_ok()) st = errno_status("cannot close", path_, errno);
  fd_ = -1;
  return st;
}

// ---- FlockFile ---------------------------------------------------------------------------------

FlockFile::~FlockFile() { unlock(); }

Status FlockFile::lock(const std::string& dir) {
  std::string path = join(dir, "flock.lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot create", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    if (e == EWOULDBLOCK) return held_error(dir);
    return errno_status("cannot flock", path, e);
  }
  fd_ = fd;
  return Status::ok();
}

Status FlockFile::held_error(const std::string& dir) {
  return io_error("cannot acquire lock on " + join(dir, "flock.lock") +
                  ": it is held by another process (a running vmstorage or another tool?)");
}

bool FlockFile::held_by_other(const std::string& dir) {
  const std::string path = join(dir, "flock.lock");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = false;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    held = errno == EWOULDBLOCK;
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return held;
}

void FlockFile::unlock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
    fd_ = -1;
  }
}

uint64_t memory_total() {
  uint64_t total = uint64_t(::sysconf(_SC_PHYS_PAGES)) * uint64_t(::sysconf(_SC_PAGE_SIZE));
  if (FILE* f = std::fopen("/sys/fs/cgroup/memory.max", "r")) {  // "max" when there is no limit
    unsigned long long lim = 0;
    if (std::fscanf(f, "%llu", &lim) == 1 && lim > 0 && lim < total) total = lim;
    std::fclose(f);
  }
  return total;
}

uint64_t free_disk_bytes(const std::string& path) {
  std::string p = path;
  while (!is_dir(p) && p != dir_name(p) && !p.empty()) p = dir_name(p);
  struct statvfs v;
  if (::statvfs(p.empty() ? "." : p.c_str(), &v) != 0) return 0;
  return uint64_t(v.f_bavail) * uint64_t(v.f_frsize);
}

}  // namespace vmt::fs
