#include "mergeset/items_sort.h"

#include <algorithm>
#include <thread>

namespace vmt::mergeset {

namespace {

// One element of the chunk sort: the 8 bytes of an item at the current depth (big-endian, zero
// padded) and how many of them are real (8 = the item goes on). (chunk, rem) orders items exactly
// as memcmp does on those bytes, a shorter item first; equal keys with rem == 8 need the next chunk.
// The item's place in the buffer rides along, so that loading its next chunk is one memory access
// (which can be asked for ahead), not a lookup of its bounds first.
struct ChunkKey {
  uint64_t chunk;
  uint64_t off_rem;  // offset in the buffer << 8 | rem
  uint32_t len;
  uint32_t idx;
  uint32_t rem() const { return uint32_t(off_rem & 0xff); }
  size_t off() const { return size_t(off_rem >> 8); }
  bool operator<(const ChunkKey& o) const { return chunk != o.chunk ? chunk < o.chunk : rem() < o.rem(); }
};

ByteView item_of(const char* data, const ChunkKey& k) { return ByteView(data + k.off(), k.len); }

// How chunk_sort sees a key. Plain: the item's bytes. Terminated: the item's bytes and one byte
// more that is not stored (a name sorted as name · 0x02).
struct Plain {
  void load(const char* data, ChunkKey& k, size_t depth) const {
    uint64_t c = 0;
    size_t rem = k.len > depth ? k.len - depth : 0;
    const char* p = data + k.off() + depth;
    if (rem >= 8) {
      c = load_u64(p);
      rem = 8;
    } else {
      for (size_t i = 0; i < rem; ++i) c |= uint64_t(uint8_t(p[i])) << (56 - 8 * i);
    }
    k.chunk = c;
    k.off_rem = (k.off_rem & ~uint64_t(0xff)) | rem;
  }
  bool less(const char* data, const ChunkKey& x, const ChunkKey& y, size_t depth) const {
    return item_of(data, x).substr(depth) < item_of(data, y).substr(depth);
  }
};
struct Terminated {
  uint8_t term;
  void load(const char* data, ChunkKey& k, size_t depth) const {
    if (depth + 8 <= k.len) return Plain().load(data, k, depth);
    const size_t vlen = size_t(k.len) + 1;
    const size_t rem = vlen > depth ? std::min<size_t>(vlen - depth, 8) : 0;
    uint64_t c = 0;
    for (size_t i = 0; i < rem; ++i) {
      const size_t at = depth + i;
      const uint8_t b = at < k.len ? uint8_t(data[k.off() + at]) : term;
      c |= uint64_t(b) << (56 - 8 * i);
    }
    k.chunk = c;
    k.off_rem = (k.off_rem & ~uint64_t(0xff)) | rem;
  }
  // x · term < y · term, the first `depth` bytes (at most up to the terminator) being equal.
  bool less(const char* data, const ChunkKey& x, const ChunkKey& y, size_t depth) const {
    const ByteView a = item_of(data, x), b = item_of(data, y);
    const size_t n = std::min(a.size(), b.size());
    const size_t from = std::min(depth, n);
    const int c = a.substr(from, n - from).compare(b.substr(from, n - from));
    if (c != 0) return c < 0;
    if (a.size() == b.size()) return false;
    // The shorter goes on with the terminator and ends; the longer with its next byte.
    if (a.size() < b.size()) return term <= uint8_t(b[n]);
    return uint8_t(a[n]) < term;
  }
};

// View::load for keys[0, n) at `depth`, asking for the items a few keys ahead.
template <class View>
void load_chunks(const View& v, const char* data, ChunkKey* keys, size_t n, size_t depth) {
  constexpr size_t kAhead = 8;
  for (size_t k = 0; k < n; ++k) {
    if (k + kAhead < n) __builtin_prefetch(data + keys[k + kAhead].off() + depth);
    v.load(data, keys[k], depth);
  }
}

// The length of the common prefix of a and b, 8 bytes at a time.
size_t common_prefix(ByteView a, ByteView b) {
  const size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i + 8 <= n && load_u64(a.data() + i) == load_u64(b.data() + i)) i += 8;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

const ChunkKey& median3(const ChunkKey& a, const ChunkKey& b, const ChunkKey& c) {
  if (a < b) return b < c ? b : (a < c ? c : a);
  return a < c ? a : (b < c ? c : b);
}

// MSD sort by 8-byte chunks (multikey quicksort, Bentley and Sedgewick, a chunk for a character):
// orders the keys by their chunk, then each run of equal full chunks by the next one. Items share
// long prefixes (namespace, tenant, tag key), which a comparison sort would compare again and
// again; here each byte is looked at about once per item. Small runs fall back to memcmp from the
// current depth. Iterative: neither item length nor bad pivots bound the call stack.
template <class View>
void chunk_sort(const View& v, const char* data, ChunkKey* keys, size_t n) {
  struct Range {
    size_t begin, n, depth;
  };
  std::vector<Range> stack{{0, n, 0}};
  load_chunks(v, data, keys, n, 0);
  while (!stack.empty()) {
    Range r = stack.back();
    stack.pop_back();
    ChunkKey* a = keys + r.begin;
    if (r.n < 24) {
      std::sort(a, a + r.n, [&](const ChunkKey& x, const ChunkKey& y) { return v.less(data, x, y, r.depth); });
      continue;
    }
    if (std::all_of(a + 1, a + r.n, [&](const ChunkKey& k) { return k.chunk == a[0].chunk && k.rem() == a[0].rem(); })) {
      // One chunk for the whole range (deep in keys that share label names and values): nothing
      // to sort here; go on past everything the range has in common, in one pass.
      if (a[0].rem() < 8) continue;
      // Stored bytes only: Terminated keys still share at least the 7 before their terminator.
      ByteView first = item_of(data, a[0]).substr(std::min<size_t>(r.depth, a[0].len));
      size_t common = first.size();
      for (size_t k = 1; k < r.n && common > 8; ++k) {
        common = std::min(common, common_prefix(first, item_of(data, a[k]).substr(std::min<size_t>(r.depth, a[k].len))));
      }
      load_chunks(v, data, a, r.n, r.depth + common);
      stack.push_back(Range{r.begin, r.n, r.depth + common});
      continue;
    }
    // Three-way partition around a pivot chunk (median of three): the keys below and above it
    // are sorted again at this depth, the keys equal to it at the next. Keys here take few
    // distinct chunks (label names, a handful of values), which this splits off in one pass each.
    const ChunkKey pivot = median3(a[0], a[r.n / 2], a[r.n - 1]);
    size_t lt = 0, i = 0, gt = r.n;
    while (i < gt) {
      if (a[i] < pivot) {
        std::swap(a[lt++], a[i++]);
      } else if (pivot < a[i]) {
        std::swap(a[i], a[--gt]);
      } else {
        ++i;
      }
    }
    if (lt > 1) stack.push_back(Range{r.begin, lt, r.depth});
    if (r.n - gt > 1) stack.push_back(Range{r.begin + gt, r.n - gt, r.depth});
    if (gt - lt > 1 && pivot.rem() == 8) {
      load_chunks(v, data, a + lt, gt - lt, r.depth + 8);
      stack.push_back(Range{r.begin + lt, gt - lt, r.depth + 8});
    }
  }
}

// keys sorted, each handed to out(k, position) in order: on one thread, or for many keys as two
// halves sorted on two threads and merged.
template <class View, class Out>
void sort_keys(const View& v, const char* data, std::vector<ChunkKey>& keys, unsigned threads, Out out) {
  const size_t n = keys.size();
  if (threads < 2 || n < 8192) {
    chunk_sort(v, data, keys.data(), n);
    for (size_t i = 0; i < n; ++i) out(keys[i], i);
    return;
  }
  const size_t half = n / 2;
  std::thread t([&] { chunk_sort(v, data, keys.data(), half); });
  chunk_sort(v, data, keys.data() + half, n - half);
  t.join();
  size_t i = 0, j = half, o = 0;
  while (i < half && j < n) out(v.less(data, keys[j], keys[i], 0) ? keys[j++] : keys[i++], o++);
  while (i < half) out(keys[i++], o++);
  while (j < n) out(keys[j++], o++);
}

}  // namespace

void sort_items(const Items& items, std::vector<SortedItem>* order, unsigned threads) {
  const size_t n = items.size();
  const char* data = items.data().data();
  std::vector<ChunkKey> keys(n);
  size_t off = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t len = items[i].size();
    keys[i].off_rem = uint64_t(off) << 8;
    keys[i].len = uint32_t(len);
    keys[i].idx = uint32_t(i);
    off += len;
  }
  order->resize(n);
  sort_keys(Plain(), data, keys, threads, [&](const ChunkKey& k, size_t i) { (*order)[i] = SortedItem{k.off(), k.len, k.idx}; });
}

void sort_items(const Items& items, std::vector<uint32_t>* order, unsigned threads) {
  std::vector<SortedItem> sorted;
  sort_items(items, &sorted, threads);
  order->resize(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) (*order)[i] = sorted[i].idx;
}

void sort_terminated(const char* base, std::vector<TerminatedRef>& refs, uint8_t term, unsigned threads) {
  const size_t n = refs.size();
  std::vector<ChunkKey> keys(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i].off_rem = refs[i].off << 8;
    keys[i].len = refs[i].len;
    keys[i].idx = refs[i].id;
  }
  sort_keys(Terminated{term}, base, keys, threads, [&](const ChunkKey& k, size_t i) { refs[i] = TerminatedRef{k.off(), k.len, k.idx}; });
}

}  // namespace vmt::mergeset
