#include "storage/merge_rows.h"

#include <utility>

namespace vmt::storage {

size_t retention_skip(const RowsSide& s, int64_t deadline) {
  size_t n = 0;
  if (s.min_timestamp < deadline) {
    while (n < s.rows->size() && s.rows->ts[n] < deadline) ++n;
  }
  return n;
}

void merge_rows(const RowsSide& pa, size_t s1, const RowsSide& pb, size_t s2, Rows& out) {
  out.clear();
  if (pa.max_timestamp < pb.min_timestamp) {
    out.append(*pa.rows, s1);
    out.append(*pb.rows, s2);
    return;
  }
  if (pb.max_timestamp < pa.min_timestamp) {
    out.append(*pb.rows, s2);
    out.append(*pa.rows, s1);
    return;
  }
  if (s1 >= pa.rows->size()) return out.append(*pb.rows, s2);
  if (s2 >= pb.rows->size()) return out.append(*pa.rows, s1);
  const Rows* a = pa.rows;
  const Rows* b = pb.rows;
  size_t ia = s1, ib = s2;
  for (;;) {
    const int64_t head = b->ts[ib];
    size_t i = ia;
    while (i < a->size() && a->ts[i] <= head) ++i;
    out.ts.insert(out.ts.end(), a->ts.begin() + ptrdiff_t(ia), a->ts.begin() + ptrdiff_t(i));
    out.vals.insert(out.vals.end(), a->vals.begin() + ptrdiff_t(ia), a->vals.begin() + ptrdiff_t(i));
    ia = i;
    if (ia >= a->size()) {
      out.append(*b, ib);
      return;
    }
    std::swap(a, b);
    std::swap(ia, ib);
  }
}

}  // namespace vmt::storage
