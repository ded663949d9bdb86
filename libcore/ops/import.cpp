#include "ops/import.h"

#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <unistd.h>

#include "base/fs.h"
#include "layout/storage_dir.h"
#include "ops/args.h"
#include "ops/render.h"
#include "ops/tool.h"

namespace vmt::ops {

namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof(buf), f, ap);
  va_end(ap);
  return buf;
}

using u64 = unsigned long long;

}  // namespace

std::vector<std::string> render_import_summary(const ingest::ImportStats& s) {
  std::vector<std::string> out;
  if (s.from_prometheus) {
    const auto& p = s.prom;
    out.push_back(fmt("input: prometheus blocks=%llu groups=%llu series=%llu matched=%llu merged=%llu samples=%llu "
                      "deleted=%llu histogram_chunks=%llu histogram_samples=%llu",
                      u64(p.blocks), u64(p.groups), u64(p.series_read), u64(p.series_matched), u64(p.series_merged),
                      u64(p.samples), u64(p.skipped.deleted_samples), u64(p.skipped.histogram_chunks),
                      u64(p.skipped.histogram_samples)));
  } else {
    out.push_back(fmt("input: files=%llu bytes=%llu lines=%llu skipped=%llu bad=%llu", u64(s.files), u64(s.input_bytes),
                      u64(s.lines), u64(s.skipped_lines), u64(s.bad_lines)));
  }
  out.push_back(fmt("samples: parsed=%llu nan=%llu too_old=%llu too_new=%llu accepted=%llu written=%llu",
                    u64(s.samples_parsed), u64(s.dropped_nan), u64(s.dropped_too_old), u64(s.dropped_too_new),
                    u64(s.samples_accepted), u64(s.rows_written)));
  out.push_back("window: min=" + format_time_ms(s.min_timestamp_allowed) +
                " max=" + format_time_ms(s.max_timestamp_allowed));
  if (s.labels.metrics_with_dropped_labels || s.labels.too_long_label_names || s.labels.too_long_label_values) {
    out.push_back(fmt("labels: series_with_dropped_labels=%llu long_names=%llu long_values=%llu",
                      u64(s.labels.metrics_with_dropped_labels), u64(s.labels.too_long_label_names),
                      u64(s.labels.too_long_label_values)));
  }
  if (s.dry_run) {
    out.push_back(fmt("series: total=%llu", u64(s.series)));
  } else {
    out.push_back(fmt("series: total=%llu new=%llu curr=%llu prev=%llu other_day=%llu metric_ids=%llu..%llu",
                      u64(s.series), u64(s.series_new), u64(s.series_curr), u64(s.series_prev),
                      u64(s.series_other_day), u64(s.first_metric_id), u64(s.last_metric_id)));
  }
  for (const auto& p : s.partitions) {
    if (s.dry_run) {
      out.push_back(fmt("partition %s: samples=%llu", p.name.c_str(), u64(p.samples)));
    } else {
      out.push_back(fmt("partition %s: samples=%llu written=%llu parts=%llu small=%llu big=%llu bytes=%llu",
                        p.name.c_str(), u64(p.samples), u64(p.rows_written), u64(p.small_parts + p.big_parts),
                        u64(p.small_parts), u64(p.big_parts), u64(p.bytes)));
    }
  }
  if (!s.dry_run) {
    if (s.index_parts) {
      out.push_back(fmt("indexdb %s: items=%llu blocks=%llu parts=%llu bytes=%llu runs=%llu", s.index_table.c_str(),
                        u64(s.index_items), u64(s.index_blocks), u64(s.index_parts), u64(s.index_bytes),
                        u64(s.index_runs)));
    } else {
      out.push_back("indexdb: items=0 parts=0 (every series and day already indexed)");
    }
  }
  const double secs = s.seconds > 0 ? s.seconds : 1e-9;
  out.push_back(fmt("time: input=%.3f data=%.3f index=%.3f commit=%.3f early_flushes=%llu early_merges=%llu series_spills=%llu",
                    s.seconds_input, s.seconds_data, s.seconds_index, s.seconds_commit, u64(s.early_flushes),
                    u64(s.early_merges), u64(s.series_spills)));
  out.push_back(fmt("done: seconds=%.3f samples_per_second=%.0f input_mb_per_second=%.1f%s", s.seconds,
                    double(s.samples_accepted) / secs, double(s.input_bytes) / 1e6 / secs,
                    s.dry_run ? " dry_run=1 (nothing written)" : ""));
  return out;
}

