// Go's sort.Sort (pdqsort, Go >= 1.19) over labels by name, and a stable sort by name.
// Spec: routing.md §1 step 3. Ported from Go's src/sort/{sort.go,zsortinterface.go}; the function
// names follow Go's so the two can be compared line by line.
#include "route/label_sort.h"

#include <algorithm>
#include <bit>
#include <tuple>
#include <utility>

namespace vmt::route {

namespace {

using metric::Label;

enum SortedHint { kUnknownHint, kIncreasingHint, kDecreasingHint };

struct Data {
  std::vector<Label>& v;
  bool less(int i, int j) const { return v[i].name < v[j].name; }
  void swap(int i, int j) const { std::swap(v[i], v[j]); }
};

int bits_len(uint64_t x) { return x == 0 ? 0 : 64 - std::countl_zero(x); }

void insertion_sort(const Data& d, int a, int b) {
  for (int i = a + 1; i < b; i++) {
    for (int j = i; j > a && d.less(j, j - 1); j--) d.swap(j, j - 1);
  }
}

void sift_down(const Data& d, int lo, int hi, int first) {
  int root = lo;
  for (;;) {
    int child = 2 * root + 1;
    if (child >= hi) break;
    if (child + 1 < hi && d.less(first + child, first + child + 1)) child++;
    if (!d.less(first + root, first + child)) return;
    d.swap(first + root, first + child);
    root = child;
  }
}

void heap_sort(const Data& d, int a, int b) {
  int first = a, lo = 0, hi = b - a;
  for (int i = (hi - 1) / 2; i >= 0; i--) sift_down(d, i, hi, first);
  for (int i = hi - 1; i >= 0; i--) {
    d.swap(first, first + i);
    sift_down(d, lo, i, first);
  }
}

std::pair<int, bool> partition(const Data& d, int a, int b, int pivot) {
  d.swap(a, pivot);
  int i = a + 1, j = b - 1;
  while (i <= j && d.less(i, a)) i++;
  while (i <= j && !d.less(j, a)) j--;
  if (i > j) {
    d.swap(j, a);
    return {j, true};
  }
  d.swap(i, j);
  i++;
  j--;
  for (;;) {
    while (i <= j && d.less(i, a)) i++;
    while (i <= j && !d.less(j, a)) j--;
    if (i > j) break;
    d.swap(i, j);
    i++;
    j--;
  }
  d.swap(j, a);
  return {j, false};
}

int partition_equal(const Data& d, int a, int b, int pivot) {
  d.swap(a, pivot);
  int i = a + 1, j = b - 1;
  for (;;) {
    while (i <= j && !d.less(a, i)) i++;
    while (i <= j && d.less(a, j)) j--;
    if (i > j) break;
    d.swap(i, j);
    i++;
    j--;
  }
  return i;
}

bool partial_insertion_sort(const Data& d, int a, int b) {
  constexpr int kMaxSteps = 5, kShortestShifting = 50;
  int i = a + 1;
  for (int step = 0; step < kMaxSteps; step++) {
    while (i < b && !d.less(i, i - 1)) i++;
    if (i == b) return true;
    if (b - a < kShortestShifting) return false;
    d.swap(i, i - 1);
    if (i - a >= 2) {  // shift the smaller one to the left
      for (int j = i - 1; j >= 1; j--) {
        if (!d.less(j, j - 1)) break;
        d.swap(j, j - 1);
      }
    }
    if (b - i >= 2) {  // shift the greater one to the right
      for (int j = i + 1; j < b; j++) {
        if (!d.less(j, j - 1)) break;
        d.swap(j, j - 1);
      }
    }
  }
  return false;
}

void break_patterns(const Data& d, int a, int b) {
  int length = b - a;
  if (length >= 8) {
    uint64_t random = static_cast<uint64_t>(length);  // xorshift seeded with the length
    uint64_t modulus = uint64_t(1) << bits_len(static_cast<uint64_t>(length));  // nextPowerOfTwo
    for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
      random ^= random << 13;
      random ^= random >> 7;
      random ^= random << 17;
      int other = static_cast<int>(random & (modulus - 1));
      if (other >= length) other -= length;
      d.swap(idx, a + other);
    }
  }
}

std::pair<int, int> order2(const Data& d, int a, int b, int* swaps) {
  if (d.less(b, a)) {
    ++*swaps;
    return {b, a};
  }
  return {a, b};
}

int median(const Data& d, int a, int b, int c, int* swaps) {
  std::tie(a, b) = order2(d, a, b, swaps);
  std::tie(b, c) = order2(d, b, c, swaps);
  std::tie(a, b) = order2(d, a, b, swaps);
  return b;
}

int median_adjacent(const Data& d, int a, int* swaps) { return median(d, a - 1, a, a + 1, swaps); }

std::pair<int, SortedHint> choose_pivot(const Data& d, int a, int b) {
  constexpr int kShortestNinther = 50, kMaxSwaps = 4 * 3;
  int l = b - a;
  int swaps = 0;
  int i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
  if (l >= 8) {
    if (l >= kShortestNinther) {  // Tukey ninther
      i = median_adjacent(d, i, &swaps);
      j = median_adjacent(d, j, &swaps);
      k = median_adjacent(d, k, &swaps);
    }
    j = median(d, i, j, k, &swaps);
  }
  switch (swaps) {
    case 0: return {j, kIncreasingHint};
    case kMaxSwaps: return {j, kDecreasingHint};
    default: return {j, kUnknownHint};
  }
}

void reverse_range(const Data& d, int a, int b) {
  for (int i = a, j = b - 1; i < j; i++, j--) d.swap(i, j);
}

void pdqsort(const Data& d, int a, int b, int limit) {
  constexpr int kMaxInsertion = 12;
  bool was_balanced = true, was_partitioned = true;
  for (;;) {
    int length = b - a;
    if (length <= kMaxInsertion) {
      insertion_sort(d, a, b);
      return;
    }
    if (limit == 0) {
      heap_sort(d, a, b);
      return;
    }
    if (!was_balanced) {
      break_patterns(d, a, b);
      limit--;
    }
    auto [pivot, hint] = choose_pivot(d, a, b);
    if (hint == kDecreasingHint) {
      reverse_range(d, a, b);
      pivot = (b - 1) - (pivot - a);
      hint = kIncreasingHint;
    }
    if (was_balanced && was_partitioned && hint == kIncreasingHint) {
      if (partial_insertion_sort(d, a, b)) return;
    }
    if (a > 0 && !d.less(a - 1, pivot)) {  // many duplicates: split off the ones equal to the pivot
      a = partition_equal(d, a, b, pivot);
      continue;
    }
    auto [mid, already_partitioned] = partition(d, a, b, pivot);
    was_partitioned = already_partitioned;
    int left_len = mid - a, right_len = b - mid;
    int balance_threshold = length / 8;
    if (left_len < right_len) {
      was_balanced = left_len >= balance_threshold;
      pdqsort(d, a, mid, limit);
      a = mid + 1;
    } else {
      was_balanced = right_len >= balance_threshold;
      pdqsort(d, mid + 1, b, limit);
      b = mid;
    }
  }
}

}  // namespace

void go_sort_labels(std::vector<Label>& labels) {
  int n = static_cast<int>(labels.size());
  if (n <= 1) return;
  Data d{labels};
  pdqsort(d, 0, n, bits_len(static_cast<uint64_t>(n)));
}

void sort_by_name_stable(std::vector<Label>& labels) {
  if (labels.size() <= 64) {  // insertion sort: stable, no allocation
    for (size_t i = 1; i < labels.size(); ++i) {
      for (size_t j = i; j > 0 && labels[j].name < labels[j - 1].name; --j) std::swap(labels[j], labels[j - 1]);
    }
    return;
  }
  std::stable_sort(labels.begin(), labels.end(), [](const Label& x, const Label& y) { return x.name < y.name; });
}

}  // namespace vmt::route
