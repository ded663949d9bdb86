// tsdb-inspect export: the samples of a data directory joined with their metric names, printed as
// vmselect's /api/v1/export does (jsonl) or as Prometheus exposition (prom).
//
// Spec: indexdb.md §4.3-§4.4 and §6 (names come from ns 3 in curr then prev; deleted MetricIDs are
// hidden; a MetricID without a name is hidden, as the server hides it); doc/flavours.md §2-§3 (from
// v1.133 names come from the partition indexes and the legacy curr and prev; a partition's own
// deleted MetricIDs hide its blocks only), data-part.md (blocks),
// encoding.md §9.5 (decimal -> float). Like vmselect, samples of all MetricIDs that share one
// canonical MetricName are merged into one line, sorted by timestamp, nothing deduplicated.
#include <algorithm>
#include <memory>
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

void render_jsonl(Bytes& out, const Series& s, std::vector<size_t>& order) {
  out += "{\"metric\":{";
  bool first = true;
  if (!s.name.metric_group.empty()) {
    out += "\"__name__\":";
    append_json_string(out, s.name.metric_group);
    first = false;
  }
  for (const auto& t : s.name.tags) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, t.key);
    out.push_back(':');
    append_json_string(out, t.value);
  }
  out += "},\"values\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) out.push_back(',');
    append_export_number(out, s.values[order[i]]);
  }
  out += "],\"timestamps\":[";
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) out.push_back(',');
    append_int(out, s.timestamps[order[i]]);
  }
  out += "]}\n";
}

void render_prom(Bytes& out, const Series& s, std::vector<size_t>& order) {
  Bytes prefix(s.name.metric_group);
  if (!s.name.tags.empty()) {
    prefix.push_back('{');
    for (size_t i = 0; i < s.name.tags.size(); ++i) {
      if (i) prefix.push_back(',');
      prefix += s.name.tags[i].key;
      prefix.push_back('=');
      append_prom_label_value(prefix, s.name.tags[i].value);
    }
    prefix.push_back('}');
  }
  for (size_t i : order) {
    out += prefix;
    out.push_back(' ');
    append_prom_number(out, s.values[i]);
    out.push_back(' ');
    append_int(out, s.timestamps[i]);
    out.push_back('\n');
  }
}

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

