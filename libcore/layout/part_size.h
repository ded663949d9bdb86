// A part's size as both merge policies count it (partWrapper.size / mergeset part size): the sum
// of its four .bin files. Spec: merge.md §5.1, mergeset.md §8.
//   data part       timestamps.bin values.bin index.bin metaindex.bin   (storage/part_writer.h)
//   mergeset part   items.bin lens.bin index.bin metaindex.bin          (mergeset/part_writer.h)
// The kind is told by items.bin or lens.bin being there. The one place every writer, the merge
// planner and the reports take a part's size from.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace vmt::layout {

// not_found (naming the file) when one of the kind's four files is missing.
Result<uint64_t> part_size(const std::string& part_dir);

}  // namespace vmt::layout
