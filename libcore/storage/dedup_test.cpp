#include "storage/dedup.h"

#include <doctest/doctest.h>

#include <vector>

#include "encoding/decimal.h"

using namespace vmt;
using namespace vmt::storage;

namespace {

struct Samples {
  std::vector<int64_t> ts, v;
};

Samples dedup(Samples s, int64_t d) {
  const size_t n = dedup_samples(s.ts.data(), s.v.data(), s.ts.size(), d);
  s.ts.resize(n);
  s.v.resize(n);
  return s;
}

}  // namespace

TEST_SUITE("storage/dedup") {
  TEST_CASE("merge.md §6.3 example: one sample per (k·d − d, k·d], the latest, max on ties") {
    Samples in{{0, 5, 10, 10, 12, 25, 29, 30, 31, 100}, {1, 2, 3, 9, 4, 5, 6, 7, 8, 10}};
    CHECK(needs_dedup(in.ts.data(), in.ts.size(), 10));
    Samples out = dedup(in, 10);
    CHECK(out.ts == std::vector<int64_t>{0, 10, 12, 30, 31, 100});
    CHECK(out.v == std::vector<int64_t>{1, 9, 4, 7, 8, 10});
  }

  TEST_CASE("nothing to do: interval 0, fewer than 2 samples, one sample per bucket") {
    Samples in{{1000, 2000, 3000}, {1, 2, 3}};
    CHECK_FALSE(needs_dedup(in.ts.data(), 3, 0));
    CHECK_FALSE(needs_dedup(in.ts.data(), 1, 1000));
    CHECK_FALSE(needs_dedup(in.ts.data(), 3, 1000));
    CHECK(dedup(in, 1000).ts == in.ts);
    CHECK(dedup(in, 0).ts == in.ts);
    // 1001 falls into (1000, 2000] with 2000.
    Samples in2{{1000, 1001, 2000}, {1, 2, 3}};
    CHECK(dedup(in2, 1000).ts == std::vector<int64_t>{1000, 2000});
  }

  TEST_CASE("equal timestamps keep the largest mantissa: +Inf > stale marker > ordinary > -Inf") {
    using namespace vmt::decimal;
    Samples s1{{10, 10, 10}, {kVStaleNaN, 5, kVInfPos}};
    CHECK(dedup(s1, 10).v == std::vector<int64_t>{kVInfPos});
    Samples s2{{10, 10}, {7, kVStaleNaN}};
    CHECK(dedup(s2, 10).v == std::vector<int64_t>{kVStaleNaN});
    Samples s3{{10, 10}, {kVInfNeg, -3}};
    CHECK(dedup(s3, 10).v == std::vector<int64_t>{-3});
  }

  TEST_CASE("a gap longer than the interval restarts the bucket walk") {
    Samples in{{0, 1, 50000, 50001, 50999, 51000, 51001}, {1, 2, 3, 4, 5, 6, 7}};
    Samples out = dedup(in, 1000);
    // 0 is alone in (-1000, 0], 1 in (0, 1000]; 50001..51000 share (50000, 51000].
    CHECK(out.ts == std::vector<int64_t>{0, 1, 50000, 51000, 51001});
    CHECK(out.v == std::vector<int64_t>{1, 2, 3, 6, 7});
  }

  TEST_CASE("a large random walk matches a bucket-by-bucket model") {
    std::vector<int64_t> ts, v;
    uint64_t x = 12345;
    int64_t t = 0;
    for (int i = 0; i < 5000; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      t += int64_t((x >> 33) % 7);   // steps 0..6 ms: equal timestamps happen
      ts.push_back(t);
      v.push_back(int64_t((x >> 20) % 100));
    }
    const int64_t d = 10;
    // Model: group by ceil(t / d); keep the max timestamp, then the max value at it.
    std::vector<int64_t> mts, mv;
    for (size_t i = 0; i < ts.size(); ++i) {
      const int64_t bucket = (ts[i] + d - 1) / d;
      if (!mts.empty() && (mts.back() + d - 1) / d == bucket) {
        if (ts[i] > mts.back()) { mts.back() = ts[i]; mv.back() = v[i]; }
        else if (v[i] > mv.back()) mv.back() = v[i];
      } else {
        mts.push_back(ts[i]);
        mv.push_back(v[i]);
      }
    }
    Samples out = dedup(Samples{ts, v}, d);
    CHECK(out.ts == mts);
    CHECK(out.v == mv);
  }
}
