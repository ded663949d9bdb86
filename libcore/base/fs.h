// File-system helpers with VictoriaMetrics' durability rules.
//
// Spec: storage-layout.md §2.1 (flock.lock), data-part.md §14-§15 (atomic parts.json, fsync order).
//   write_file_atomic: write "<path>.tmp.<N>", fsync, rename over <path>, fsync the directory
//   (fs.MustWriteAtomic). A crash leaves either the old or the new content; a stray .tmp file is
//   harmless to vmstorage.
//   FlockFile: flock(LOCK_EX|LOCK_NB) on <dir>/flock.lock, exactly what vmstorage takes, so a tool
//   never writes into a directory a running server owns (and vice versa).
//
// Every error names the path and the errno text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace vmt::fs {

std::string join(const std::string& a, const std::string& b);
std::string base_name(const std::string& path);
std::string dir_name(const std::string& path);

bool exists(const std::string& path);
bool is_dir(const std::string& path);
bool is_file(const std::string& path);
Result<uint64_t> file_size(const std::string& path);

// Reads a whole file; fails with corruption if it is larger than max_size (caps allocation).
Result<Bytes> read_file(const std::string& path, uint64_t max_size);

struct DirEntry {
  std::string name;
  bool is_dir = false;  // directories and symlinks to directories
};
// Entries of a directory, sorted by name, without "." and "..".
Result<std::vector<DirEntry>> list_dir(const std::string& path);

Status mkdir_p(const std::string& path);
Status fsync_path(const std::string& path);  // a file or a directory
Status write_file_sync(const std::string& path, ByteView data);   // create/truncate, write, fsync
Status write_file_atomic(const std::string& path, ByteView data);
Status rename(const std::string& from, const std::string& to);
Status remove_all(const std::string& path);

// A buffered, append-only output file (for the big .bin files of a part). close() flushes and
// fsyncs. The destructor closes without fsync (for error paths). Every 8 MiB written, the kernel
// is asked to start writing that range back (sync_file_range, not waiting), so the disk works while
// the part is still being built and close()'s fsync waits only for the tail, not for the whole
// file (a merge of 40 MB spent its last 60 ms in that fsync).
class FileWriter {
 public:
  FileWriter() = default;
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // `durable` false: a temporary file this process reads again and removes (a sorted run): close()
  // neither fsyncs it nor starts its writeback, as a crash loses nothing that matters with it.
  Status open(const std::string& path, bool durable = true);
  Status write(ByteView data);
  // Flush, and start the writeback of all that is not yet on its way: a part's files are all
  // handed over before the first is fsynced, so the disk writes them together and each fsync
  // waits only for what is still in flight (one by one, each fsync waited for its whole file).
  Status flush_and_start_writeback();
  Status close();  // flush + fsync (when durable) + close
  uint64_t bytes_written() const { return written_; }
  const std::string& path() const { return path_; }

 private:
  Status flush();
  void start_writeback(uint64_t at_least);  // when at least this many bytes (and one) wait for it
  int fd_ = -1;
  std::string path_;
  Bytes buf_;
  uint64_t written_ = 0;
  uint64_t on_disk_ = 0;      // bytes handed to write(2)
  uint64_t writeback_ = 0;    // bytes whose writeback has been started
  bool durable_ = true;
};

// Exclusive, non-blocking flock on <dir>/flock.lock (created if missing, like vmstorage does).
class FlockFile {
 public:
  FlockFile() = default;
  ~FlockFile();
  FlockFile(const FlockFile&) = delete;
  FlockFile& operator=(const FlockFile&) = delete;

  // Fails with io_error "... is locked by another process (a running vmstorage?)" when held.
  Status lock(const std::string& dir);
  void unlock();
  // Read-only probe: whether another process holds <dir>/flock.lock now (creates nothing; false
  // when the file is missing or cannot be opened).
  static bool held_by_other(const std::string& dir);
  // The io_error lock() returns when another process holds the lock.
  static Status held_error(const std::string& dir);

 private:
  int fd_ = -1;
};

// The machine figures vmstorage sizes its merges by: memory.Allowed()'s base (physical memory, or
// the cgroup v2 memory.max when lower) and the free space (statvfs f_bavail) of the file system
// holding `path` or, when it does not exist yet, its nearest existing parent (0 if none).
uint64_t memory_total();
uint64_t free_disk_bytes(const std::string& path);

}  // namespace vmt::fs
