#include "promtsdb/tombstones.h"

#include <algorithm>

#include "base/byte_reader.h"
#include "base/fs.h"
#include "promtsdb/crc32c.h"

namespace vmt::promtsdb {

Status Tombstones::read(const std::string& path) {
  stones_.clear();
  if (!fs::exists(path)) return Status::ok();
  VMT_ASSIGN_OR_RETURN(Bytes b, fs::read_file(path, 1ull << 32));
  return parse(b, path);
}

Status Tombstones::parse(ByteView b, const std::string& name) {
  stones_.clear();
  if (b.size() < 9) return corruption(name + ": offset 0: tombstones file of " + std::to_string(b.size()) + " bytes is too short");
  if (load_u32(b.data()) != kTombstonesMagic) return corruption(name + ": offset 0: not a tombstones file (bad magic)");
  if (byte_at(b, 4) != 1) {
    return corruption(name + ": offset 4: tombstones format " + std::to_string(byte_at(b, 4)) + " is not supported (want 1)");
  }
  const ByteView stones = b.substr(5, b.size() - 9);
  if (load_u32(b.data() + b.size() - 4) != crc32c(stones)) {
    return corruption(name + ": offset " + std::to_string(b.size() - 4) + ": tombstones CRC32C mismatch");
  }
  ByteReader r(stones, 5);
  while (!r.empty()) {
    auto ref = r.varuint("series ref");
    if (!ref.is_ok()) return corruption(name + ": " + ref.status().message());
    auto mint = r.varint("mint");
    if (!mint.is_ok()) return corruption(name + ": " + mint.status().message());
    auto maxt = r.varint("maxt");
    if (!maxt.is_ok()) return corruption(name + ": " + maxt.status().message());
    if (*mint <= *maxt) stones_[*ref].push_back({*mint, *maxt});
  }
  // Sorted and merged, as MemTombstones.AddInterval keeps them.
  for (auto& [ref, ivs] : stones_) {
    std::sort(ivs.begin(), ivs.end(), [](const Interval& a, const Interval& b) { return a.mint < b.mint; });
    size_t w = 0;
    for (size_t i = 1; i < ivs.size(); ++i) {
      if (ivs[i].mint <= ivs[w].maxt || (ivs[w].maxt != INT64_MAX && ivs[i].mint == ivs[w].maxt + 1)) {
        ivs[w].maxt = std::max(ivs[w].maxt, ivs[i].maxt);
      } else {
        ivs[++w] = ivs[i];
      }
    }
    ivs.resize(w + 1);
  }
  return Status::ok();
}

bool deleted_in(const std::vector<Interval>& ivs, int64_t t) {
  auto it = std::upper_bound(ivs.begin(), ivs.end(), t, [](int64_t x, const Interval& iv) { return x < iv.mint; });
  return it != ivs.begin() && t <= std::prev(it)->maxt;
}

}  // namespace vmt::promtsdb
