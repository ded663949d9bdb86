#include "promtsdb/block_set.h"

#include <algorithm>

#include "base/fs.h"

namespace vmt::promtsdb {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int compare_labels(const std::vector<LabelPair>& a, const std::vector<LabelPair>& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a[i].name.compare(b[i].name)) return c < 0 ? -1 : 1;
    if (int c = a[i].value.compare(b[i].value)) return c < 0 ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

Status BlockSet::open(const std::string& path, int64_t mint, int64_t maxt, std::vector<std::string>* notes) {
  mint_ = mint;
  maxt_ = maxt;
  blocks_.clear();
  groups_.clear();
  if (!fs::exists(path)) return invalid_argument(path + ": does not exist (want a Prometheus data directory, snapshot or block)");
  if (!fs::is_dir(path)) return invalid_argument(path + ": not a directory (want a Prometheus data directory, snapshot or block)");
  std::vector<std::string> dirs;
  if (fs::exists(fs::join(path, "meta.json"))) {
    dirs.push_back(path);
  } else {
    VMT_ASSIGN_OR_RETURN(auto entries, fs::list_dir(path));
    for (const auto& e : entries) {
      const std::string d = fs::join(path, e.name);
      if (!fs::is_dir(d)) continue;
      if (ends_with(e.name, ".tmp-for-creation") || ends_with(e.name, ".tmp-for-deletion") || ends_with(e.name, ".tmp")) {
        notes->push_back(d + ": Prometheus' temporary directory, skipped");
        continue;
      }
      if (e.name == "wal" || e.name == "chunks_head") {
        notes->push_back(d + ": the head (the last hours, not yet a block) is not read; a snapshot "
                             "(POST /api/v1/admin/tsdb/snapshot) writes it out as a block");
        continue;
      }
      if (fs::exists(fs::join(d, "meta.json"))) dirs.push_back(d);
    }
    if (dirs.empty()) return invalid_argument(path + ": no Prometheus block (a directory with meta.json) in it");
  }
  for (const auto& d : dirs) {
    auto b = std::make_unique<Block>();
    VMT_TRY(b->open(d));
    const BlockMeta& m = b->meta();
    if (m.max_time <= mint || m.min_time > maxt) continue;  // the block's window misses the range
    blocks_.push_back(std::move(b));
  }
  std::sort(blocks_.begin(), blocks_.end(), [](const auto& a, const auto& b) {
    const BlockMeta &x = a->meta(), &y = b->meta();
    return x.min_time != y.min_time ? x.min_time < y.min_time : x.ulid < y.ulid;
  });
  // Groups of overlapping windows: a block joins the group while it starts before the group ends.
  for (size_t i = 0; i < blocks_.size();) {
    size_t j = i + 1;
    int64_t end = blocks_[i]->meta().max_time;
    while (j < blocks_.size() && blocks_[j]->meta().min_time < end) {
      end = std::max(end, blocks_[j]->meta().max_time);
      ++j;
    }
    groups_.push_back({i, j});
    i = j;
  }
  group_ = 0;
  started_ = false;
  return Status::ok();
}

uint64_t BlockSet::announced_samples() const {
  uint64_t n = 0;
  for (const auto& b : blocks_) n += b->meta().num_samples;
  return n;
}

Status BlockSet::load(Cursor& c) {
  c.loaded = false;
  if (c.next >= c.block->series_count()) return Status::ok();
  VMT_TRY(c.block->series(c.next++, &c.entry));
  c.loaded = true;
  return Status::ok();
}

Status BlockSet::start_group(size_t g) {
  cursors_.clear();
  for (size_t i = groups_[g].first; i < groups_[g].second; ++i) {
    Cursor c;
    c.block = blocks_[i].get();
    cursors_.push_back(std::move(c));
  }
  for (auto& c : cursors_) VMT_TRY(load(c));
  return Status::ok();
}

Result<bool> BlockSet::next(MergedSeries* out, SkipCounts* skipped) {
  out->labels.clear();
  out->samples.clear();
  out->blocks = 0;
  while (group_ < groups_.size()) {
    if (!started_) {
      VMT_TRY(start_group(group_));
      started_ = true;
    }
    // The smallest label set among the cursors; every cursor holding it contributes.
    Cursor* least = nullptr;
    for (auto& c : cursors_) {
      if (c.loaded && (least == nullptr || compare_labels(c.entry.labels, least->entry.labels) < 0)) least = &c;
    }
    if (least == nullptr) {
      ++group_;
      started_ = false;
      continue;
    }
    out->labels = least->entry.labels;
    bool ordered = true;
    for (auto& c : cursors_) {
      if (!c.loaded || compare_labels(c.entry.labels, out->labels) != 0) continue;
      const size_t from = out->samples.size();
      VMT_TRY(c.block->samples(c.entry, mint_, maxt_, &out->samples, skipped));
      ++out->blocks;
      for (size_t i = std::max<size_t>(from, 1); i < out->samples.size(); ++i) {
        if (out->samples[i].t <= out->samples[i - 1].t) ordered = false;
      }
      c.block->release_before(c.entry);
      VMT_TRY(load(c));
    }
    if (!ordered) {
      // Stable: among equal timestamps the first block's sample (in (minTime, ULID) order) comes first.
      std::stable_sort(out->samples.begin(), out->samples.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
      auto end = std::unique(out->samples.begin(), out->samples.end(), [](const Sample& a, const Sample& b) { return a.t == b.t; });
      out->samples.erase(end, out->samples.end());
    }
    return true;
  }
  return false;
}

}  // namespace vmt::promtsdb
