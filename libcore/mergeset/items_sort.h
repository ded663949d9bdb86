// Sorting items: an order of indexes into an Items buffer, bytewise as memcmp orders them (§1),
// for keys that share long prefixes (index items: namespace, tenant, tag key; canonical names:
// tenant, metric name, label keys), where a comparison sort compares the same bytes again and again.
#pragma once

#include <cstdint>
#include <vector>

#include "mergeset/items.h"

namespace vmt::mergeset {

// An item in sorted order: its index, and where it is in the buffer (Items::data()), so that
// whoever walks the order reads each item with one memory access that can be asked for ahead.
struct SortedItem {
  uint64_t off;
  uint32_t len;
  uint32_t idx;
  ByteView in(const Items& items) const { return ByteView(items.data().data() + off, len); }
};

// Sets *order to the items of `items` in sorted order (duplicates kept, in no defined order among
// themselves), on `threads` threads (1 or 2 used).
void sort_items(const Items& items, std::vector<SortedItem>* order, unsigned threads);
// The same, indexes only.
void sort_items(const Items& items, std::vector<uint32_t>* order, unsigned threads);

// Byte strings stored at base + off (each len bytes), sorted as each followed by one more byte
// `term` would sort: name · 0x02, the order of a run of spilled series (ingest/series_spill.h),
// without copying the names out of the arena they are in. `threads`: 1 or 2 used.
struct TerminatedRef {
  uint64_t off;
  uint32_t len;
  uint32_t id;
};
void sort_terminated(const char* base, std::vector<TerminatedRef>& refs, uint8_t term, unsigned threads);

}  // namespace vmt::mergeset