std::string render_import_summary_json(const ingest::ImportStats& s) {
  nlohmann::ordered_json j;
  j["type"] = "summary";
  j["dry_run"] = s.dry_run;
  j["files"] = s.files;
  j["input_bytes"] = s.input_bytes;
  j["lines"] = s.lines;
  j["skipped_lines"] = s.skipped_lines;
  j["bad_lines"] = s.bad_lines;
  if (s.from_prometheus) {
    const auto& p = s.prom;
    j["prometheus"] = {{"blocks", p.blocks}, {"groups", p.groups}, {"series", p.series_read},
                       {"series_matched", p.series_matched}, {"series_merged", p.series_merged},
                       {"samples", p.samples}, {"deleted_samples", p.skipped.deleted_samples},
                       {"histogram_chunks", p.skipped.histogram_chunks},
                       {"histogram_samples", p.skipped.histogram_samples}, {"notes", p.notes}};
  }
  j["samples_parsed"] = s.samples_parsed;
  j["dropped_nan"] = s.dropped_nan;
  j["dropped_too_old"] = s.dropped_too_old;
  j["dropped_too_new"] = s.dropped_too_new;
  j["samples_accepted"] = s.samples_accepted;
  j["rows_written"] = s.rows_written;
  j["series"] = s.series;
  j["series_new"] = s.series_new;
  j["series_found"] = s.series_curr + s.series_prev;
  j["series_found_other_day"] = s.series_other_day;
  j["first_metric_id"] = json_id(s.first_metric_id);
  j["last_metric_id"] = json_id(s.last_metric_id);
  j["metrics_with_dropped_labels"] = s.labels.metrics_with_dropped_labels;
  j["too_long_label_values"] = s.labels.too_long_label_values;
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const auto& p : s.partitions) {
    parts.push_back({{"name", p.name}, {"samples", p.samples}, {"rows_written", p.rows_written},
                     {"small_parts", p.small_parts}, {"big_parts", p.big_parts}, {"bytes", p.bytes}});
  }
  j["partitions"] = std::move(parts);
  j["index"] = s.index_table;
  j["index_items"] = s.index_items;
  j["index_parts"] = s.index_parts;
  j["series_spills"] = s.series_spills;
  j["index_bytes"] = s.index_bytes;
  j["seconds"] = s.seconds;
  Bytes out;
  append_json_line(out, j);
  return out;
}

Result<layout::Flavour> import_flavour(const std::string& dir, const std::optional<layout::Flavour>& target) {
  layout::Flavour f = target ? *target : layout::kDefaultFlavour;
  // An empty directory is a new one; any other must already be a storage directory (we never
  // turn a directory of other files into one).
  VMT_ASSIGN_OR_RETURN(auto entries, fs::is_dir(dir) ? fs::list_dir(dir) : Result<std::vector<fs::DirEntry>>(
                                                                               std::vector<fs::DirEntry>{}));
  if (fs::FlockFile::held_by_other(dir)) return fs::FlockFile::held_error(dir);
  const bool only_lock = entries.size() == 1 && entries[0].name == "flock.lock";
  if (!entries.empty() && !only_lock) {
    VMT_ASSIGN_OR_RETURN(layout::StorageDir sd, layout::open_storage_dir(dir, target ? &*target : nullptr));
    f = sd.flavour;
  }
  return f;
}

