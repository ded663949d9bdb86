#include "promtsdb/block_meta.h"

#include <nlohmann/json.hpp>

#include "base/fs.h"

namespace vmt::promtsdb {

Result<BlockMeta> parse_block_meta(ByteView text, const std::string& name) {
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return corruption(name + ": not a JSON object");
  auto need_int = [&](const char* key, int64_t* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return corruption(name + ": \"" + key + "\" missing or not an integer");
    *out = it->get<int64_t>();
    return Status::ok();
  };
  BlockMeta m;
  auto u = j.find("ulid");
  if (u == j.end() || !u->is_string()) return corruption(name + ": \"ulid\" missing or not a string");
  m.ulid = u->get<std::string>();
  VMT_TRY(need_int("minTime", &m.min_time));
  VMT_TRY(need_int("maxTime", &m.max_time));
  int64_t version = 0;
  VMT_TRY(need_int("version", &version));
  if (version != 1) return corruption(name + ": block meta version " + std::to_string(version) + " is not supported (want 1)");
  m.version = int(version);
  if (m.min_time > m.max_time) {
    return corruption(name + ": minTime " + std::to_string(m.min_time) + " after maxTime " + std::to_string(m.max_time));
  }
  if (auto s = j.find("stats"); s != j.end() && s->is_object()) {
    auto get = [&](const char* key, uint64_t* out) {
      if (auto it = s->find(key); it != s->end() && it->is_number_unsigned()) *out = it->get<uint64_t>();
    };
    get("numSamples", &m.num_samples);
    get("numSeries", &m.num_series);
    get("numChunks", &m.num_chunks);
  }
  if (auto t = j.find("thanos"); t != j.end() && t->is_object()) {
    if (auto d = t->find("downsample"); d != t->end() && d->is_object()) {
      if (auto r = d->find("resolution"); r != d->end() && r->is_number_integer()) m.downsample_resolution = r->get<int64_t>();
    }
  }
  return m;
}

Result<BlockMeta> read_block_meta(const std::string& path) {
  VMT_ASSIGN_OR_RETURN(Bytes text, fs::read_file(path, 16 << 20));
  return parse_block_meta(text, path);
}

}  // namespace vmt::promtsdb
