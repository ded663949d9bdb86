#include "base/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using vmt::WorkerPool;

TEST_SUITE("base/worker_pool") {
  TEST_CASE("every step of every round runs once, on the pool's threads and the caller's") {
    WorkerPool pool(3);
    CHECK(pool.size() == 4);
    const auto caller = std::this_thread::get_id();
    std::vector<std::atomic<int>> hits(4);
    std::atomic<int> off_caller{0};
    for (int round = 0; round < 2000; ++round) {
      const size_t n = 1 + round % 4;  // rounds that need fewer threads than the pool has
      for (auto& h : hits) h = 0;
      pool.run(n, [&](size_t k) {
        ++hits[k];
        if (k > 0 && std::this_thread::get_id() != caller) ++off_caller;
        if (k == 0) CHECK(std::this_thread::get_id() == caller);
      });
      for (size_t k = 0; k < 4; ++k) REQUIRE(hits[k] == (k < n ? 1 : 0));
    }
    CHECK(off_caller > 0);
  }

  TEST_CASE("more steps than threads: the rest run on the caller's thread, none is lost") {
    WorkerPool pool(1);
    std::vector<std::atomic<int>> hits(7);
    for (int round = 0; round < 100; ++round) {
      for (auto& h : hits) h = 0;
      pool.run(7, [&](size_t k) { ++hits[k]; });
      for (auto& h : hits) REQUIRE(h == 1);
    }
  }

  TEST_CASE("without helpers, run() is a call on the caller's thread") {
    WorkerPool pool(0);
    CHECK(pool.size() == 1);
    int calls = 0;
    pool.run(1, [&](size_t k) { calls += int(k) + 1; });
    CHECK(calls == 1);
    pool.run(0, [&](size_t) { calls = -1; });
    CHECK(calls == 1);
  }
}