Status run_import_tool(ingest::ImportOptions opt, const std::optional<layout::Flavour>& target, bool json,
                       bool quiet) {
  // Reading exposition text typed at a terminal is never what was meant: say so instead of waiting.
  bool from_stdin = opt.inputs.empty() && opt.prometheus_dir.empty();
  for (const auto& in : opt.inputs) from_stdin = from_stdin || in == "-";
  if (from_stdin && ::isatty(STDIN_FILENO)) {
    return invalid_argument("no input: give FILE arguments or pipe Prometheus text (or JSON lines) into stdin (stdin is a terminal)");
  }
  VMT_ASSIGN_OR_RETURN(layout::Flavour flavour, import_flavour(opt.dir, target));
  opt.tenancy = flavour.tenancy;
  opt.per_partition_index = flavour.per_partition_index();
  if (!flavour.cluster() && (opt.account_id != 0 || opt.project_id != 0)) {
    return invalid_argument("--tenant " + std::to_string(opt.account_id) + ":" + std::to_string(opt.project_id) +
                            ": " + opt.dir + " is a single-node storage (" + flavour.to_string() + "), which has no tenants");
  }
  if (!flavour.cluster() && opt.multitenant) {
    return invalid_argument("--tenant multitenant: " + opt.dir + " is a single-node storage (" + flavour.to_string() +
                            "), which has no tenants");
  }
  Progress progress("tsdb-import");
  // The first 100 bad lines are shown, the rest counted (as tsdb-route does).
  constexpr uint64_t kShownBadLines = 100;
  uint64_t bad_seen = 0;
  opt.on_bad_line = [&](const std::string& file, uint64_t line, const std::string& msg) {
    if (++bad_seen > kShownBadLines) return;
    progress.done();
    // The server's messages quote the line: escaped and capped here, whatever the input holds.
    const std::string text = printable_capped(msg, 512);
    std::fprintf(stderr, "%s:%llu: %s\n", printable(file).c_str(), static_cast<unsigned long long>(line), text.c_str());
  };
  const uint64_t total_bytes = input_total_bytes(opt.inputs);
  opt.on_progress = [&](const ingest::ImportProgress& p) {
    if (p.samples_total > 0) {
      // Prometheus blocks announce their samples.
      progress.update(fmt("%llu of %llu samples, %llu series", u64(p.samples), u64(p.samples_total), u64(p.series)),
                      double(p.samples) / double(p.samples_total));
      return;
    }
    const std::string counts = fmt(", %llu lines, %llu samples, %llu series", u64(p.lines), u64(p.samples), u64(p.series));
    if (total_bytes > 0) {
      progress.update(progress_mib(p.input_bytes) + " of " + progress_mib(total_bytes) + " read" + counts,
                      double(p.input_bytes) / double(total_bytes));
    } else {
      progress.update(progress_mib(p.input_bytes) + " read" + counts);
    }
  };
  // SIGINT/SIGTERM: stop before the commit (nothing written), or let a running commit finish, so
  // that an import never leaves some months committed and others not.
  opt.stop = stop_on_signals();
  ingest::ImportStats stats;
  Status st = ingest::run_import(opt, &stats);
  progress.done();
  if (bad_seen > kShownBadLines) log_line(std::to_string(bad_seen - kShownBadLines) + " more bad lines not shown");
  if (!st.is_ok()) return st;
  if (json) {
    const std::string line = render_import_summary_json(stats);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  } else if (!quiet) {
    for (const auto& line : render_import_summary(stats)) log_line(line);
  }
  for (const auto& note : stats.prom.notes) log_line("note: " + note);
  if (stats.prom.skipped.histogram_chunks > 0) {
    log_line("note: " + std::to_string(stats.prom.skipped.histogram_samples) + " native histogram samples (" +
             std::to_string(stats.prom.skipped.histogram_chunks) + " chunks) were skipped: VictoriaMetrics does not "
             "store native histograms");
  }
  if (stats.interrupted_in_commit) {
    log_line("interrupted during the commit: the commit was completed, every partition is committed");
  }
  if (stats.samples_parsed == 0 && stats.bad_lines == 0) {
    // An input without samples (an empty shard of tsdb-route, say): nothing to do, and nothing lost.
    log_line("nothing to import: the input holds no samples");
  } else if (stats.samples_accepted == 0) {
    // Exit 1: the job was not done. The usual causes, from the counters above.
    std::string why = stats.samples_parsed == 0 ? "no line could be parsed" :
                      stats.dropped_too_old + stats.dropped_too_new > 0
                          ? "every sample is outside [now - --retention, now + 2d] (" + format_time_ms(stats.min_timestamp_allowed) +
                                " .. " + format_time_ms(stats.max_timestamp_allowed) +
                                "); timestamps in seconds are read as milliseconds only with 13+ digits"
                          : "every sample was NaN";
    return corruption("nothing was imported: " + why);
  }
  if (stats.labels.metrics_with_dropped_labels > 0) {
    log_line("warning: " + std::to_string(stats.labels.metrics_with_dropped_labels) + " rows had labels past --max-labels-per-timeseries=" +
             std::to_string(opt.limits.max_labels) + " dropped, as vminsert drops them: series that differ only in "
             "those labels are stored as one; raise the limit to keep them apart");
  }
  if (stats.labels.too_long_label_values > 0) {
    log_line("warning: " + std::to_string(stats.labels.too_long_label_values) + " label values were cut to --max-label-value-len=" +
             std::to_string(opt.limits.max_value_len) + " bytes");
  }
  return Status::ok();
}

}  // namespace vmt::ops
