#include "layout/part_size.h"

#include "base/fs.h"

namespace vmt::layout {

Result<uint64_t> part_size(const std::string& dir) {
  static constexpr const char* kData[] = {"timestamps.bin", "values.bin", "index.bin", "metaindex.bin"};
  static constexpr const char* kIndex[] = {"items.bin", "lens.bin", "index.bin", "metaindex.bin"};
  const bool index = fs::exists(fs::join(dir, "items.bin")) || fs::exists(fs::join(dir, "lens.bin"));
  uint64_t total = 0;
  for (const char* f : index ? kIndex : kData) {
    const std::string p = fs::join(dir, f);
    if (!fs::exists(p)) return not_found(p + ": missing");
    VMT_ASSIGN_OR_RETURN(uint64_t n, fs::file_size(p));
    total += n;
  }
  return total;
}

}  // namespace vmt::layout
