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

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "metric/tsid.h"
#include "storage/block_stream_merge.h"
#include "storage/part_reader.h"

namespace vmt::storage {

// The index's TSID for a MetricID, or nullopt when the index has none.
using IndexTsidLookup = std::function<std::optional<metric::TSID>(uint64_t metric_id)>;

class CheckedPartSource : public BlockSource {
 public:
  // `r` is open and not owned; `index_tsid` may be empty (no cross-reference).
  CheckedPartSource(PartReader* r, IndexTsidLookup index_tsid) : r_(r), index_tsid_(std::move(index_tsid)) {}
  Status next_raw(RawBlock& out, bool* eof) override;
  std::string where() const override;

 private:
  Status check_tsid(const metric::TSID& t);
  Status check_unique_metric_ids();

  PartReader* r_;
  IndexTsidLookup index_tsid_;
  // Blocks come in TSID order, so the blocks of one TSID are adjacent: a MetricID seen again after
  // another TSID has a second TSID. Each run's MetricID is kept and checked once, at the end
  // (a sort instead of a hash table: this is on the merge's path).
  bool have_prev_ = false;
  metric::TSID prev_;
  std::vector<uint64_t> run_metric_ids_;
};

}  // namespace vmt::storage
