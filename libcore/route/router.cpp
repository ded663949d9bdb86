// The tsdb-route pipeline: read blocks, route them on worker threads, write them in input order.
// Spec: routing.md; see router.h.
#include "route/router.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "base/fs.h"
#include "prom/line_reader.h"
#include "route/node_files.h"
#include "route/prom_render.h"
#include "route/series_set.h"
#include "route/wire.h"

namespace vmt::route {

namespace {

struct Slot {
  Bytes text;
  uint64_t first_line = 0;
  size_t input = 0;
  BlockResult res;
  bool done = false;
};

// Worker threads routing slots handed over by the reader, each slot by exactly one worker.
class WorkerPool {
 public:
  WorkerPool(unsigned n, const BlockConfig& cfg, const KeyOptions& key) {
    for (unsigned i = 0; i < n; ++i) {
      threads_.emplace_back([this, cfg, key] {
        BlockRouter br(cfg, key);
        for (;;) {
          Slot* s;
          {
            std::unique_lock<std::mutex> lk(mu_);
            cv_work_.wait(lk, [&] { return stop_ || !queue_.empty(); });
            if (queue_.empty()) return;
            s = queue_.front();
            queue_.pop_front();
          }
          br.route(s->text, s->first_line, s->res);
          {
            std::lock_guard<std::mutex> lk(mu_);
            s->done = true;
          }
          cv_done_.notify_all();
        }
      });
    }
  }
  ~WorkerPool() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
      queue_.clear();
    }
    cv_work_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(Slot* s) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      s->done = false;
      queue_.push_back(s);
    }
    cv_work_.notify_one();
  }
  void wait(Slot* s) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_done_.wait(lk, [&] { return s->done; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::deque<Slot*> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

class RouteRun {
 public:
  RouteRun(const RouteOptions& opt, const std::vector<std::string>& inputs, const RouteHooks& hooks, const Placement& pl)
      : opt_(opt), inputs_(inputs), hooks_(hooks), pl_(pl) {}

  Result<RouteReport> route_all();

 private:
  BlockConfig block_config() const;
  unsigned worker_threads() const;
  Status consume(Slot& s);  // merges one routed block, in input order
  Status finish_report();

  const RouteOptions& opt_;
  const std::vector<std::string>& inputs_;
  const RouteHooks& hooks_;
  const Placement& pl_;
  RouteReport rep_;
  NodeFiles files_;
  std::vector<SeriesSet> node_series_;
  SeriesSet all_series_;
  std::vector<std::string> input_names_;
  uint64_t input_bytes_done_ = 0;  // bytes of the inputs already finished
  uint64_t reported_bad_ = 0;
};

Status RouteRun::consume(Slot& s) {
  BlockResult& r = s.res;
  const std::string& name = input_names_[s.input];
  for (const auto& [line, reason] : r.bad) {
    if (opt_.strict) return corruption(name + ":" + std::to_string(line) + ": " + reason);
    if (reported_bad_ < opt_.max_reported_bad_lines && hooks_.warn) {
      hooks_.warn(name + ":" + std::to_string(line) + ": " + reason);
    }
    ++reported_bad_;
  }
  rep_.rows += r.parsed_rows;
  rep_.bad_lines += r.bad_lines;
  rep_.rerouted_rows += r.rerouted_rows;
  rep_.incompletely_replicated_rows += r.incompletely_replicated_rows;
  rep_.raw_stats += r.raw_stats;
  for (size_t i = 0; i < rep_.nodes.size(); ++i) {
    rep_.nodes[i].rows += r.rows[i];
    rep_.nodes[i].rerouted_in += r.rerouted_in[i];
    if (files_.size() > 0) VMT_TRY(files_.write(i, r.out[i]));
    if (opt_.count_series) {
      // A series has one owner, so with one copy the per-node counts add up to the total.
      const bool one_copy = opt_.placement.replication_factor <= 1;
      for (uint64_t h : r.hashes[i]) {
        node_series_[i].insert(h);
        if (!one_copy) all_series_.insert(h);
      }
    }
  }
  return Status::ok();
}

Result<RouteReport> RouteRun::route_all() {
  const size_t n = pl_.size();
  rep_.inputs = inputs_;
  rep_.format = opt_.format;
  rep_.out_dir = opt_.out_dir;
  rep_.nodes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    rep_.nodes[i].addr = opt_.placement.nodes[i];
    rep_.nodes[i].available = pl_.ready(i);
  }
  if (opt_.count_series) node_series_.resize(n);
  if (!opt_.out_dir.empty()) VMT_TRY(files_.open(opt_.out_dir, opt_.placement.nodes, opt_.format, opt_.clear_out_dir, opt_.compress));

  const BlockConfig cfg = block_config();
  const unsigned threads = worker_threads();
  // Two slots per worker keep every worker busy while the reader fills and the writer drains.
  const size_t n_slots = threads == 1 ? 1 : 2 * threads;
  std::vector<Slot> slots(n_slots);
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<BlockRouter> inline_router;
  if (threads == 1) {
    inline_router = std::make_unique<BlockRouter>(cfg, opt_.key);
  } else {
    pool = std::make_unique<WorkerPool>(threads, cfg, opt_.key);
  }

  size_t next_read = 0, next_write = 0;  // block sequence numbers
  for (size_t in = 0; in < inputs_.size(); ++in) {
    prom::LineReader reader;
    Status st = reader.open(inputs_[in]);
    input_names_.push_back(reader.name().empty() ? inputs_[in] : reader.name());
    if (!st.is_ok()) return st;
    for (;;) {
      // Keep the pipeline full; drain the oldest block when every slot is in use.
      if (next_read - next_write == n_slots) {
        Slot& s = slots[next_write % n_slots];
        if (pool) pool->wait(&s);
        VMT_TRY(consume(s));
        ++next_write;
        if (hooks_.progress) hooks_.progress(rep_.rows, input_bytes_done_ + reader.input_bytes());
      }
      Slot& s = slots[next_read % n_slots];
      if (!reader.next_block(&s.text, &s.first_line)) break;
      s.input = in;
      s.res.reset(n);
      if (pool) {
        pool->submit(&s);
      } else {
        inline_router->route(s.text, s.first_line, s.res);
      }
      ++next_read;
    }
    if (!reader.status().is_ok()) {
      // A too-long line or a damaged gzip/zstd stream: a data problem (exit 1), not a usage one.
      Status rs = reader.status();
      return rs.code() == Code::io_error ? rs : corruption(rs.message());
    }
    input_bytes_done_ += reader.input_bytes();
  }
  while (next_write < next_read) {
    Slot& s = slots[next_write % n_slots];
    if (pool) pool->wait(&s);
    VMT_TRY(consume(s));
    ++next_write;
  }
  pool.reset();
  rep_.input_bytes = input_bytes_done_;
  if (hooks_.progress) hooks_.progress(rep_.rows, input_bytes_done_);
  VMT_TRY(finish_report());
  return std::move(rep_);
}

// What every worker's BlockRouter is told: the placement, the output, the limits on bad lines,
// and the default timestamp of wire rows (taken once: the same for every row of the run).
BlockConfig RouteRun::block_config() const {
  BlockConfig cfg;
  cfg.placement = &pl_;
  cfg.format = opt_.format;
  cfg.render = !opt_.out_dir.empty();
  cfg.collect_hashes = opt_.count_series;
  cfg.strict = opt_.strict;
  cfg.max_bad_messages = opt_.max_reported_bad_lines;
  cfg.default_timestamp_ms = opt_.default_timestamp_ms;
  if (cfg.default_timestamp_ms == 0) {
    cfg.default_timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count();
  }
  return cfg;
}

// --threads, or the CPUs (at most 16 by default, 256 asked).
unsigned RouteRun::worker_threads() const {
  unsigned threads = opt_.threads;
  if (threads == 0) threads = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
  return std::min(threads, 256u);
}

// The node files committed (renamed into place) and the series counted per node.
Status RouteRun::finish_report() {
  const size_t n = pl_.size();
  if (files_.size() > 0) {
    for (size_t i = 0; i < n; ++i) {
      rep_.nodes[i].file = files_.path(i);
      rep_.nodes[i].bytes = files_.bytes(i);
    }
    VMT_TRY(files_.commit());
  }
  if (opt_.count_series) {
    rep_.series_counted = true;
    rep_.series = all_series_.size();
    for (size_t i = 0; i < n; ++i) {
      rep_.nodes[i].series = node_series_[i].size();
      if (opt_.placement.replication_factor <= 1) rep_.series += rep_.nodes[i].series;
    }
  }
  return Status::ok();
}

}  // namespace

