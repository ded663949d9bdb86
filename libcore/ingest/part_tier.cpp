#include "ingest/part_tier.h"

#include <algorithm>
#include <thread>

#include "base/fs.h"
#include "storage/merge_policy.h"

namespace vmt::ingest {

uint64_t max_small_part_size(const std::string& small_dir) {
  return storage::max_small_part_size(storage::memory_limits(fs::memory_total()).remaining,
                                      fs::free_disk_bytes(small_dir),
                                      std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace vmt::ingest
