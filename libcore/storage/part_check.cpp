#include "storage/part_check.h"

#include <unordered_map>

#include "storage/block.h"
#include "storage/part_reader.h"

namespace vmt::storage {

Status check_part(const std::string& dir, metric::Tenancy tenancy, const std::string& display,
                  const IndexTsidLookup& index_tsid) {
  PartReader pr;
  VMT_TRY(pr.open(dir, tenancy, display));
  const std::string name = display.empty() ? dir : display;
  std::unordered_map<uint64_t, metric::TSID> seen;
  Block b;
  for (;;) {
    bool eof = false;
    VMT_TRY(pr.next(b, &eof));
    if (eof) break;
    const metric::TSID& t = b.header.tsid;
    auto [it, added] = seen.try_emplace(t.metric_id, t);
    if (added) {
      if (index_tsid) {
        if (auto want = index_tsid(t.metric_id); want && *want != t) {
          return corruption(name + ": block " + std::to_string(pr.position().block) + ": TSID " + t.to_string() +
                            " differs from the index's TSID for MetricID " + std::to_string(t.metric_id) + ", " +
                            want->to_string() + ": the block would be served as another series");
        }
      }
    } else if (it->second != t) {
      return corruption(name + ": block " + std::to_string(pr.position().block) + ": MetricID " +
                        std::to_string(t.metric_id) + " appears with two TSIDs: " + it->second.to_string() +
                        " and " + t.to_string());
    }
  }
  return pr.verify_totals().with_context(name);
}

}  // namespace vmt::storage
