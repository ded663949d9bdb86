// Removing deleted series from index items: what `tsdb-merge --delete` does to every index part
// that mentions them, so that the index shrinks now instead of at retention.
//
// Spec: indexdb.md §4 (the namespaces; item.h has the table). Per namespace, where the MetricID
// sits and what happens to an item of a deleted series:
//   00 · canonicalMN · 02 · TSID       MetricID = last 8 bytes      dropped
//   01/06 tag rows · MetricID+         MetricIDs = the tail         deleted IDs cut out; dropped if none is left
//   02/03 · [acc · proj] · MetricID …  MetricID after the prefix    dropped
//   04 · MetricID                      -                            kept: the server's own "deleted" mark
//   05 · [acc · proj] · date · MetricID last 8 bytes                dropped
//   07 · date · canonicalMN · 02 · TSID last 8 bytes                dropped
//   anything else                                                   kept unchanged
// Cutting IDs out of a tag row can move it among the rows with the same prefix: after them when
// its first ID grows, before one when what is left is a prefix of an earlier row's IDs (rows of
// different parts may share IDs). So every row of one prefix is held until the prefix ends and the
// run is re-sorted if any of its rows changed: the output is sorted whenever the input is.
// Memory: the rows of one tag (key, value).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/items.h"
#include "metric/tenancy.h"

namespace vmt::indexdb {

struct PurgeStats {
  uint64_t items_in = 0;
  uint64_t items_dropped = 0;    // every item of a deleted series (tag rows left with no ID included)
  uint64_t items_rewritten = 0;  // tag rows that lost some IDs and kept others
  bool changed() const { return items_dropped != 0 || items_rewritten != 0; }
};

class SeriesPurge {
 public:
  using Emit = std::function<Status(ByteView item)>;

  // deleted: sorted ascending, unique; must outlive the purge.
  SeriesPurge(const std::vector<uint64_t>& deleted, metric::Tenancy t) : deleted_(deleted), tenancy_(t) {}

  // The next item of a sorted stream; emit gets the items to keep, sorted. A malformed item of a
  // namespace that carries MetricIDs is corruption (the caller names the part).
  Status push(ByteView item, const Emit& emit);
  // Emits what is held back; call once after the last item.
  Status finish(const Emit& emit);

  const PurgeStats& stats() const { return stats_; }
  bool is_deleted(uint64_t id) const;

 private:
  Status flush_run(const Emit& emit);

  const std::vector<uint64_t>& deleted_;
  metric::Tenancy tenancy_;
  PurgeStats stats_;
  // The tag rows of the current prefix, held back to re-sort if any of them changed.
  Bytes run_prefix_;
  bool run_changed_ = false;
  mergeset::Items held_;           // one buffer for the run, no allocation per row
  std::vector<uint32_t> order_;
  Bytes scratch_;
};

}  // namespace vmt::indexdb