Status inspect_export(const std::string& dir, const ExportOptions& o, Output& out, ExportStats* stats) {
  VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, open_for_reading(dir, o.target ? &*o.target : nullptr));
  const metric::Tenancy tenancy = sd.flavour.tenancy;
  const bool prom = o.format == "prom";
  NameIndex names;
  const uint32_t* acc = o.tenant ? &o.tenant->account_id : nullptr;
  const uint32_t* proj = o.tenant ? &o.tenant->project_id : nullptr;
  VMT_TRY(load_name_index(sd, acc, proj, &names));

  std::vector<std::unique_ptr<Series>> series;
  std::unordered_map<std::string, Series*> by_name;      // canonical name -> series
  std::unordered_map<uint64_t, Series*> by_metric_id;    // nullptr: filtered out
  uint64_t unnamed_blocks = 0;
  std::unordered_set<uint64_t> unnamed_ids;

  storage::RawBlock raw;
  std::vector<int64_t> ts, mantissas;
  Progress progress("export");
  for (const auto& p : sd.partitions) {
    // The same MetricID may be deleted in one partition's index and live in another's.
    by_metric_id.clear();
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
      storage::PartReader pr;
      VMT_TRY(pr.open(part.path, tenancy));
      if (pr.part_header().max_timestamp < o.start_ms || pr.part_header().min_timestamp > o.end_ms) continue;
      for (;;) {
        bool eof = false;
        VMT_TRY(pr.next_raw(raw, &eof));
        if (eof) break;
        const auto& h = raw.header;
        if (o.tenant && (h.tsid.account_id != o.tenant->account_id || h.tsid.project_id != o.tenant->project_id)) continue;
        if (h.max_timestamp < o.start_ms || h.min_timestamp > o.end_ms) continue;
        uint64_t mid = h.tsid.metric_id;
        auto cached = by_metric_id.find(mid);
        Series* s = nullptr;
        if (cached != by_metric_id.end()) {
          s = cached->second;
        } else {
          auto n = names.by_metric_id.find(mid);
          if (names.is_deleted(mid, p.name)) {
            s = nullptr;
          } else if (n == names.by_metric_id.end()) {
            unnamed_ids.insert(mid);
            s = nullptr;
          } else {
            auto mn = metric::MetricName::decode_canonical(n->second.canonical, tenancy);
            if (!mn.is_ok()) {
              return mn.take_status().with_context("MetricName of MetricID " + std::to_string(mid) + " in indexdb");
            }
            if (!query::matches_any(o.match, *mn)) {
              s = nullptr;
            } else {
              auto [it, inserted] = by_name.try_emplace(n->second.canonical, nullptr);
              if (inserted) {
                series.push_back(std::make_unique<Series>());
                series.back()->name = std::move(*mn);
                it->second = series.back().get();
              }
              s = it->second;
            }
          }
          by_metric_id[mid] = s;
        }
        if (!s) {
          if (unnamed_ids.count(mid)) ++unnamed_blocks;
          continue;
        }
        // Errors name the data file and offset: the block header itself already passed every check.
        auto where = [&](const char* file, uint64_t off) {
          return pr.display() + "/" + file + ": offset " + std::to_string(off) + ": block " +
                 std::to_string(pr.position().block) + " (" + h.tsid.to_string() + ")";
        };
        // Every type checked (non-decreasing, exactly [MinTimestamp, MaxTimestamp]): the server would
        // serve a damaged block's rows in their decoded order, which no sort of ours reproduces, so
        // such a block is refused here and reported by verify (issue 11 item 5).
        Status st = storage::decode_timestamps(h, raw.timestamps_data, ts, /*check_all_types=*/true);
        if (!st.is_ok()) return st.with_context(where("timestamps.bin", h.timestamps_block_offset));
        st = storage::decode_values(h, raw.values_data, mantissas);
        if (!st.is_ok()) return st.with_context(where("values.bin", h.values_block_offset));
        size_t before = s->values.size();
        if (prom) {
          // Values that read back (tsdb-import) to the very mantissas stored here; jsonl prints
          // what vmselect prints instead, byte for byte.
          for (int64_t m : mantissas) s->values.push_back(decimal::float_for_decimal(m, h.scale));
        } else {
          decimal::append_decimal_to_float(s->values, mantissas.data(), mantissas.size(), h.scale);
        }
        s->timestamps.insert(s->timestamps.end(), ts.begin(), ts.end());
        if (h.min_timestamp < o.start_ms || h.max_timestamp > o.end_ms) {
          // Cut the samples outside [start, end] from what was just appended.
          size_t w = before;
          for (size_t r = before; r < s->timestamps.size(); ++r) {
            if (s->timestamps[r] < o.start_ms || s->timestamps[r] > o.end_ms) continue;
            s->timestamps[w] = s->timestamps[r];
            s->values[w] = s->values[r];
            ++w;
          }
          s->timestamps.resize(w);
          s->values.resize(w);
        }
        s->blocks.push_back(Series::Block{h.tsid, h.min_timestamp, BlockSpan{before, s->timestamps.size()}});
        if (stats) stats->blocks++;
        progress.update(std::to_string(stats ? stats->blocks : 0) + " blocks");
      }
    }
  }
  progress.done();
  if (tenancy == metric::Tenancy::kCluster && !o.tenant) {
    // Several tenants in one stream: each series says whose it is with the labels the server's
    // multitenant reads add (vm_account_id, vm_project_id, after the others), which
    // `tsdb-import --tenant multitenant` reads back. One tenant prints as the server's own export.
    std::set<std::pair<uint32_t, uint32_t>> tenants;
    for (const auto& s : series) {
      if (!s->timestamps.empty()) tenants.emplace(s->name.account_id, s->name.project_id);
    }
    if (tenants.size() > 1) {
      for (auto& s : series) {
        s->name.tags.push_back(metric::Tag{"vm_account_id", std::to_string(s->name.account_id)});
        s->name.tags.push_back(metric::Tag{"vm_project_id", std::to_string(s->name.project_id)});
      }
    }
  }
  std::vector<size_t> order;
  for (const auto& s : series) {
    if (s->timestamps.empty()) continue;
    std::stable_sort(s->blocks.begin(), s->blocks.end(), [](const Series::Block& a, const Series::Block& b) {
      return a.tsid != b.tsid ? a.tsid < b.tsid : a.min_timestamp < b.min_timestamp;
    });
    std::vector<BlockSpan> spans;
    for (const auto& b : s->blocks) spans.push_back(b.span);
    order.clear();
    merge_sort_blocks(s->timestamps, spans, &order);
    if (o.format == "prom") {
      render_prom(out.buf(), *s, order);
    } else {
      render_jsonl(out.buf(), *s, order);
    }
    if (stats) {
      stats->series++;
      stats->samples += order.size();
    }
    VMT_TRY(out.maybe_flush());
  }
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
