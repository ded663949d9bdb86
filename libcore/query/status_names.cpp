// The cardinality report's names pass: every name in scope (ns 3) hashed with its tenant, sorted by
// hash so that each run is one series; the MetricIDs that repeat a series already seen (on this
// node or an earlier one) are the only names decoded (tsdb_status.cpp says how the passes combine).
#include <xxhash.h>

#include <algorithm>
#include <array>

#include "base/huge_array.h"
#include "metric/metric_name.h"
#include "query/status_sources.h"

namespace vmt::query::status {

namespace {

struct Key128 {
  uint64_t lo, hi;
  bool operator==(const Key128& o) const { return lo == o.lo && hi == o.hi; }
};
struct Key128Hash {
  size_t operator()(const Key128& k) const { return size_t(k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull)); }
};

// The tenant is the hash's seed: no copy of the name to put the tenant before it.
Key128 series_key(const metric::Tenant& t, ByteView canonical) {
  const uint64_t seed = uint64_t(t.account_id) << 32 | t.project_id;
  XXH128_hash_t h = XXH3_128bits_withSeed(canonical.data(), canonical.size(), seed);
  return Key128{h.low64, h.high64};
}

// One name in scope: 32 bytes, everything inline, so that the run loop reads no other array.
struct NameEntry {
  Key128 key;
  uint64_t id;
  uint32_t source;  // index into sources (which also names the node)
  uint32_t seq;     // reading order, nodes in order
  NodeId node_id(const std::vector<Source>& src) const { return NodeId{id, src[source].node}; }
};

// The entries ordered by key, then reading order, in place. The keys are hashes, so their top 16
// bits cut them into 65,536 even buckets of a few entries, each then sorted in cache. The buckets
// are cut by two in-place permutations of 8 bits (American flag sort): by the top byte, then each
// of those 256 (small enough for the cache) by the next. No second array: a scatter into one
// (32 MB at 1M names) spent most of its time on the first touch of its pages.
void sort_by_key(HugeVector<NameEntry>& v) {
  auto less = [](const NameEntry& a, const NameEntry& b) {
    if (a.key.hi != b.key.hi) return a.key.hi < b.key.hi;
    if (a.key.lo != b.key.lo) return a.key.lo < b.key.lo;
    return a.seq < b.seq;
  };
  // [from, to) permuted so that the byte at `shift` ascends; bucket b is [start[b], start[b + 1]).
  auto permute = [&](size_t from, size_t to, int shift, std::array<size_t, 257>& start) {
    auto byte_of = [shift](const NameEntry& e) { return size_t(e.key.hi >> shift) & 0xff; };
    start.fill(0);
    for (size_t i = from; i < to; ++i) ++start[byte_of(v[i]) + 1];
    start[0] = from;
    for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
    std::array<size_t, 256> next;
    std::copy(start.begin(), start.end() - 1, next.begin());
    for (size_t b = 0; b < 256; ++b) {
      while (next[b] < start[b + 1]) {  // each entry moved straight to its bucket's next free place
        NameEntry e = v[next[b]];
        for (size_t d = byte_of(e); d != b; d = byte_of(e)) std::swap(e, v[next[d]++]);
        v[next[b]++] = e;
      }
    }
  };
  std::array<size_t, 257> top, sub;
  permute(0, v.size(), 56, top);
  for (size_t t = 0; t < 256; ++t) {
    permute(top[t], top[t + 1], 48, sub);
    for (size_t b = 0; b < 256; ++b) {
      if (sub[b + 1] - sub[b] > 1) std::sort(v.begin() + sub[b], v.begin() + sub[b + 1], less);
    }
  }
}

}  // namespace

