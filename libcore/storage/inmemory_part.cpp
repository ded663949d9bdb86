#include "storage/inmemory_part.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/fs.h"

namespace vmt::storage {

void InmemoryPart::clear() {
  header = PartHeader();
  timestamps.clear();
  values.clear();
  index.clear();
  metaindex.clear();
}

Status InmemoryPart::store_to_disk(const std::string& dir) const {
  // MustMkdirFailIfExist: a name collision is an error, never an overwrite.
  if (::mkdir(dir.c_str(), 0755) != 0) {
    int e = errno;
    return Status(e == ENOENT ? Code::not_found : Code::io_error,
                  "cannot create part directory " + dir + ": " + std::strerror(e));
  }
  VMT_TRY(fs::fsync_path(fs::dir_name(dir)));
  VMT_TRY(fs::write_file_sync(fs::join(dir, "timestamps.bin"), timestamps));
  VMT_TRY(fs::write_file_sync(fs::join(dir, "values.bin"), values));
  VMT_TRY(fs::write_file_sync(fs::join(dir, "index.bin"), index));
  VMT_TRY(fs::write_file_sync(fs::join(dir, "metaindex.bin"), metaindex));
  VMT_TRY(header.write_dir(dir));
  return fs::fsync_path(dir);
}

}  // namespace vmt::storage
