#include "ingest/early_parts.h"

#include <algorithm>
#include <memory>

#include "base/fs.h"
#include "ingest/part_tier.h"
#include "layout/part_size.h"
#include "storage/block_stream_merge.h"
#include "storage/merge_policy.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"

namespace vmt::ingest {

Status merge_parts_written_early(TargetDir& dir, const std::string& partition, int64_t dedup_interval_ms, unsigned threads,
                                 std::vector<NewDataPart>* parts, std::vector<std::string>* temp_dirs, uint64_t* merges) {
  std::vector<NewDataPart>& all = *parts;
  std::vector<size_t> mine;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].partition == partition) mine.push_back(i);
  }
  if (mine.size() < 2) return Status::ok();
  std::vector<storage::PolicyPart> policy;
  for (size_t i : mine) policy.push_back({all[i].size_bytes, all[i].min_timestamp});
  const std::string small = dir.small_dir(partition), big = dir.big_dir(partition);
  std::vector<NewDataPart> merged;
  std::vector<bool> consumed(all.size(), false);
  // Up to kOnePassParts parts are merged in one pass into one part: the same part one flush at the
  // end would have written, so the directory does not depend on --mem-limit. More (a very small
  // limit) are merged like a force merge, in chunks of 15.
  std::vector<std::vector<size_t>> chunks;
  if (mine.size() <= kOnePassParts) {
    chunks.emplace_back(mine.size());
    for (size_t k = 0; k < mine.size(); ++k) chunks.back()[k] = k;
  } else {
    chunks = storage::optimal_merge_chunks(policy);
  }
  for (const auto& chunk : chunks) {
    if (chunk.size() < 2) continue;
    std::vector<std::unique_ptr<storage::PartReader>> readers;
    std::vector<storage::PartReader*> srcs;
    std::vector<storage::PartHeader> headers;
    for (size_t k : chunk) {
      const NewDataPart& src = all[mine[k]];
      readers.push_back(std::make_unique<storage::PartReader>());
      VMT_TRY(readers.back()->open(src.temp_dir, dir.tenancy()));
      srcs.push_back(readers.back().get());
      headers.push_back(readers.back()->part_header());
      consumed[mine[k]] = true;
    }
    NewDataPart np;
    np.partition = partition;
    np.name = dir.new_part_name({small, big});
    np.temp_dir = fs::join(small, std::string(TargetDir::kTempPrefix) + np.name);
    temp_dirs->push_back(np.temp_dir);
    storage::PartWriter w;
    VMT_TRY(w.open_dir(np.temp_dir, dir.tenancy(), std::max(storage::compress_level_for_sources(headers), 1)));
    storage::BlockMergeOptions mo;
    mo.dedup_interval_ms = dedup_interval_ms;
    mo.background_writer = threads > 1;
    storage::BlockMergeStats ms;
    VMT_TRY(storage::merge_parts(srcs, w, mo, &ms));
    VMT_TRY(w.close(dedup_interval_ms));
    VMT_TRY(fs::fsync_path(small));
    readers.clear();
    VMT_ASSIGN_OR_RETURN(np.size_bytes, layout::part_size(np.temp_dir));
    np.big = np.size_bytes > max_small_part_size(small);
    np.rows = w.part_header().rows_count;
    np.min_timestamp = w.part_header().min_timestamp;
    merged.push_back(np);
    ++*merges;
  }
  std::vector<NewDataPart> keep;
  for (size_t i = 0; i < all.size(); ++i) {
    if (consumed[i]) {
      VMT_TRY(fs::remove_all(all[i].temp_dir));
    } else {
      keep.push_back(all[i]);
    }
  }
  for (auto& m : merged) keep.push_back(std::move(m));
  all = std::move(keep);
  return Status::ok();
}

}  // namespace vmt::ingest
