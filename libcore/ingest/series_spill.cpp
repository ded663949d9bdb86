#include "ingest/series_spill.h"

#include <algorithm>

#include "base/fs.h"
#include "ingest/existing_index.h"
#include "mergeset/items_sort.h"
#include "mergeset/merge.h"
#include "mergeset/part_writer.h"
#include "metric/metric_name.h"

namespace vmt::ingest {

namespace {

// Series in the order of their keys (name · 0x02 as a byte string), sorted where their names are:
// a multikey sort that reads the long prefixes series share (tenant, metric name, job) about once.
void sort_by_key(const SeriesRegistry& reg, std::vector<uint32_t>& ids, unsigned threads) {
  std::vector<mergeset::TerminatedRef> refs(ids.size());
  const char* base = reg.canonical_base();
  for (size_t i = 0; i < ids.size(); ++i) {
    const ByteView name = reg.canonical(ids[i]);
    refs[i] = mergeset::TerminatedRef{uint64_t(name.data() - base), uint32_t(name.size()), ids[i]};
  }
  mergeset::sort_terminated(base, refs, uint8_t(metric::kKvSeparatorChar), threads);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = refs[i].id;
}

}  // namespace

void SeriesSpill::open(std::string dir, metric::Tenancy t, unsigned threads) {
  dir_ = std::move(dir);
  tenancy_ = t;
  threads_ = threads;
}

Status SeriesSpill::write(const SeriesRegistry& reg) {
  if (run_dirs_.empty()) VMT_TRY(fs::mkdir_p(dir_));
  const size_t n = reg.size();
  // Each series' days: the registry's pairs ordered by series, then day.
  std::vector<std::pair<uint32_t, uint32_t>> days(reg.dates().begin(), reg.dates().end());
  std::sort(days.begin(), days.end());
  std::vector<uint32_t> first(n + 1, 0);  // days of series s: [first[s], first[s + 1])
  for (const auto& d : days) ++first[d.first + 1];
  for (size_t s = 0; s < n; ++s) first[s + 1] += first[s];
  // A returning series with no day here that it had not indexed before is in an earlier run as
  // it would be written now (TSID, origin, days), and lookups take the newest run that holds it:
  // it is not written again. A second pass over the same series (a backfill's next scrape) then
  // writes, and later walks, nothing of them.
  std::vector<uint32_t> order;
  order.reserve(n);
  for (uint32_t s = 0; s < n; ++s) {
    if (reg.at(s).returning()) {
      bool new_day = false;
      for (uint32_t k = first[s]; k < first[s + 1] && !new_day; ++k) new_day = !reg.spilled_on(s, days[k].second);
      if (!new_day) continue;
    }
    order.push_back(s);
  }
  if (order.empty()) return Status::ok();
  // In the order of their items, without copying the names (the registry is at its largest).
  sort_by_key(reg, order, threads_);
  const std::string run = fs::join(dir_, "series-" + std::to_string(run_dirs_.size()));
  mergeset::PartWriter w;
  mergeset::PartWriterOptions wo;
  wo.compress_level = -5;  // read once more, by this import
  wo.durable = false;
  VMT_TRY(w.open(run, std::move(wo)));
  Bytes item;
  std::vector<uint32_t> all;
  for (uint32_t s : order) {
    const Series& ser = reg.at(s);
    if (ser.origin == SeriesOrigin::pending) return invalid_argument("series spill: a series without a TSID");
    all.clear();
    for (uint32_t k = first[s]; k < first[s + 1]; ++k) all.push_back(days[k].second);
    const auto before = reg.spilled_days(s);
    all.insert(all.end(), before.begin(), before.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    item.clear();
    item.append(reg.canonical(s));
    put_u8(item, metric::kKvSeparatorChar);
    ser.tsid.encode(item, tenancy_);
    put_u8(item, uint8_t(ser.origin));
    for (uint32_t d : all) put_u32(item, d);
    VMT_TRY(w.add(item));
  }
  VMT_TRY(w.close());
  VMT_ASSIGN_OR_RETURN(auto reader, mergeset::PartReader::open(run));
  runs_.push_back(std::move(reader));
  run_dirs_.push_back(run);
  return Status::ok();
}

Status SeriesSpill::decode(ByteView rest, const std::string& run, Found* out) const {
  const size_t tsid_size = metric::TSID::size(tenancy_);
  const uint8_t origin = rest.size() > tsid_size ? uint8_t(rest[tsid_size]) : 0;
  if (rest.size() < tsid_size + 1 || (rest.size() - tsid_size - 1) % 4 != 0 ||
      (origin != uint8_t(SeriesOrigin::created) && origin != uint8_t(SeriesOrigin::curr) &&
       origin != uint8_t(SeriesOrigin::prev))) {
    return corruption(run + ": a spilled series item of " + std::to_string(rest.size()) + " bytes after its name does not decode");
  }
  out->tsid = metric::TSID::load(rest.data(), tenancy_);
  out->origin = SeriesOrigin(origin);
  out->days.clear();
  for (size_t p = tsid_size + 1; p < rest.size(); p += 4) out->days.push_back(load_u32(rest.data() + p));
  return Status::ok();
}

Status SeriesSpill::settle(SeriesRegistry& reg, size_t from, uint64_t* found) {
  if (runs_.empty()) return Status::ok();
  // The pending series in the order of their keys (name · 0x02), as the runs are sorted.
  std::vector<uint32_t> todo;
  for (size_t s = from; s < reg.size(); ++s) {
    if (reg.at(uint32_t(s)).origin == SeriesOrigin::pending) todo.push_back(uint32_t(s));
  }
  sort_by_key(reg, todo, threads_);
  // One cursor per run, newest first, each moving forward only: the series are taken in key
  // order and each looked up from the newest run to the oldest, so its name is read from the
  // registry once, not once per run that lacks it (at 1M series with 4 spills, copying the
  // names out of the registry, the loads before the copy included, was 47% of this loop's samples).
  struct Cursor {
    mergeset::ItemMerger m;
    bool started = false;
    const std::string* run;
  };
  std::vector<Cursor> cursors;
  cursors.reserve(runs_.size());
  for (size_t r = runs_.size(); r-- > 0;) cursors.push_back(Cursor{mergeset::ItemMerger({runs_[r].get()}), false, &run_dirs_[r]});
  Bytes key;
  Found f;
  for (uint32_t s : todo) {
    key.assign(reg.canonical(s));
    put_u8(key, metric::kKvSeparatorChar);
    for (Cursor& c : cursors) {
      VMT_TRY_CTX(advance_to(c.m, &c.started, key), *c.run);
      if (!c.m.valid() || !c.m.item().starts_with(key)) continue;
      VMT_TRY(decode(c.m.item().substr(key.size()), *c.run, &f));
      reg.set_returning(s, f.tsid, f.origin, f.days);
      ++*found;
      break;
    }
  }
  return Status::ok();
}

Result<int64_t> SeriesSpill::find(SeriesRegistry& reg, ByteView canonical, uint64_t hash, uint32_t date) {
  Bytes key(canonical);
  put_u8(key, metric::kKvSeparatorChar);
  Found f;
  for (size_t r = runs_.size(); r-- > 0;) {
    mergeset::ItemMerger m({runs_[r].get()});
    VMT_TRY_CTX(m.seek(key), run_dirs_[r]);
    if (!m.valid() || !m.item().starts_with(key)) continue;
    VMT_TRY(decode(m.item().substr(key.size()), run_dirs_[r], &f));
    bool created = false;
    const uint32_t id = reg.find_or_add(canonical, hash, date, &created);
    reg.set_returning(id, f.tsid, f.origin, f.days);
    return int64_t(id);
  }
  return int64_t(-1);
}

}  // namespace vmt::ingest
