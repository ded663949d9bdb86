// SeriesSpill: the series an import wrote out of memory to stay within --mem-limit, found again by
// canonical name, so that the series registry (series_registry.h) holds only the series of one
// generation however many series the input has.
//
// When the registry outgrows its share of the limit the importer settles every TSID, writes the
// buffered samples as early parts and the generation's index items as a part (index_builder.h,
// merged into the final index part at the commit), then has this class write the generation's
// series as one sorted run, and starts the registry afresh. A series of a later generation is
// looked up here before anywhere else: found, it keeps its TSID and origin and is "returning"
// (Series::returning): its global items and the per-day items of the days it indexed are not
// written again (tsid_settlement.h), so every item is written once, as without the spill, and the
// final index part is the same.
//
// A run is a mergeset part (the format's own sorted, compressed item stream, mergeset/) in the
// import's temporary directory; its items are
//   canonical MetricName · 0x02 · TSID (tenancy's size) · origin (u8) · days indexed (u32 BE each, ascending)
// The name is followed by 0x02, which an escaped name never holds, so a name's items are exactly
// those starting with name · 0x02 (as in ns 7). A later run holds the newer state of a series (its
// days so far): lookups take the newest. Lookups come in sorted batches (settle) and walk each run
// forward once; a stale marker's series is looked up alone (find).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "ingest/series_registry.h"
#include "mergeset/part_reader.h"
#include "metric/tenancy.h"

namespace vmt::ingest {

class SeriesSpill {
 public:
  // `dir`: a directory of this import's own, created at the first write. `threads`: for sorting
  // the series by name (1 or 2 used).
  void open(std::string dir, metric::Tenancy t, unsigned threads = 1);
  bool empty() const { return runs_.empty(); }
  size_t runs() const { return runs_.size(); }
  const std::string& dir() const { return dir_; }

  // Writes the series of `reg` (all settled) as one run: their TSIDs, origins, and days (a
  // returning series' spilled days with the registry's). A returning series without a new day is
  // left out (an earlier run holds it so); no run at all when that leaves none.
  Status write(const SeriesRegistry& reg);
  // The pending series of reg from `from` on that a run holds become returning series (newest run
  // first); *found counts them.
  Status settle(SeriesRegistry& reg, size_t from, uint64_t* found);
  // A series not in reg (a stale marker's): added to reg as returning when a run holds it; its id,
  // or -1.
  Result<int64_t> find(SeriesRegistry& reg, ByteView canonical, uint64_t hash, uint32_t date);

 private:
  struct Found {
    metric::TSID tsid;
    SeriesOrigin origin = SeriesOrigin::pending;
    std::vector<uint32_t> days;
  };
  // The item's payload after name · 0x02, checked.
  Status decode(ByteView rest, const std::string& run, Found* out) const;

  std::string dir_;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  unsigned threads_ = 1;
  std::vector<std::unique_ptr<mergeset::PartReader>> runs_;  // oldest first
  std::vector<std::string> run_dirs_;
};

}  // namespace vmt::ingest
