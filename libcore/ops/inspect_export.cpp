// tsdb-inspect export: the samples of a data directory joined with their metric names, printed as
// vmselect's /api/v1/export does (jsonl) or as Prometheus exposition (prom).
//
// Spec: indexdb.md §4.3-§4.4 and §6 (names come from ns 3 in curr then prev; deleted MetricIDs are
// hidden; a MetricID without a name is hidden, as the server hides it); doc/flavours.md §2-§3 (from
// v1.133 names come from the partition indexes and the legacy curr and prev; a partition's own
// deleted MetricIDs hide its blocks only), data-part.md (blocks),
// encoding.md §9.5 (decimal -> float). Like vmselect, samples of all MetricIDs that share one
// canonical MetricName are merged into one line, sorted by timestamp, nothing deduplicated.
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <queue>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "encoding/decimal.h"
#include "metric/metric_name.h"
#include "ops/export_merge.h"
#include "ops/format.h"
#include "ops/index_scan.h"
#include "ops/inspect.h"
#include "storage/block.h"
#include "storage/part_reader.h"

namespace vmt::ops {

namespace {

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

// Every block of a part decoded with every check, and its totals: what --skip-damaged needs to know
// before any of the part's samples join a series.
Status check_whole_part(const std::string& path, metric::Tenancy tenancy) {
  storage::PartReader pr;
  VMT_TRY(pr.open(path, tenancy));
  storage::Block b;
  for (bool eof = false;;) {
    VMT_TRY(pr.next(b, &eof));
    if (eof) break;
  }
  return pr.verify_totals();
}

}  // namespace

namespace {

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

// Raises the soft limit of open files to the hard one: every part stays open for the merge (3 files
// each), as the server keeps them open.
void raise_open_files_limit() {
  struct rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

// Streaming: every listed part of every partition is read at once, its blocks merged in TSID order
// (a heap of parts, as vmselect searches them), and a series is printed as soon as its last block has
// been read. Memory is one block per part and one series, whatever the directory's size. The only
// series held to the end are the rare names with several MetricIDs (the server merges their samples
// into one line; their TSIDs need not be adjacent).
Status inspect_export(const std::string& dir, const ExportOptions& o, Output& out, ExportStats* stats) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(dir, o.target ? &*o.target : nullptr));
  const metric::Tenancy tenancy = sd.flavour.tenancy;
  const bool prom = o.format == "prom";
  NameIndex names;
  const uint32_t* acc = o.tenant ? &o.tenant->account_id : nullptr;
  const uint32_t* proj = o.tenant ? &o.tenant->project_id : nullptr;
  VMT_TRY(load_name_index(sd, acc, proj, &names));

  // Names shared by several MetricIDs: their series are gathered whole and printed last.
  std::unordered_set<uint64_t> shared_ids;
  {
    std::unordered_map<std::string_view, uint64_t> first;
    for (const auto& [mid, e] : names.by_metric_id) {
      auto [it, inserted] = first.try_emplace(std::string_view(e.canonical), mid);
      if (!inserted) {
        shared_ids.insert(mid);
        shared_ids.insert(it->second);
      }
    }
  }

  // Open every part in range.
  raise_open_files_limit();
  std::vector<std::unique_ptr<PartCursor>> cursors;
  std::priority_queue<PartCursor*, std::vector<PartCursor*>, CursorAfter> heap;
  auto advance = [&](PartCursor* c) -> Status {
    bool eof = false;
    VMT_TRY(c->reader->next_raw(c->raw, &eof));
    if (!eof) heap.push(c);
    return Status::ok();
  };
  for (size_t pi = 0; pi < sd.partitions.size(); ++pi) {
    const auto& p = sd.partitions[pi];
    if (p.name_valid && (p.max_timestamp < o.start_ms || p.min_timestamp > o.end_ms)) continue;
    for (const auto& part : p.parts) {
      if (!part.listed) continue;
      if (!part.exists) return not_found(part.path + ": listed in parts.json but missing");
      if (o.skip_damaged) {
        if (Status st = check_whole_part(part.path, tenancy); !st.is_ok()) {
          log_line("skipping damaged part (--skip-damaged): " + st.message());
          if (stats) ++stats->damaged_parts;
          continue;
        }
      }
      auto c = std::make_unique<PartCursor>();
      c->reader = std::make_unique<storage::PartReader>();
      Status st = c->reader->open(part.path, tenancy);
      if (!st.is_ok()) {
        if (st.code() == Code::io_error && errno == EMFILE) {
          return io_error(st.message() + " (every part is read at once: raise the open files limit, ulimit -n)");
        }
        return st;
      }
      const auto& ph = c->reader->part_header();
      if (ph.max_timestamp < o.start_ms || ph.min_timestamp > o.end_ms) continue;
      c->path = part.path;
      c->partition = pi;
      c->seq = cursors.size();
      cursors.push_back(std::move(c));
    }
  }

