// Routing one block of lines. Spec: routing.md §1-§6, prometheus-text.md §4, §8.
#include "route/block_router.h"

#include <cstring>

#include "route/prom_render.h"
#include "route/wire.h"

namespace vmt::route {

namespace {

constexpr size_t kNoPacket = ~size_t(0);

// The line as VM's log would show it: quoted, at most 160 bytes, control bytes as \xNN.
std::string quote_line(ByteView line) {
  std::string q = "\"";
  size_t n = line.size() < 160 ? line.size() : 160;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '"' || c == '\\') {
      q += '\\';
      q += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      q += "\\x";
      q += "0123456789abcdef"[c >> 4];
      q += "0123456789abcdef"[c & 15];
    } else {
      q += static_cast<char>(c);
    }
  }
  q += '"';
  if (n < line.size()) q += "...";
  return q;
}

}  // namespace

void BlockResult::reset(size_t nodes) {
  out.resize(nodes);
  for (auto& b : out) b.clear();
  rows.assign(nodes, 0);
  rerouted_in.assign(nodes, 0);
  hashes.resize(nodes);
  for (auto& h : hashes) h.clear();
  parsed_rows = bad_lines = rerouted_rows = incompletely_replicated_rows = 0;
  bad.clear();
  stopped = false;
  raw_stats = {};
}

void BlockRouter::route(ByteView block, uint64_t first_line, BlockResult& res) {
  const size_t n = cfg_.placement->size();
  packet_at_.assign(n, kNoPacket);
  const metric::RawStats before = kb_.raw_stats();
  uint64_t line_no = first_line;
  for (size_t pos = 0; pos <= block.size() && !res.stopped; ++line_no) {
    const void* nl = std::memchr(block.data() + pos, '\n', block.size() - pos);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - block.data()) : block.size();
    route_row(res, line_no, block.substr(pos, end - pos));
    pos = end + 1;
  }
  if (cfg_.format == OutputFormat::wire) {
    for (size_t i = 0; i < n; ++i) {
      if (packet_at_[i] != kNoPacket) end_packet(res.out[i], packet_at_[i]);
    }
  }
  res.raw_stats += kb_.raw_stats() - before;
}

void BlockRouter::route_row(BlockResult& res, uint64_t line_no, ByteView line) {
  auto report_bad = [&](std::string reason) {
    ++res.bad_lines;
    if (res.bad.size() < cfg_.max_bad_messages) res.bad.emplace_back(line_no, reason + " (line: " + quote_line(line) + ")");
    if (cfg_.strict) res.stopped = true;
  };

  // A series text seen before: its raw name and key from the cache, only the tail parsed.
  prom::SeriesTextCache::Line cached;
  prom::SeriesTextCache::Entry hit;
  if (cache_.find_line(line, &cached, &hit)) {
    res.raw_stats += hit.stats;
    place_row(res, line, hit.raw, hit.key_hash, cached.tail_value, cached.tail_timestamp, true, report_bad);
    return;
  }

  Status st = prom::parse_line(line, row_, scratch_);
  if (!st.is_ok()) {
    if (prom::is_skip(st)) return;
    report_bad("cannot unmarshal Prometheus line: " + st.message());
    return;
  }
  const metric::RawStats before = kb_.raw_stats();
  kb_.build(row_);
  if (kb_.over_limits()) {
    report_bad("series dropped: more than " + std::to_string(kb_.options().limits.max_labels) +
               " labels, a label name over 256 bytes or a value over " + std::to_string(kb_.options().limits.max_value_len) +
               " bytes (vminsert v1.136+ drops such series)");
    return;
  }
  if (!place_row(res, line, kb_.raw(), kb_.key_hash(), row_.value, row_.timestamp, kb_.as_parsed(), report_bad)) return;
  // Remembered only when the line itself stands for the row (or nothing is rendered, or wire rows
  // are built from the raw name); remember() checks the line's tail against the row.
  const bool line_stands = kb_.as_parsed() || !cfg_.render || cfg_.format == OutputFormat::wire;
  if (line_stands) cache_.remember(cached, row_, kb_.raw(), kb_.key_hash(), kb_.raw_stats() - before);
}

template <class ReportBad>
bool BlockRouter::place_row(BlockResult& res, ByteView line, ByteView raw, uint64_t key_hash, double value,
                            int64_t timestamp, bool as_parsed, ReportBad& report_bad) {
  const Placement& pl = *cfg_.placement;
  bool rerouted = false;
  size_t owner = pl.owner(key_hash, raw, &rerouted);
  const ReplicaSet& copies = pl.copies(owner);

  if (cfg_.render && cfg_.format == OutputFormat::prom) {
    // Write once into the first copy's buffer, then duplicate the bytes for the others. The line
    // itself when VM reads it back to the same labels (the common case: a copy), else rendered
    // from the labels just built (never from the cache: such series are not cached).
    Bytes& first = res.out[copies.nodes[0]];
    size_t start = first.size();
    if (as_parsed) {
      first.append(line);
      first.push_back('\n');
    } else if (!render_prom_line(first, kb_.labels(), kb_.kept_labels(), value, timestamp)) {
      report_bad("this series cannot be written as Prometheus text without changing it "
                 "(a label name or the metric name would parse differently, or the label-count limit dropped the metric name)");
      return false;
    }
    for (size_t c = 1; c < copies.nodes.size(); ++c) {
      Bytes& o = res.out[copies.nodes[c]];
      o.append(first.data() + start, first.size() - start);
    }
  } else if (cfg_.render) {
    const int64_t ts = timestamp != 0 ? timestamp : cfg_.default_timestamp_ms;
    const size_t row_size = metric_row_size(raw.size());
    for (size_t node : copies.nodes) {
      Bytes& o = res.out[node];
      size_t& at = packet_at_[node];
      // vminsert pushes a buffer before the row that would make it reach the limit (§4).
      if (at != kNoPacket && o.size() - at - 8 + row_size >= kMaxPacketSizeForVMInsert) {
        end_packet(o, at);
        at = kNoPacket;
      }
      if (at == kNoPacket) at = begin_packet(o);
      marshal_metric_row(o, raw, ts, value);
    }
  }

  ++res.parsed_rows;
  if (rerouted) {
    ++res.rerouted_rows;
    ++res.rerouted_in[owner];
  }
  if (copies.missing_copies > 0) ++res.incompletely_replicated_rows;
  for (size_t node : copies.nodes) {
    ++res.rows[node];
    // Rows of one series often follow each other: skip the repeats before the set sees them.
    if (cfg_.collect_hashes && (res.hashes[node].empty() || res.hashes[node].back() != key_hash)) {
      res.hashes[node].push_back(key_hash);
    }
  }
  return true;
}

}  // namespace vmt::route
