#include "promtsdb/block.h"

#include <algorithm>

#include "base/fs.h"

namespace vmt::promtsdb {

std::string labels_text(const std::vector<LabelPair>& labels) {
  std::string s = "{";
  for (const auto& l : labels) {
    if (s.size() > 1) s += ", ";
    s.append(l.name);
    s += "=\"";
    for (char c : l.value) {
      if (c == '"' || c == '\\') s += '\\';
      s += c == '\n' ? 'n' : c;
    }
    s += '"';
    if (s.size() > 512) {
      s += ", ...";
      break;
    }
  }
  return s + "}";
}

Status Block::open(const std::string& dir) {
  dir_ = dir;
  VMT_ASSIGN_OR_RETURN(meta_, read_block_meta(fs::join(dir, "meta.json")));
  if (meta_.downsample_resolution > 0) {
    return invalid_argument(dir + ": a Thanos block downsampled to " + std::to_string(meta_.downsample_resolution) +
                            " ms holds aggregates, not samples; import the raw (resolution 0) blocks");
  }
  VMT_TRY(index_.open(fs::join(dir, "index")));
  VMT_TRY(chunks_.open(fs::join(dir, "chunks")));
  return tombstones_.read(fs::join(dir, "tombstones"));
}

Status Block::samples(const SeriesEntry& e, int64_t mint, int64_t maxt, std::vector<Sample>* out,
                      SkipCounts* skipped) const {
  return series_samples(chunks_, tombstones_.find(e.ref), e, mint, maxt, out, skipped, dir_);
}

Status series_samples(const ChunkFiles& chunks, const std::vector<Interval>* stones, const SeriesEntry& e,
                      int64_t mint, int64_t maxt, std::vector<Sample>* out, SkipCounts* skipped,
                      const std::string& name) {
  // Not clamped to the block's [minTime, maxTime): Prometheus' querier trims chunks to the query's
  // range only, so a sample a block holds outside its window is still served, and imported.
  for (const ChunkMeta& cm : e.chunks) {
    if (cm.maxt < mint || cm.mint > maxt) continue;
    auto c = chunks.chunk(cm.ref);
    if (!c.is_ok()) return corruption(c.status().message() + " (series " + labels_text(e.labels) + ")");
    if (c->encoding == uint8_t(ChunkEncoding::kHistogram) || c->encoding == uint8_t(ChunkEncoding::kFloatHistogram) ||
        c->encoding == uint8_t(ChunkEncoding::kHistogramSt) || c->encoding == uint8_t(ChunkEncoding::kFloatHistogramSt)) {
      ++skipped->histogram_chunks;
      skipped->histogram_samples += chunk_sample_count(c->data);
      continue;
    }
    if (c->encoding != uint8_t(ChunkEncoding::kXor)) {
      return corruption(name + ": chunk ref " + std::to_string(cm.ref) + " of series " + labels_text(e.labels) +
                        ": encoding " + std::to_string(c->encoding) + " (" + encoding_name(c->encoding) +
                        ") is not supported");
    }
    const size_t from = out->size();
    Status s = decode_xor(c->data, out);
    if (!s.is_ok()) {
      out->resize(from);
      return corruption(name + ": chunk ref " + std::to_string(cm.ref) + " of series " + labels_text(e.labels) + ": " +
                        s.message());
    }
    // Keep what lies in the window and outside the tombstones.
    size_t w = from;
    for (size_t i = from; i < out->size(); ++i) {
      const Sample& x = (*out)[i];
      if (x.t < mint || x.t > maxt) continue;
      if (stones != nullptr && deleted_in(*stones, x.t)) {
        ++skipped->deleted_samples;
        continue;
      }
      (*out)[w++] = x;
    }
    out->resize(w);
  }
  return Status::ok();
}

void Block::release_before(const SeriesEntry& e) {
  index_.release_before_series(e.ref);
  if (!e.chunks.empty()) chunks_.release_before(e.chunks.front().ref);
}

}  // namespace vmt::promtsdb
