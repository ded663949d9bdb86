#include "query/found_series.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include "base/fs.h"
#include "mergeset/items_sort.h"
#include "mergeset/merge.h"
#include "mergeset/part_reader.h"
#include "mergeset/part_writer.h"

namespace vmt::query {

namespace {

// What a half holds per key beside its bytes: the buffer's end offset, and the sort's order and
// scratch (mergeset/items_sort.h) when the half is sorted.
constexpr uint64_t kOverheadPerKey = 40;

uint64_t held_bytes(const mergeset::Items& k) { return k.data_size() + k.size() * kOverheadPerKey; }

}  // namespace

FoundSeries::FoundSeries(uint64_t budget_bytes, std::string tmp_root)
    : budget_(budget_bytes), tmp_root_(std::move(tmp_root)), runs_mu_(std::make_unique<std::mutex>()) {}

FoundSeries::~FoundSeries() {
  if (!runs_dir_.empty()) (void)fs::remove_all(runs_dir_);
}

FoundSeries::FoundSeries(FoundSeries&& o) noexcept
    : budget_(o.budget_),
      tmp_root_(std::move(o.tmp_root_)),
      runs_dir_(std::exchange(o.runs_dir_, std::string())),
      runs_mu_(std::move(o.runs_mu_)),
      runs_(std::move(o.runs_)),
      order_(std::move(o.order_)) {
  keys_[0].swap(o.keys_[0]);
  keys_[1].swap(o.keys_[1]);
}

FoundSeries& FoundSeries::operator=(FoundSeries&& o) noexcept {
  if (this != &o) {
    if (!runs_dir_.empty()) (void)fs::remove_all(runs_dir_);
    budget_ = o.budget_;
    tmp_root_ = std::move(o.tmp_root_);
    runs_dir_ = std::exchange(o.runs_dir_, std::string());
    runs_mu_ = std::move(o.runs_mu_);
    runs_ = std::move(o.runs_);
    order_ = std::move(o.order_);
    keys_[0].swap(o.keys_[0]);
    keys_[1].swap(o.keys_[1]);
  }
  return *this;
}

void FoundSeries::reserve(size_t n) {
  constexpr size_t kBytesPerSeries = 256;  // a generous canonical name with its tenant
  for (auto& k : keys_) {
    size_t bytes = k.data_size() + (n / 2 + 1) * kBytesPerSeries;
    size_t count = k.size() + n / 2 + 1;
    if (budget_ != 0) {
      bytes = std::min<size_t>(bytes, budget_ / 2);
      count = std::min<size_t>(count, budget_ / 2 / kOverheadPerKey);
    }
    k.reserve(bytes, count);
  }
}

Status FoundSeries::add(unsigned half, const metric::Tenant& t, ByteView canonical) {
  mergeset::Items& k = keys_[half];
  Bytes& d = k.mutable_data();
  put_u32(d, t.account_id);
  put_u32(d, t.project_id);
  d.append(canonical.data(), canonical.size());
  k.end_item();
  if (budget_ != 0 && held_bytes(k) >= budget_ / 2) return spill(half);
  return Status::ok();
}

Status FoundSeries::spill(unsigned half) {
  mergeset::Items& k = keys_[half];
  if (k.empty()) return Status::ok();
  std::vector<mergeset::SortedItem> order;
  mergeset::sort_items(k, &order, 1);
  std::string path;
  {
    std::lock_guard<std::mutex> lock(*runs_mu_);
    if (runs_dir_.empty()) {
      std::string root = tmp_root_;
      if (root.empty()) {
        const char* env = std::getenv("TMPDIR");
        root = env && *env ? env : "/tmp";
      }
      std::string tmpl = fs::join(root, "vmt-series-XXXXXX");
      if (::mkdtemp(tmpl.data()) == nullptr) {
        return io_error("cannot create a directory for sorted runs of series under " + root + ": " +
                        std::strerror(errno));
      }
      runs_dir_ = tmpl;
    }
    path = fs::join(runs_dir_, "run-" + std::to_string(runs_.size()));
    runs_.push_back(path);
  }
  mergeset::PartWriter w;
  mergeset::PartWriterOptions opt;  // the fastest level: a run is read once, soon
  opt.durable = false;              // and removed when the query ends
  auto st = [&]() -> Status {
    VMT_TRY(w.open(path, opt));
    ByteView last;
    for (size_t i = 0; i < order.size(); ++i) {
      const ByteView key = order[i].in(k);
      if (i > 0 && key == last) continue;
      VMT_TRY(w.add(key));
      last = key;
    }
    return w.close();
  }();
  if (!st.is_ok()) return std::move(st).with_context("sorted run of series " + path);
  k.clear();
  return Status::ok();
}

Status FoundSeries::finish() {
  if (!runs_.empty()) {
    // Over the budget already: what is left goes out as runs too, then the buffers are freed for
    // the merge's readers.
    Status st1;
    std::thread th([&] { st1 = spill(1); });
    Status st0 = spill(0);
    th.join();
    VMT_TRY(st0);
    VMT_TRY(st1);
    for (auto& k : keys_) mergeset::Items().swap(k);
    return Status::ok();
  }
  std::vector<mergeset::SortedItem> o0, o1;
  if (keys_[1].empty()) {
    mergeset::sort_items(keys_[0], &o0, 2);
  } else {
    std::thread th([&] { mergeset::sort_items(keys_[1], &o1, 1); });
    mergeset::sort_items(keys_[0], &o0, 1);
    th.join();
  }
  const char* d0 = keys_[0].data().data();
  const char* d1 = keys_[1].data().data();
  order_.clear();
  order_.reserve(o0.size() + o1.size());
  auto push = [&](uint32_t half, const mergeset::SortedItem& s) {
    const Key k{s.off, s.len, half};
    if (order_.empty() || key(order_.back()) != key(k)) order_.push_back(k);
  };
  // Merge the halves (keys asked for a few ahead: they are anywhere in the buffers).
  constexpr size_t kAhead = 4;
  size_t i = 0, j = 0;
  while (i < o0.size() && j < o1.size()) {
    if (i + kAhead < o0.size()) __builtin_prefetch(d0 + o0[i + kAhead].off);
    if (j + kAhead < o1.size()) __builtin_prefetch(d1 + o1[j + kAhead].off);
    if (ByteView(d1 + o1[j].off, o1[j].len) < ByteView(d0 + o0[i].off, o0[i].len)) {
      push(1, o1[j++]);
    } else {
      push(0, o0[i++]);
    }
  }
  while (i < o0.size()) push(0, o0[i++]);
  while (j < o1.size()) push(1, o1[j++]);
  return Status::ok();
}

Status FoundSeries::for_each_batch(size_t max_batch, const BatchFn& fn) {
  if (!runs_.empty()) return merge_runs(max_batch, fn);
  std::vector<ByteView> batch;
  batch.reserve(std::min(max_batch, order_.size()));
  for (size_t at = 0; at < order_.size(); at += max_batch) {
    batch.clear();
    const size_t end = std::min(order_.size(), at + max_batch);
    for (size_t i = at; i < end; ++i) batch.push_back(key(order_[i]));
    VMT_TRY(fn(batch));
  }
  return Status::ok();
}

Status FoundSeries::merge_runs(size_t max_batch, const BatchFn& fn) {
  std::vector<std::unique_ptr<mergeset::PartReader>> readers;
  std::vector<mergeset::PartReader*> ptrs;
  for (const auto& path : runs_) {
    auto r = mergeset::PartReader::open(path);
    if (!r.is_ok()) return r.take_status().with_context("sorted run of series " + path);
    readers.push_back(std::move(r).value());
    ptrs.push_back(readers.back().get());
  }
  mergeset::ItemMerger m(ptrs);
  VMT_TRY(m.seek_to_first());
  // A batch's keys are copied out of the readers' blocks, which the merge moves past.
  mergeset::Items held;
  std::vector<ByteView> batch;
  Bytes last;
  bool any = false;
  auto flush = [&]() -> Status {
    batch.clear();
    for (size_t i = 0; i < held.size(); ++i) batch.push_back(held[i]);
    VMT_TRY(fn(batch));
    held.clear();
    return Status::ok();
  };
  while (m.valid()) {
    const ByteView item = m.item();
    if (!any || item != ByteView(last)) {
      held.push_back(item);
      last.assign(item.data(), item.size());
      any = true;
      if (held.size() == max_batch) VMT_TRY(flush());
    }
    VMT_TRY(m.next());
  }
  if (!held.empty()) VMT_TRY(flush());
  return Status::ok();
}

}  // namespace vmt::query