  // Several tenants in one stream: each series says whose it is with the labels the server's
  // multitenant reads add (vm_account_id, vm_project_id, after the others), which
  // `tsdb-import --tenant multitenant` reads back. One tenant prints as the server's own export.
  // Whether there are several is known before the first line: from the block headers of the
  // series that will print, when the index names more than one tenant.
  bool tenant_labels = false;
  // Per partition, what a MetricID's blocks are: a series to print, or left out.
  enum class Kind : uint8_t { print, skip, unnamed };
  std::vector<std::unordered_map<uint64_t, Kind>> kinds(sd.partitions.size());
  std::unordered_map<uint64_t, metric::MetricName> decoded;  // names decoded while deciding kinds
  auto kind_of = [&](size_t pi, uint64_t mid) -> Result<Kind> {
    auto& m = kinds[pi];
    if (auto it = m.find(mid); it != m.end()) return it->second;
    Kind k = Kind::print;
    auto n = names.by_metric_id.find(mid);
    if (names.is_deleted(mid, sd.partitions[pi].name)) {
      k = Kind::skip;
    } else if (n == names.by_metric_id.end()) {
      k = Kind::unnamed;
    } else {
      auto mn = metric::MetricName::decode_canonical(n->second.canonical, tenancy);
      if (!mn.is_ok()) return mn.take_status().with_context("MetricName of MetricID " + std::to_string(mid) + " in indexdb");
      if (!query::matches_any(o.match, *mn)) k = Kind::skip;
    }
    m[mid] = k;
    return k;
  };
  if (tenancy == metric::Tenancy::kCluster && !o.tenant) {
    std::set<std::pair<uint32_t, uint32_t>> named;
    for (const auto& [mid, e] : names.by_metric_id) named.emplace(e.account_id, e.project_id);
    if (named.size() > 1) {
      std::set<std::pair<uint32_t, uint32_t>> tenants;
      for (const auto& c : cursors) {
        storage::PartReader pr;
        VMT_TRY(pr.open(c->path, tenancy));
        storage::BlockHeader h;
        for (bool eof = false;;) {
          VMT_TRY(pr.next_header(h, &eof));
          if (eof || tenants.size() > 1) break;
          if (h.max_timestamp < o.start_ms || h.min_timestamp > o.end_ms) continue;
          if (tenants.count({h.tsid.account_id, h.tsid.project_id})) continue;
          VMT_ASSIGN_OR_RETURN(Kind k, kind_of(c->partition, h.tsid.metric_id));
          if (k == Kind::print) tenants.emplace(h.tsid.account_id, h.tsid.project_id);
        }
        if (tenants.size() > 1) break;
      }
      tenant_labels = tenants.size() > 1;
    }
  }
  for (auto& c : cursors) VMT_TRY(advance(c.get()));
  uint64_t total_blocks = 0, blocks_read = 0;  // for the progress line: every opened part's BlocksCount
  for (const auto& c : cursors) total_blocks += c->reader->part_header().blocks_count;

  uint64_t unnamed_blocks = 0;
  std::unordered_set<uint64_t> unnamed_ids;
  std::vector<int64_t> ts, mantissas;
  std::vector<size_t> order;
  std::vector<BlockSpan> spans;
  Progress progress("tsdb-inspect export");
  auto render = [&](Series& s) -> Status {
    if (s.timestamps.empty()) return Status::ok();
    if (tenant_labels) {
      s.name.tags.push_back(metric::Tag{"vm_account_id", std::to_string(s.name.account_id)});
      s.name.tags.push_back(metric::Tag{"vm_project_id", std::to_string(s.name.project_id)});
    }
    // Blocks arrive in search order already (TSID, MinTimestamp, part): merge_sort_blocks as is.
    spans.clear();
    for (const auto& b : s.blocks) spans.push_back(b.span);
    order.clear();
    merge_sort_blocks(s.timestamps, spans, &order);
    if (prom) {
      append_prom_series(out.buf(), s.name, s.values, s.timestamps, order);
    } else {
      append_export_series(out.buf(), s.name, s.values, s.timestamps, order);
    }
    if (stats) {
      stats->series++;
      stats->samples += order.size();
    }
    return out.maybe_flush();
  };

