// The tsdb-route pipeline: read blocks, route them on worker threads, write them in input order.
// Spec: routing.md; see router.h.
#include "route/router.h"

#include <chrono>
#include <memory>
#include <thread>

#include "base/fs.h"
#include "prom/block_pipeline.h"
#include "route/node_files.h"
#include "route/prom_render.h"
#include "route/series_set.h"
#include "route/wire.h"

namespace vmt::route {

namespace {

// One block of lines and what a worker's BlockRouter made of it.
struct Slot : prom::LineBlock {
  BlockResult res;
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
  Status route_blocks(prom::BlockPipeline<Slot>& pipe);
  Status finish_report();

  const RouteOptions& opt_;
  const std::vector<std::string>& inputs_;
  const RouteHooks& hooks_;
  const Placement& pl_;
  RouteReport rep_;
  NodeFiles files_;
  std::vector<SeriesSet> node_series_;
  SeriesSet all_series_;
  std::vector<std::string> input_names_;  // per input, as LineReader names it
  uint64_t reported_bad_ = 0;
};

Status RouteRun::consume(Slot& s) {
  BlockResult& r = s.res;
  const std::string& name = input_names_[s.file];
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
  prom::BlockPipelineOptions po;
  po.inputs = inputs_;
  po.workers = threads;
  po.pool_blocks = 2 * threads;   // two blocks per worker keep it busy while the consumer drains
  prom::BlockPipeline<Slot> pipe;
  pipe.start(po, [&]() -> prom::BlockPipeline<Slot>::Work {
    auto router = std::make_shared<BlockRouter>(cfg, opt_.key);
    return [router, n](Slot& s) {
      s.res.reset(n);
      router->route(s.text, s.first_line, s.res);
    };
  });
  VMT_TRY(route_blocks(pipe));
  rep_.input_bytes = 0;
  for (size_t f = 0; f < inputs_.size(); ++f) rep_.input_bytes += pipe.file_input_bytes(f);
  if (hooks_.progress) hooks_.progress(rep_.rows, rep_.input_bytes);
  VMT_TRY(finish_report());
  return std::move(rep_);
}

// Every routed block consumed in input order; an input that cannot be read stops the run (one that
// cannot be opened with its own error, a too-long line or a damaged gzip/zstd stream as a data
// problem, exit 1).
Status RouteRun::route_blocks(prom::BlockPipeline<Slot>& pipe) {
  uint64_t done_bytes = 0;   // the raw bytes of the inputs before the current block's
  size_t file = 0;
  while (Slot* s = pipe.next()) {
    for (; file < s->file; ++file) done_bytes += pipe.file_input_bytes(file);
    while (input_names_.size() <= s->file) input_names_.push_back(pipe.reader_name(input_names_.size()));
    Status st = consume(*s);
    const uint64_t bytes = done_bytes + s->input_bytes;
    pipe.release(s);
    VMT_TRY(st);
    if (hooks_.progress) hooks_.progress(rep_.rows, bytes);
  }
  Status rs = pipe.status();
  if (rs.is_ok() || pipe.open_failed() || rs.code() == Code::io_error) return rs;
  return corruption(rs.message());
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
