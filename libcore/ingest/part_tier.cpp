#include "ingest/part_tier.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "storage/merge_policy.h"

namespace vmt::ingest {

uint64_t max_small_part_size(const std::string& small_dir) {
  uint64_t total = uint64_t(::sysconf(_SC_PHYS_PAGES)) * uint64_t(::sysconf(_SC_PAGE_SIZE));
  if (FILE* f = std::fopen("/sys/fs/cgroup/memory.max", "r")) {  // "max" when there is no limit
    unsigned long long lim = 0;
    if (std::fscanf(f, "%llu", &lim) == 1 && lim > 0 && lim < total) total = lim;
    std::fclose(f);
  }
  struct statvfs vfs;
  uint64_t free_bytes = storage::kMaxBigPartSize;
  if (::statvfs(small_dir.c_str(), &vfs) == 0) free_bytes = uint64_t(vfs.f_bavail) * uint64_t(vfs.f_frsize);
  return storage::max_small_part_size(storage::memory_limits(total).remaining, free_bytes,
                                      std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace vmt::ingest
