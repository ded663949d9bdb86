#include "ingest/early_parts.h"

#include <algorithm>
#include <memory>

#include "base/fs.h"
#include "ingest/part_tier.h"
#include "layout/part_size.h"
#include "storage/block_stream_merge.h"
#include "storage/part_reader.h"
#include "storage/part_writer.h"

namespace vmt::ingest {

namespace {

// Merges `srcs` (two or more, in flush order) into one new part of `partition`, named for good
// (`final`) or with an interim name (merged again later); removes the sources.
Result<NewDataPart> merge_into_one(TargetDir& dir, const std::string& partition, const std::vector<NewDataPart>& srcs,
                                   bool final, int64_t dedup_interval_ms, unsigned threads,
                                   std::vector<std::string>* temp_dirs) {
  const std::string small = dir.small_dir(partition), big = dir.big_dir(partition);
  std::vector<std::unique_ptr<storage::PartReader>> readers;
  std::vector<storage::PartReader*> ptrs;
  std::vector<storage::PartHeader> headers;
  for (const NewDataPart& src : srcs) {
    readers.push_back(std::make_unique<storage::PartReader>());
    VMT_TRY(readers.back()->open(src.temp_dir, dir.tenancy()));
    ptrs.push_back(readers.back().get());
    headers.push_back(readers.back()->part_header());
  }
  NewDataPart np;
  np.partition = partition;
  np.interim = !final;
  np.name = final ? dir.new_part_name({small, big}) : dir.new_interim_part_name({small, big});
  np.temp_dir = fs::join(small, std::string(TargetDir::kTempPrefix) + np.name);
  temp_dirs->push_back(np.temp_dir);
  storage::PartWriter w;
  VMT_TRY(w.open_dir(np.temp_dir, dir.tenancy(), std::max(storage::compress_level_for_sources(headers), 1)));
  storage::BlockMergeOptions mo;
  mo.dedup_interval_ms = dedup_interval_ms;
  mo.background_writer = threads > 1;
  storage::BlockMergeStats ms;
  VMT_TRY(storage::merge_parts(ptrs, w, mo, &ms));
  VMT_TRY(w.close(dedup_interval_ms));
  VMT_TRY(fs::fsync_path(small));
  readers.clear();
  VMT_ASSIGN_OR_RETURN(np.size_bytes, layout::part_size(np.temp_dir));
  np.big = np.size_bytes > max_small_part_size(small);
  np.rows = w.part_header().rows_count;
  np.min_timestamp = w.part_header().min_timestamp;
  for (const NewDataPart& src : srcs) VMT_TRY(fs::remove_all(src.temp_dir));
  return np;
}

}  // namespace

Status merge_parts_written_early(TargetDir& dir, const std::string& partition, int64_t dedup_interval_ms, unsigned threads,
                                 std::vector<NewDataPart>* parts, std::vector<std::string>* temp_dirs, uint64_t* merges) {
  std::vector<NewDataPart> level, keep;
  for (NewDataPart& p : *parts) (p.partition == partition ? level : keep).push_back(std::move(p));
  // Every early part of the partition ends in one part: the part a single flush at the end would
  // have written, so the directory does not depend on --mem-limit. Past kOnePassParts of them (a
  // very small limit), in rounds: consecutive runs of at most kOnePassParts parts, in flush order,
  // each into one interim part, until one round leaves one part. Each interim part is the single
  // flush of its rows, like the early parts it replaces, so the last round's part is the same.
  while (level.size() > 1) {
    const bool last_round = level.size() <= kOnePassParts;
    std::vector<NewDataPart> next;
    for (size_t b = 0; b < level.size(); b += kOnePassParts) {
      const size_t e = std::min(level.size(), b + kOnePassParts);
      if (e - b == 1) {
        next.push_back(std::move(level[b]));
        continue;
      }
      const std::vector<NewDataPart> srcs(level.begin() + long(b), level.begin() + long(e));
      VMT_ASSIGN_OR_RETURN(NewDataPart np,
                           merge_into_one(dir, partition, srcs, last_round, dedup_interval_ms, threads, temp_dirs));
      next.push_back(std::move(np));
      ++*merges;
    }
    level = std::move(next);
  }
  // One early part and nothing after it (a partition flushed whole before its input ended): the
  // part is the single flush already; it takes the name that flush would have had.
  if (level.size() == 1 && level[0].interim) {
    level[0].name = dir.new_part_name({dir.small_dir(partition), dir.big_dir(partition)});
    level[0].interim = false;
  }
  for (NewDataPart& p : level) keep.push_back(std::move(p));
  *parts = std::move(keep);
  return Status::ok();
}

}  // namespace vmt::ingest
