#include "storage/merge_rows.h"

#include <doctest/doctest.h>

namespace vmt::storage {

namespace {

Rows rows(std::vector<int64_t> ts) {
  Rows r;
  r.ts = ts;
  for (int64_t t : ts) r.vals.push_back(t * 10);
  return r;
}

}  // namespace

TEST_SUITE("storage/merge_rows") {
  TEST_CASE("ranges that do not overlap are joined whole, the older first") {
    const Rows a = rows({10, 20}), b = rows({1, 5});
    Rows out;
    merge_rows({&a, 10, 20}, 0, {&b, 1, 5}, 0, out);
    CHECK(out.ts == std::vector<int64_t>{1, 5, 10, 20});
    CHECK(out.vals == std::vector<int64_t>{10, 50, 100, 200});
  }

  TEST_CASE("overlapping rows interleave; on equal timestamps the side being drained goes first, duplicates kept") {
    // a drains up to b's head (5 <= 5), then b drains up to a's next (5, 6 <= 7), then a...
    Rows a = rows({1, 5, 7}), b = rows({5, 6, 9});
    a.vals = {1, 2, 3};
    b.vals = {4, 5, 6};
    Rows out;
    merge_rows({&a, 1, 7}, 0, {&b, 5, 9}, 0, out);
    CHECK(out.ts == std::vector<int64_t>{1, 5, 5, 6, 7, 9});
    CHECK(out.vals == std::vector<int64_t>{1, 2, 4, 5, 3, 6});
  }

  TEST_CASE("retention: leading rows before the deadline are skipped, only when the header says there are some") {
    const Rows a = rows({1, 2, 30, 40}), b = rows({3, 35});
    CHECK(retention_skip({&a, 1, 40}, 10) == 2);
    CHECK(retention_skip({&a, 10, 40}, 10) == 0);   // the header's MinTimestamp decides, as in VM
    CHECK(retention_skip({&b, 3, 35}, 100) == 2);
    Rows out;
    merge_rows({&a, 1, 40}, 2, {&b, 3, 35}, 1, out);
    CHECK(out.ts == std::vector<int64_t>{30, 35, 40});
    merge_rows({&a, 1, 40}, 4, {&b, 3, 35}, 1, out);   // one side used up
    CHECK(out.ts == std::vector<int64_t>{35});
  }
}

}  // namespace vmt::storage