Result<RouteReport> route_inputs(const RouteOptions& opt, const std::vector<std::string>& inputs, const RouteHooks& hooks) {
  VMT_ASSIGN_OR_RETURN(Placement pl, Placement::make(opt.placement));
  if (opt.key.limits.max_labels < 1) return invalid_argument("--max-labels-per-timeseries must be >= 1");
  if (!opt.out_dir.empty() && opt.format == OutputFormat::prom) {
    // Refuse up front what would make every row unwritable as text (prom_render.h).
    for (const auto& [name, value] : opt.key.extra_labels) {
      // The label views must outlive the call: keep the probe value in a named string (a ternary
      // of "v" and a std::string would make a temporary the view dangles on).
      const std::string probe_value = value.empty() ? std::string("v") : value;
      std::vector<metric::Label> probe = {{"", "m"}, {name, probe_value}};
      Bytes line;
      if (!render_prom_line(line, probe, 2, 0, 0)) {
        return invalid_argument("--extra-label name \"" + name + "\" cannot be written in Prometheus text "
                                "(leading or trailing whitespace, '\"', LF or a leading '}')");
      }
    }
  }
  std::vector<std::string> in = inputs.empty() ? std::vector<std::string>{"-"} : inputs;
  for (const auto& path : in) {
    // Checked before any output is created; pipes and /dev/stdin are fine, directories are not.
    if (path != "-" && (!fs::exists(path) || fs::is_dir(path))) {
      return invalid_argument("input " + path + (fs::exists(path) ? " is a directory" : " does not exist"));
    }
  }
  RouteRun run(opt, in, hooks, pl);
  return run.route_all();
}

}  // namespace vmt::route
