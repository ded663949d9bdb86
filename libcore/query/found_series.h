// FoundSeries: the distinct series a query found, in the order /api/v1/series lists them (tenant,
// then canonical bytes), with memory bounded by a budget rather than by the number of series.
//
// A series is a key: the tenant searched (AccountID and ProjectID big-endian), then the canonical
// name as in ns 3 (with its own tenant prefix in the cluster), so that bytewise order is that
// order. Keys go into two buffers, one for each thread that finds names
// (TableSearch::names_halves), with no allocation per series. Within the budget, the buffers are
// sorted in memory (mergeset/items_sort.h) and merged. Over it, a half whose buffer reaches half
// the budget sorts it and writes it out as a sorted run: a mergeset part (the format's own sorted,
// compressed item stream) in a private directory under the temporary directory, removed when the
// FoundSeries goes; the runs are merged (mergeset::ItemMerger) as the series are read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/coding.h"
#include "base/status.h"
#include "mergeset/items.h"
#include "metric/tenancy.h"

namespace vmt::query {

class FoundSeries {
 public:
  static constexpr size_t kTenantBytes = 8;
  static metric::Tenant tenant_of(ByteView key) { return metric::Tenant{load_u32(key.data()), load_u32(key.data() + 4)}; }
  static ByteView canonical_of(ByteView key) { return key.substr(kTenantBytes); }

  // budget_bytes 0: everything in memory. Otherwise the key buffers (and their sort) stay within
  // about budget_bytes, and runs go to a new directory under tmp_root ("" = $TMPDIR, else /tmp).
  explicit FoundSeries(uint64_t budget_bytes = 0, std::string tmp_root = "");
  ~FoundSeries();
  FoundSeries(FoundSeries&&) noexcept;
  FoundSeries& operator=(FoundSeries&&) noexcept;

  // Room for about n more series, split between the halves (capped by the budget): the buffers
  // then grow without the copy (and twice the memory) of a doubling; room reserved but not written
  // costs no memory.
  void reserve(size_t n);
  // half: 0 or 1, whose buffer (each is written by one thread at a time). Fails only when a run
  // cannot be written (the message names its path).
  [[nodiscard]] Status add(unsigned half, const metric::Tenant& t, ByteView canonical);
  // Sorts what is in memory (each half on a thread of its own), or writes it out as the last
  // runs. No add() after it.
  [[nodiscard]] Status finish();

  // The keys in order, each once, in batches of at most max_batch: fn(keys), the views valid
  // during the call. Once, after finish().
  using BatchFn = std::function<Status(const std::vector<ByteView>& keys)>;
  [[nodiscard]] Status for_each_batch(size_t max_batch, const BatchFn& fn);

  uint64_t runs() const { return runs_.size(); }

 private:
  // A key's place, not a pointer: a FoundSeries is moved, and a short buffer moves with it.
  struct Key {
    uint64_t off;
    uint32_t len;
    uint32_t half;
  };
  ByteView key(const Key& k) const { return ByteView(keys_[k.half].data().data() + k.off, k.len); }
  Status spill(unsigned half);
  Status merge_runs(size_t max_batch, const BatchFn& fn);

  uint64_t budget_ = 0;
  std::string tmp_root_;
  std::string runs_dir_;                     // created at the first run
  std::unique_ptr<std::mutex> runs_mu_;      // runs_ and runs_dir_, from both halves' threads
  std::vector<std::string> runs_;
  mergeset::Items keys_[2];
  std::vector<Key> order_;                   // in memory: the keys in order, each once
};

}  // namespace vmt::query
