// Small or big: which directory of a partition vmstorage would put a part of a given size in.
//
// Spec: merge.md §5.1-§5.2 (getDstPartType): a part whose size exceeds maxSmallPartSize() goes to
// data/big/YYYY_MM, otherwise to data/small/YYYY_MM (an offline import writes file parts only).
// The formula is storage/merge_policy.h's; this file supplies this machine's figures: total
// memory (cgroup v2 memory.max respected, as memory.Allowed() is cgroup-aware), CPUs, and the free
// space of the small directory.
#pragma once

#include <cstdint>
#include <string>

namespace vmt::ingest {

uint64_t max_small_part_size(const std::string& small_dir);

}  // namespace vmt::ingest
