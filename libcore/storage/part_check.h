// CheckedPartSource: a part's blocks for a merge, checked as strictly as verify checks them. A
// merge copies blocks it need not re-encode byte for byte and then deletes the source, so a block
// it cannot decode, or one whose TSID a flipped bit turned into another series', would become the
// only copy: damage made permanent. With BlockMergeOptions::check_copied_blocks (every block is
// then decoded, by the merge or for the check) this source adds the rest of verify's checks of one
// part, in the same single pass:
//   - PartReader's checks of every header and of the layout (part_reader.h);
//   - one TSID per MetricID within the part;
//   - each MetricID's TSID equal to the index's (ns 2), where the index knows the MetricID (data
//     can outlive its index generation; such blocks are served by nobody, before or after);
//   - at the end, the totals of metadata.json (PartReader::verify_totals).
// Any failure sets `damaged` (block_stream_merge.h), so the caller knows which part to name.
//
// Spec: data-part.md §6-§10, §9.3; indexdb.md §4.3 (ns 2: MetricID -> TSID).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "metric/tsid.h"
#include "storage/block_stream_merge.h"
#include "storage/part_reader.h"

namespace vmt::storage {

// The index's TSID of each MetricID (its ns 2 items): what every block's TSID is held to. Entries
// are numbered 0..size()-1 in MetricID order; a MetricID listed twice keeps its first TSID. A part's blocks come in
// TSID order, so a cursor over the entries in TSID order finds each block's TSID with a few
// sequential steps (seek); only a TSID the index does not hold costs a probe by MetricID (find).
class IndexTsids {
 public:
  static constexpr size_t npos = SIZE_MAX;
  explicit IndexTsids(std::vector<std::pair<uint64_t, metric::TSID>> entries);
  size_t size() const { return entries_.size(); }
  // The entry of `metric_id`, or npos when the index does not know it (a binary search: only a
  // TSID not found by seek asks).
  size_t find(uint64_t metric_id) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), metric_id,
                               [](const auto& e, uint64_t m) { return e.first < m; });
    return it != entries_.end() && it->first == metric_id ? size_t(it - entries_.begin()) : npos;
  }
  // The rank (0..size()-1 in TSID order) of the entry whose TSID is exactly `t`, or npos;
  // `*cursor` (0 at the start of a part) moves forward past the TSIDs below `t`, so calls with
  // ascending TSIDs cost O(distance) and touch memory in order.
  size_t seek(const metric::TSID& t, size_t* cursor) const;
  // The same without a cursor (a TSID behind it: blocks out of order).
  size_t rank_of(const metric::TSID& t) const {
    auto it = std::lower_bound(by_tsid_.begin(), by_tsid_.end(), t);
    return it != by_tsid_.end() && *it == t ? size_t(it - by_tsid_.begin()) : npos;
  }
  const metric::TSID& tsid(size_t pos) const { return entries_[pos].second; }

 private:
  std::vector<std::pair<uint64_t, metric::TSID>> entries_;  // by MetricID
  std::vector<metric::TSID> by_tsid_;                       // every entry's TSID, ascending
};
// Shared by the merges of one scope (a partition's index, or the legacy generations); null: none.
using IndexTsidLookup = std::shared_ptr<const IndexTsids>;
// The same being read on another thread (std::async) while the merge starts: a source keeps the
// TSIDs it reads until the lookup is ready, then checks them in order. Its error is the index's,
// not the part's.
using PendingIndexTsids = std::shared_future<Result<IndexTsidLookup>>;

class CheckedPartSource : public BlockSource {
 public:
  // `r` is open and not owned; `pending` yields the index's TSIDs (null: no cross-reference).
  CheckedPartSource(PartReader* r, PendingIndexTsids pending) : r_(r), pending_(std::move(pending)) {}
  Status next_raw(RawBlock& out, bool* eof) override;
  std::string where() const override;

 private:
  Status check_tsid(const metric::TSID& t);
  Status check_against_index(const metric::TSID& t, uint64_t block);
  Status resolve();  // waits for pending_, then checks the TSIDs kept meanwhile
  Status check_unique_metric_ids();

  PartReader* r_;
  IndexTsidLookup index_tsid_;
  PendingIndexTsids pending_;
  bool resolved_ = false;
  bool index_error_ = false;  // the lookup failed: the index's error, the part is not to blame
  std::vector<std::pair<metric::TSID, uint64_t>> waiting_;  // (TSID, block) read before it was ready
  // Blocks come in TSID order, so the blocks of one TSID are adjacent: a MetricID seen again after
  // another TSID has a second TSID. A run of a MetricID the index knows marks its entry (checked
  // at once); the runs of others are kept and checked at the end, by a sort.
  bool have_prev_ = false;
  metric::TSID prev_;
  size_t cursor_ = 0;          // IndexTsids::seek's position
  std::vector<uint8_t> seen_;  // by rank: a run of this TSID was seen
  std::vector<uint64_t> run_metric_ids_;
};

}  // namespace vmt::storage
