// WorkerPool: a few threads kept for the length of one job that runs many short parallel steps
// (the data part builder encodes a part's blocks in batches of 4096: one pool per part, not new
// threads per batch). run(n, fn) calls fn(0) .. fn(n-1), on the pool's threads and the caller's,
// and returns when all of them have; fn must not throw.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace vmt {

class WorkerPool {
 public:
  // `helpers` threads besides the caller's (0: run() calls fn on the caller's thread only).
  explicit WorkerPool(unsigned helpers) {
    for (unsigned i = 0; i < helpers; ++i) threads_.emplace_back([this, i] { helper_main(i + 1); });
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
    }
    start_.notify_all();
    for (auto& t : threads_) t.join();
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const { return threads_.size() + 1; }  // helpers and the caller

  // Step k runs fn(k) once: k = 0 and any k >= size() on the caller's thread (in order, after
  // fn(0)), 1 .. size()-1 on the pool's.
  void run(size_t n, const std::function<void(size_t)>& fn) {
    if (n == 0) return;
    const size_t on_pool = std::min(n, size()) - 1;
    {
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = &fn;
      steps_ = on_pool + 1;
      pending_ = on_pool;
      ++generation_;
    }
    if (on_pool > 0) start_.notify_all();
    fn(0);
    for (size_t k = size(); k < n; ++k) fn(k);
    std::unique_lock<std::mutex> lk(mu_);
    done_.wait(lk, [this] { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  void helper_main(size_t k) {
    uint64_t seen = 0;
    for (;;) {
      const std::function<void(size_t)>* fn = nullptr;
      {
        std::unique_lock<std::mutex> lk(mu_);
        start_.wait(lk, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        if (k >= steps_) continue;  // this round needs fewer threads
        fn = fn_;
      }
      (*fn)(k);
      std::lock_guard<std::mutex> lk(mu_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex mu_;
  std::condition_variable start_, done_;
  std::vector<std::thread> threads_;
  const std::function<void(size_t)>* fn_ = nullptr;
  size_t steps_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
};

}  // namespace vmt