Status names_pass(const std::vector<const layout::StorageDir*>& dirs, const std::vector<Source>& sources,
                  const TimeRange& range, size_t max_examples, Names* out) {
  // Every name in scope as (hash, where): sorted by hash, each run is one series; its first
  // entry (node, then reading order) is the series' MetricID, the others repeat it. A flat
  // array grown in place and one sort: no allocation per name.
  HugeVector<NameEntry> all;
  out->node_series.assign(dirs.size(), 0);
  out->node_ids.assign(dirs.size(), 0);
  out->shared_by_node.assign(dirs.size(), 0);
  std::vector<std::unique_ptr<StorageSearch>> open(dirs.size());
  for (uint32_t di = 0; di < dirs.size(); ++di) {
    VMT_ASSIGN_OR_RETURN(StorageSearch ss, StorageSearch::open(*dirs[di], range));
    open[di] = std::make_unique<StorageSearch>(std::move(ss));
    for (uint32_t si = 0; si < sources.size(); ++si) {
      const Source& s = sources[si];
      if (s.node != di) continue;
      auto& tab = open[di]->tables()[s.table];
      auto take = [&](uint64_t id, ByteView canonical) -> Status {
        if (!in_scope(s, tab, id)) return Status::ok();
        all.push_back(NameEntry{series_key(s.tenant, canonical), id, si, uint32_t(all.size())});
        return Status::ok();
      };
      if (s.scope) {
        VMT_TRY(tab.search->names(s.tenant, s.scope->ids(), take));
      } else {
        VMT_TRY(tab.search->all_names(s.tenant, take));
      }
    }
  }
  const size_t n = all.size();
  sort_by_key(all);
  const NameEntry* sorted = all.data();
  std::vector<uint64_t> series_by_source(sources.size());
  std::vector<const NameEntry*> repeats;
  std::vector<std::pair<const NameEntry*, uint64_t>> shared;  // a series on several nodes: first entry, nodes
  for (size_t i = 0; i < n;) {
    size_t j = i;
    uint64_t nodes = 0;
    const NodeId first = sorted[i].node_id(sources);
    ++out->series;
    ++series_by_source[sorted[i].source];
    for (; j < n && sorted[j].key == sorted[i].key; ++j) {
      const NodeId e = sorted[j].node_id(sources);
      // The same item in another part (parts not merged yet) adds nothing.
      bool again = false;
      for (size_t k = i; k < j && !again; ++k) again = sorted[k].node_id(sources) == e;
      if (again) continue;
      ++out->node_ids[e.node];
      nodes |= uint64_t(1) << e.node;
      if (j != i) {
        out->repeat_of.emplace(e, first);
        repeats.push_back(&sorted[j]);
      }
    }
    for (size_t di = 0; di < dirs.size(); ++di) {
      if (nodes >> di & 1) {
        ++out->node_series[di];
        if (__builtin_popcountll(nodes) > 1) ++out->shared_by_node[di];
      }
    }
    if (__builtin_popcountll(nodes) > 1) {
      ++out->on_several_nodes;
      if (shared.size() < max_examples) shared.emplace_back(&sorted[i], nodes);
    }
    i = j;
  }
  for (size_t si = 0; si < sources.size(); ++si) {
    if (series_by_source[si]) out->by_tenant[sources[si].tenant.to_string()] += series_by_source[si];
  }
  // The labels of each repeat, to subtract from the rows' counts: the only names decoded.
  for (const NameEntry* e : repeats) {
    const Source& s = sources[e->source];
    auto& tab = open[s.node]->tables()[s.table];
    const metric::Tenancy tenancy = open[s.node]->tenancy();
    VMT_TRY(tab.search->names(s.tenant, {e->id}, [&](uint64_t, ByteView canonical) -> Status {
      VMT_ASSIGN_OR_RETURN(auto mn, metric::MetricName::decode_canonical(canonical, tenancy));
      if (!mn.metric_group.empty()) ++out->repeated_pairs[{"__name__", mn.metric_group}];
      for (const auto& t : mn.tags) ++out->repeated_pairs[{t.key, t.value}];
      return Status::ok();
    }));
  }
  for (const auto& entry : shared) {
    const auto* e = entry.first;
    const auto nodes = entry.second;   // a copy: lambdas may not capture structured bindings (C++17/clang)
    const Source& s = sources[e->source];
    auto& tab = open[s.node]->tables()[s.table];
    const metric::Tenancy tenancy = open[s.node]->tenancy();
    VMT_TRY(tab.search->names(s.tenant, {e->id}, [&](uint64_t, ByteView canonical) -> Status {
      SharedSeries ex;
      ex.tenant = s.tenant;
      VMT_ASSIGN_OR_RETURN(ex.name, metric::MetricName::decode_canonical(canonical, tenancy));
      for (size_t di = 0; di < dirs.size(); ++di) {
        if (nodes >> di & 1) ex.nodes.push_back(di);
      }
      out->shared_examples.push_back(std::move(ex));
      return Status::ok();
    }));
  }
  return Status::ok();
}

}  // namespace vmt::query::status