  Series cur;                   // the series of cur_tsid
  bool have_cur = false;
  metric::TSID cur_tsid;
  std::vector<std::unique_ptr<Series>> held;           // shared names, printed last, in first-seen order
  std::unordered_map<std::string, Series*> held_by_name;
  auto finish = [&]() -> Status {
    if (!have_cur) return Status::ok();
    have_cur = false;
    if (!shared_ids.count(cur_tsid.metric_id)) {
      Status st = render(cur);
      cur = Series();
      return st;
    }
    // Append to the held series of the same name (blocks stay in search order: TSIDs ascend).
    const std::string& canon = names.by_metric_id.at(cur_tsid.metric_id).canonical;
    auto [it, inserted] = held_by_name.try_emplace(canon, nullptr);
    if (inserted) {
      held.push_back(std::make_unique<Series>(std::move(cur)));
      it->second = held.back().get();
    } else {
      Series& h = *it->second;
      const size_t base = h.timestamps.size();
      h.timestamps.insert(h.timestamps.end(), cur.timestamps.begin(), cur.timestamps.end());
      h.values.insert(h.values.end(), cur.values.begin(), cur.values.end());
      for (auto b : cur.blocks) {
        b.span.begin += base;
        b.span.end += base;
        h.blocks.push_back(b);
      }
    }
    cur = Series();
    return Status::ok();
  };

  while (!heap.empty()) {
    PartCursor* c = heap.top();
    heap.pop();
    ++blocks_read;
    const auto& h = c->raw.header;
    const bool wanted = !(o.tenant && (h.tsid.account_id != o.tenant->account_id || h.tsid.project_id != o.tenant->project_id)) &&
                        !(h.max_timestamp < o.start_ms || h.min_timestamp > o.end_ms);
    Kind k = Kind::skip;
    if (wanted) { VMT_ASSIGN_OR_RETURN(k, kind_of(c->partition, h.tsid.metric_id)); }
    if (k == Kind::unnamed) {
      unnamed_ids.insert(h.tsid.metric_id);
      ++unnamed_blocks;
    }
    if (k == Kind::print) {
      if (!have_cur || h.tsid != cur_tsid) {
        VMT_TRY(finish());
        cur_tsid = h.tsid;
        have_cur = true;
        auto n = names.by_metric_id.find(h.tsid.metric_id);
        VMT_ASSIGN_OR_RETURN(cur.name, metric::MetricName::decode_canonical(n->second.canonical, tenancy));
      }
      storage::PartReader& pr = *c->reader;
      // Errors name the data file and offset: the block header itself already passed every check.
      auto where = [&](const char* file, uint64_t off) {
        return pr.display() + "/" + file + ": offset " + std::to_string(off) + ": block " +
               std::to_string(pr.position().block) + " (" + h.tsid.to_string() + ")";
      };
      // Every type checked (non-decreasing, exactly [MinTimestamp, MaxTimestamp]): the server would
      // serve a damaged block's rows in their decoded order, which no sort of ours reproduces, so
      // such a block is refused here and reported by verify (issue 11 item 5).
      Status st = storage::decode_timestamps(h, c->raw.timestamps_data, ts, /*check_all_types=*/true);
      if (!st.is_ok()) return st.with_context(where("timestamps.bin", h.timestamps_block_offset));
      st = storage::decode_values(h, c->raw.values_data, mantissas);
      if (!st.is_ok()) return st.with_context(where("values.bin", h.values_block_offset));
      Series& s = cur;
      size_t before = s.values.size();
      if (prom) {
        // Values that read back (tsdb-import) to the very mantissas stored here; jsonl prints
        // what vmselect prints instead, byte for byte.
        for (int64_t m : mantissas) s.values.push_back(decimal::float_for_decimal(m, h.scale));
      } else {
        decimal::append_decimal_to_float(s.values, mantissas.data(), mantissas.size(), h.scale);
      }
      s.timestamps.insert(s.timestamps.end(), ts.begin(), ts.end());
      if (h.min_timestamp < o.start_ms || h.max_timestamp > o.end_ms) {
        // Cut the samples outside [start, end] from what was just appended.
        size_t w = before;
        for (size_t r = before; r < s.timestamps.size(); ++r) {
          if (s.timestamps[r] < o.start_ms || s.timestamps[r] > o.end_ms) continue;
          s.timestamps[w] = s.timestamps[r];
          s.values[w] = s.values[r];
          ++w;
        }
        s.timestamps.resize(w);
        s.values.resize(w);
      }
      s.blocks.push_back(Series::Block{h.tsid, h.min_timestamp, BlockSpan{before, s.timestamps.size()}});
      if (stats) stats->blocks++;
      progress.update(std::to_string(blocks_read) + " of " + std::to_string(total_blocks) + " blocks read",
                      total_blocks ? double(blocks_read) / double(total_blocks) : -1);
    }
    VMT_TRY(advance(c));
  }
  VMT_TRY(finish());
  for (auto& s : held) VMT_TRY(render(*s));
  progress.done();
  VMT_TRY(out.flush());
  if (!unnamed_ids.empty()) {
    // The server hides such series (and marks them deleted on first access); for us it is a data
    // problem worth an exit code, after everything else was written.
    return corruption(std::to_string(unnamed_blocks) + " blocks of " + std::to_string(unnamed_ids.size()) +
                      " MetricIDs have no MetricID->MetricName item in indexdb and were skipped (vmstorage hides them too)");
  }
  return out.flush();
}

}  // namespace vmt::ops
