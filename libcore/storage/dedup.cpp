#include "storage/dedup.h"

namespace vmt::storage {

namespace {

// tsNext := t + d - 1; tsNext -= tsNext % d   (C++ '%' truncates toward zero like Go's)
inline int64_t round_up(int64_t t, int64_t d) {
  const int64_t n = t + d - 1;
  return n - n % d;
}

// The largest mantissa of the run of equal timestamps that ends at `last`.
inline int64_t max_of_run(const int64_t* ts, const int64_t* v, size_t last) {
  int64_t best = v[last];
  for (size_t j = last; j > 0 && ts[j - 1] == ts[last]; --j) {
    if (v[j - 1] > best) best = v[j - 1];
  }
  return best;
}

}  // namespace

bool needs_dedup(const int64_t* ts, size_t n, int64_t d) {
  if (n < 2 || d <= 0) return false;
  int64_t next = round_up(ts[0], d);
  for (size_t i = 1; i < n; ++i) {
    if (ts[i] <= next) return true;
    next += d;
    if (next < ts[i]) next = round_up(ts[i], d);
  }
  return false;
}

size_t dedup_samples(int64_t* ts, int64_t* v, size_t n, int64_t d) {
  if (!needs_dedup(ts, n, d)) return n;
  int64_t next = round_up(ts[0], d);
  size_t out = 0;
  // Writes go to index out <= i - 1 while the run read at i - 1 starts after the last emitted
  // sample (its successor was strictly larger), so no value is overwritten before it is read.
  for (size_t i = 1; i < n; ++i) {
    if (ts[i] <= next) continue;
    const int64_t t_prev = ts[i - 1];
    const int64_t v_prev = max_of_run(ts, v, i - 1);
    ts[out] = t_prev;
    v[out] = v_prev;
    ++out;
    next += d;
    if (next < ts[i]) next = round_up(ts[i], d);
  }
  const int64_t t_last = ts[n - 1];
  const int64_t v_last = max_of_run(ts, v, n - 1);
  ts[out] = t_last;
  v[out] = v_last;
  return out + 1;
}

}  // namespace vmt::storage
