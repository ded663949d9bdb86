// tsdb-inspect export's run, private to ops/inspect_export.cpp (the directory opened, every part's
// blocks merged in search order, each series kept or left out) and ops/export_series.cpp (a
// series assembled from its blocks and printed). Spec: see inspect_export.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "layout/storage_dir.h"
#include "metric/metric_name.h"
#include "ops/export_merge.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "ops/tool.h"
#include "storage/part_reader.h"

namespace vmt::ops::export_detail {

struct Series {
  metric::MetricName name;
  std::vector<int64_t> timestamps;
  std::vector<double> values;
  // Each block's samples, in the order the blocks were read; sorted into search order (TSID, then
  // MinTimestamp) before merge_sort_blocks.
  struct Block {
    metric::TSID tsid;
    int64_t min_timestamp;
    BlockSpan span;
  };
  std::vector<Block> blocks;
};

// One open part in the merge: its reader and its current block.
struct PartCursor {
  std::unique_ptr<storage::PartReader> reader;
  std::string path;
  size_t partition = 0;  // index into the storage's partitions
  size_t seq = 0;        // read order (partition order, then parts.json order): ties of equal keys
  storage::RawBlock raw;
};

// The heap's order: the search order of vmselect's blocks (TSID, then MinTimestamp), ties by part.
struct CursorAfter {
  bool operator()(const PartCursor* a, const PartCursor* b) const {
    const auto &x = a->raw.header, &y = b->raw.header;
    if (x.tsid != y.tsid) return y.tsid < x.tsid;
    if (x.min_timestamp != y.min_timestamp) return y.min_timestamp < x.min_timestamp;
    return b->seq < a->seq;
  }
};

// Streaming: every listed part of every partition is read at once, its blocks merged in TSID order
// (a heap of parts, as vmselect searches them), and a series is printed as soon as its last block has
// been read. Memory is one block per part and one series, whatever the directory's size. The only
// series held to the end are the rare names with several MetricIDs (the server merges their samples
// into one line; their TSIDs need not be adjacent).
class ExportRun {
 public:
  ExportRun(const ExportOptions& o, Output& out, ExportStats* stats)
      : o_(o), out_(out), stats_(stats), prom_(o.format == "prom"), progress_("tsdb-inspect export") {}

  Status run(const std::string& dir);

 private:
  // What a MetricID's blocks are in one partition: a series to print, or left out.
  enum class Kind : uint8_t { print, skip, unnamed };

  void find_shared_names();
  Status open_parts();
  Status decide_tenant_labels();
  Result<Kind> kind_of(size_t partition, uint64_t metric_id);
  Status advance(PartCursor* c);
  Status append_block(PartCursor* c);
  Status finish_series();
  Status render(Series& s);

  const ExportOptions& o_;
  Output& out_;
  ExportStats* stats_;
  const bool prom_;
  layout::StorageDir sd_;
  metric::Tenancy tenancy_ = metric::Tenancy::kCluster;
  NameIndex names_;
  std::unordered_set<uint64_t> shared_ids_;  // MetricIDs whose name other MetricIDs share
  std::vector<std::unique_ptr<PartCursor>> cursors_;
  std::priority_queue<PartCursor*, std::vector<PartCursor*>, CursorAfter> heap_;
  // Several tenants in one stream: each series says whose it is (vm_account_id, vm_project_id).
  bool tenant_labels_ = false;
  std::vector<std::unordered_map<uint64_t, Kind>> kinds_;  // per partition
  uint64_t total_blocks_ = 0, blocks_read_ = 0;           // for the progress line
  uint64_t unnamed_blocks_ = 0;
  std::unordered_set<uint64_t> unnamed_ids_;
  // The series being read (cur_tsid_), and the shared names' series, printed last in first-seen order.
  Series cur_;
  bool have_cur_ = false;
  metric::TSID cur_tsid_;
  std::vector<std::unique_ptr<Series>> held_;
  std::unordered_map<std::string, Series*> held_by_name_;
  // Scratch reused across blocks and series.
  std::vector<int64_t> ts_, mantissas_;
  std::vector<size_t> order_;
  std::vector<BlockSpan> spans_;
  Progress progress_;
};

}  // namespace vmt::ops::export_detail
