// tsdb-inspect export's run, private to ops/inspect_export.cpp (the directory opened, every part's
// blocks merged in search order, each series kept or left out) and ops/export_series.cpp (a
// series assembled from its blocks and printed). Spec: see inspect_export.cpp.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
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
  Bytes canonical;  // its name as in ns 3 (decoded by the printer)
  std::vector<int64_t> timestamps;
  std::vector<int64_t> mantissas;  // values as stored: each block's decimal mantissas, at its scale
  // Each block's samples, in the order the blocks were read; sorted into search order (TSID, then
  // MinTimestamp) before merge_sort_blocks. The spans follow each other, from 0.
  struct Block {
    metric::TSID tsid;
    int64_t min_timestamp;
    BlockSpan span;
    int16_t scale;
  };
  std::vector<Block> blocks;
};

// Finished series printed on two threads of their own, a batch at a time, written in the order
// they were handed over: the names (append_labels_json) and numbers of a series cost more than
// reading and decoding its blocks, which the run's thread does. On 2 cores the export of 20M
// samples takes 0.6 s this way against 1.4 s printed in line. Memory: about kBatchSamples samples
// in each of three batches (one filling, one on each printing thread).
class SeriesPrinter {
 public:
  SeriesPrinter(bool prom, bool tenant_labels, metric::Tenancy tenancy, Output& out);
  ~SeriesPrinter();
  SeriesPrinter(const SeriesPrinter&) = delete;
  SeriesPrinter& operator=(const SeriesPrinter&) = delete;

  // Queues a series (empty ones are dropped); returns the printers' first error, once there is one.
  Status add(Series&& s);
  // An empty series whose vectors keep the memory of one already printed (none on a hot path
  // allocates once the first batches are back).
  Series spare();
  // Prints what is queued and stops the threads; the printers' first error, else ok. Adds the
  // series and samples printed to *stats.
  Status finish(ExportStats* stats);

 private:
  static constexpr size_t kBatchSamples = 1 << 17;
  static constexpr size_t kThreads = 2;
  struct Worker {
    std::vector<Series> batch;
    uint64_t seq = 0;   // the batch's place in the output
    bool busy = false;  // batch handed over, not yet written
    Bytes text, labels;
    std::vector<double> values;  // the series' values as floats
    metric::MetricName name;     // prom only
    std::vector<size_t> order;
    std::vector<BlockSpan> spans;
    uint64_t series = 0, samples = 0;
    std::thread thread;
  };
  Status hand_off();
  void loop(Worker& w);
  Status print(Worker& w, Series& s);
  void stop();

  const bool prom_, tenant_labels_;
  const metric::Tenancy tenancy_;
  Output& out_;
  std::vector<Series> filling_;
  size_t filling_samples_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  Worker workers_[kThreads];
  uint64_t handed_ = 0, written_ = 0;  // batches handed over; batches written, in order
  std::vector<Series> spares_;          // printed, emptied, for spare()
  bool done_ = false;
  Status error_;
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
  Result<Kind> lookup_kind(size_t partition, uint64_t metric_id);
  Status advance(PartCursor* c);
  Status append_block(PartCursor* c);
  Status finish_series();

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
  struct LastKind {
    size_t partition;
    uint64_t metric_id;
    Kind kind;
  };
  std::optional<LastKind> last_kind_;  // kind_of's last answer
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
  std::unique_ptr<SeriesPrinter> printer_;  // from once the tenant labels are decided
  Progress progress_;
};

}  // namespace vmt::ops::export_detail
